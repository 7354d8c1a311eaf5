import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../../server/src/app.js';
import type { Db } from '../../../server/src/platform/db/database.js';
import { createLogger } from '../../../server/src/platform/logger.js';
import { createMetrics } from '../../../server/src/platform/metrics.js';
import { createJobs } from '../../../server/src/platform/jobs/jobs.js';
import { EmbeddedBroker } from '../../../server/src/platform/mqtt/embedded-broker.js';
import { authenticateDevice } from '../../../server/src/devices/device.service.js';
import { loadVapidKeys } from '../../../server/src/push/push.service.js';

export interface TownServer {
  app: App;
  baseUrl: string;
  mqttUrl: string;
  close(): Promise<void>;
}

/**
 * The whole tonari server in this process, as main.ts builds it (HTTP API, Socket.IO, the
 * embedded MQTT broker, pg-boss jobs and schedules, the watch scan), on free ports. The one
 * difference: jobs are polled every half second (pg-boss's minimum; main.ts uses 2 s) so a
 * deadline or escalation job is picked up within seconds of simulated time at the speed-up.
 */
export async function startTownServer(database: { db: Db; url: string }, logLevel = process.env.TOWN_LOG_LEVEL ?? 'silent'): Promise<TownServer> {
  const { db } = database;
  const log = createLogger(logLevel);
  const metrics = createMetrics();
  const broker = new EmbeddedBroker({ authenticate: (username, password) => authenticateDevice(db, username, password), log, metrics, port: 0, host: '127.0.0.1' });
  const jobs = createJobs({ connectionString: database.url, log, pollingIntervalSeconds: 0.5 });
  await jobs.start();
  const app = createApp({
    db,
    databaseUrl: database.url,
    log,
    metrics,
    mqtt: broker,
    jobs,
    vapid: await loadVapidKeys(db),
    publicUrl: 'http://localhost:3000',
    deviceMqttUrl: 'mqtt://127.0.0.1',
    // Hundreds of residents log in from one address before the drill.
    loginRateLimit: 1_000_000,
  });
  await app.start();
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, mqttUrl: `mqtt://127.0.0.1:${broker.port}`, close: () => app.close() };
}
