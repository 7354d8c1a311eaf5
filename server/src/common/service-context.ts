import type { AppDeps } from '../app.js';
import type { Metrics } from '../platform/metrics.js';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import type { Jobs } from '../platform/jobs/jobs.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import type { PushService } from '../push/push.service.js';
import type { MqttTransport } from '../platform/mqtt/mqtt-transport.js';
import type { Reach } from './reach.js';

/**
 * What every capability is built from. createApp builds one ModuleContext and hands it to each
 * module (modules.ts); a module passes it, or the part it needs, to its services. Tests reach
 * it as `app.context` to call services without HTTP. Within device ingest's batch transaction
 * services get the same shape bound to the transaction (unit-of-work.ts).
 */

/**
 * What the services that reach people use: the database, durable jobs, and the three ways
 * to reach someone (live sockets, Web Push, the speaker). Built once in createApp.
 */
export interface ServiceContext {
  db: Db;
  log: Logger;
  jobs: Jobs;
  realtime: Realtime;
  push: PushService;
  mqtt: MqttTransport;
  /** Push and speaker delivery to households and people, with one batching rule. */
  reach: Reach;
  publicUrl: string;
}

/** What every module is built from (modules.ts): the services' context and the app's settings. */
export interface ModuleContext extends ServiceContext {
  metrics: Metrics;
  /** The app's settings as main.ts (or a test) gave them. */
  deps: AppDeps;
}
