import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { sql } from 'kysely';
import type { Db } from './platform/db/database.js';
import type { Logger } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { ApiRouter, errorHandler } from './platform/http/api-router.js';
import { HttpError } from './platform/http/errors.js';
import { buildOpenApiDocument } from './platform/http/openapi.js';
import { registerAuthRoutes, requireActor, sessionMiddleware } from './auth/auth.routes.js';
import { registerRosterRoutes } from './roster/roster.routes.js';
import { registerDeviceRoutes } from './devices/device.routes.js';
import { createRealtime, type Realtime, type RealtimeServer } from './platform/realtime/realtime.js';
import { createIngest, NotApplicable, type Outcome, type Uplink } from './devices/device-ingest.service.js';
import { inUnitOfWork } from './common/service-context-tx.js';
import type { MqttTransport } from './platform/mqtt/mqtt-transport.js';
import type { BrokerCredentialSync } from './devices/device.service.js';
import { buildAsyncApiDocument } from './devices/asyncapi.js';
import type { Jobs } from './platform/jobs/jobs.js';
import { createPushService } from './push/push.service.js';
import { registerPushRoutes } from './push/push.routes.js';
import { registerCircularRoutes } from './circulars/circular.routes.js';
import * as circulars from './circulars/circular.service.js';
import { registerTaskRoutes } from './tasks/task.routes.js';
import { registerWatchRoutes } from './watch/watch.routes.js';
import * as watch from './watch/watch.service.js';
import { registerDrillRoutes } from './drills/drill.routes.js';
import * as drills from './drills/drill.service.js';
import { uuid } from './contracts/http.js';
import { createOutageLog } from './platform/outage.js';

export interface AppDeps {
  db: Db;
  /** The same database as `db`, for Socket.IO's cross-instance adapter (LISTEN/NOTIFY). */
  databaseUrl: string;
  log: Logger;
  /** Shared with the embedded broker when there is one. */
  metrics?: Metrics;
  mqtt: MqttTransport;
  /** Durable jobs (pg-boss), started by the caller before `startWorkers`. */
  jobs: Jobs;
  /** The Web Push key pair (see loadVapidKeys). */
  vapid: { publicKey: string; privateKey: string };
  brokerSync?: BrokerCredentialSync;
  publicUrl: string;
  /** The MQTT URL given to devices with their credentials. */
  deviceMqttUrl: string;
  sessionTtlHours?: number;
  loginRateLimit?: number;
  /** Seconds between each socket's re-reading of its session and roles (default 60). */
  socketRefreshSeconds?: number;
  /** Days raw device events are kept; hourly aggregates stay. */
  watchRetentionDays?: number;
  /**
   * Seconds between watch scans (1–60, default 60, a cron tick). Below a minute every
   * instance offers a scan each interval and one job per interval runs (pg-boss throttling),
   * so homes with thresholds of seconds are found within seconds.
   */
  watchScanSeconds?: number;
  /** /healthz reports ingest unhealthy when devices are online and nothing was processed for this long. */
  ingestStaleMs?: number;
  /** The built web app; defaults to ./web/dist. */
  webRoot?: string;
  /**
   * Tests only: let push endpoints be loopback/private hosts on any port (the tests' own push
   * service is on 127.0.0.1). main.ts never sets it and nothing reads it from the environment.
   */
  pushAllowPrivateHosts?: boolean;
  version?: string;
}

export interface App {
  express: express.Express;
  httpServer: HttpServer;
  io: RealtimeServer;
  realtime: Realtime;
  metrics: Metrics;
  mqtt: MqttTransport;
  jobs: Jobs;
  /** Starts this instance's job workers; any instance may run any job, each exactly once. */
  startWorkers(): Promise<void>;
  /** Feed one device uplink through validation and storage; settles once it is committed (or refused for good). */
  ingest: (uplink: Uplink) => Promise<Outcome>;
  close(): Promise<void>;
}

/**
 * Builds the whole server (HTTP API, web app, Socket.IO, device ingest) without listening
 * or connecting: main.ts starts it for real, tests start it on port 0.
 */
export function createApp(deps: AppDeps): App {
  const { db, log } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const app = express();
  const httpServer = createServer(app);
  // One line when the API loses the database and one when it has it back (not one per request).
  const outage = createOutageLog(log, 'HTTP API');
  const { io, realtime, close: closeRealtime } = createRealtime(httpServer, {
    db,
    log,
    metrics,
    databaseUrl: deps.databaseUrl,
    publicUrl: deps.publicUrl,
    outage,
    roomRefreshSeconds: deps.socketRefreshSeconds,
  });
  const sessionContext = { db, sessionTtlHours: deps.sessionTtlHours ?? 24 * 30, realtime };

  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          upgradeInsecureRequests: null,
        },
      },
      strictTransportSecurity: deps.publicUrl.startsWith('https:'),
    }),
  );
  app.use((req, res, next) => {
    const end = metrics.httpRequests.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? (req.path.startsWith('/api') ? 'unmatched' : 'static'), status: String(res.statusCode) }));
    next();
  });
  app.use('/api', (req, res, next) => {
    // A request that loaded its session reached the database: the outage, if any, is over.
    // (Not any answer: a 401 needs no database and would end an outage that goes on.)
    if (outage.isDown) res.on('finish', () => req.actor && res.statusCode < 500 && outage.up());
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const database = await sql`select 1`.execute(db).then(() => true, () => false);
    const broker = deps.mqtt.healthy();
    const problem = await ingestProblem(database);
    const ok = database && broker && !problem;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database, broker, ingest: !problem, ...(problem && { ingestProblem: problem }) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const api = new ApiRouter(requireActor);
  app.use('/api', sessionMiddleware(sessionContext));
  registerAuthRoutes(api, {
    ...sessionContext,
    secureCookies: deps.publicUrl.startsWith('https:'),
    loginRateLimit: deps.loginRateLimit ?? 10,
    metrics,
  });
  registerRosterRoutes(api, { db, realtime, publicUrl: deps.publicUrl });
  const push = createPushService({ db, log, jobs: deps.jobs, vapid: deps.vapid, subject: deps.publicUrl.startsWith('https:') ? deps.publicUrl : 'mailto:admin@tonari.invalid', allowPrivateHosts: deps.pushAllowPrivateHosts });
  const circularContext: circulars.CircularContext = { db, log, jobs: deps.jobs, realtime, push, mqtt: deps.mqtt, publicUrl: deps.publicUrl };
  registerCircularRoutes(api, circularContext);
  registerTaskRoutes(api, { db });
  const watchContext: watch.WatchContext = { db, log, jobs: deps.jobs, realtime, push, mqtt: deps.mqtt, publicUrl: deps.publicUrl };
  registerWatchRoutes(api, watchContext);
  const drillContext: drills.DrillContext = { db, log, jobs: deps.jobs, realtime, push, mqtt: deps.mqtt, publicUrl: deps.publicUrl };
  registerDrillRoutes(api, drillContext);
  registerPushRoutes(api, push);
  registerDeviceRoutes(api, {
    db,
    brokerSync: deps.brokerSync,
    deviceMqttUrl: deps.deviceMqttUrl,
    disconnectDevice: (deviceId) => deps.mqtt.disconnectDevice(deviceId),
  });
  const openApi = buildOpenApiDocument(api.routes, { version: deps.version ?? '0.1.0' });
  const asyncApi = buildAsyncApiDocument({ version: deps.version ?? '0.1.0', mqttUrl: deps.deviceMqttUrl });
  app.get('/api/openapi.json', (_req, res) => res.json(openApi));
  app.get('/api/asyncapi.json', (_req, res) => res.json(asyncApi));
  app.use(api.router);
  app.use('/api', (req, _res, next) => next(new HttpError(404, 'not_found', `No API route ${req.method} ${req.path}.`)));

  const webRoot = path.resolve(deps.webRoot ?? 'web/dist');
  app.use(express.static(webRoot, { index: false, maxAge: '1h', setHeaders: noCacheForShell }));
  app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
    const index = path.join(webRoot, 'index.html');
    if (!existsSync(index)) return res.status(503).type('text/plain').send('The web app is not built yet: run `npm run build:web`.');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  app.use(errorHandler(log, outage));

  let scanTicker: NodeJS.Timeout | undefined;

  // Each device event and its effects are one transaction (the ingest batch's): the services
  // run on it through inUnitOfWork, and reach people only after it has committed.
  const ingest = createIngest({
    db,
    log,
    metrics,
    realtime,
    onAcknowledge: async (tx, { householdId, messageId }) => {
      if (!uuid.safeParse(messageId).success) throw new NotApplicable('not a circular id');
      await circulars.acknowledge(inUnitOfWork(circularContext, tx), { circularId: messageId, householdId, personId: null, channel: 'speaker' });
    },
    onActivities: (tx, events) => watch.recordActivities(inUnitOfWork(watchContext, tx), events),
    // A prompt's id names what asked: a watch alert, or a drill.
    onAnswer: async (tx, event) => {
      if (!uuid.safeParse(event.promptId).success) throw new NotApplicable('no such prompt');
      if (await watch.recordPromptAnswer(inUnitOfWork(watchContext, tx), event)) return;
      await drills.answerFromSpeaker(inUnitOfWork(drillContext, tx), event);
    },
    onDevicesSeen: (tx, deviceIds) => watch.devicesBack(inUnitOfWork(watchContext, tx), deviceIds),
  });

  /**
   * Why device ingest is not working, or null. Uplinks arrive only through the broker's
   * subscription; and a device online sends a heartbeat every minute, so with devices online
   * (online = true in the database) and nothing processed for `ingestStaleMs` (five heartbeat
   * periods by default: a few lost heartbeats, and the share of several instances, stay well
   * inside it), messages are not reaching this instance.
   */
  const ingestStaleMs = deps.ingestStaleMs ?? 5 * 60_000;
  async function ingestProblem(database: boolean): Promise<string | null> {
    if (!deps.mqtt.subscribed()) return 'not subscribed to device uplinks on the broker';
    const { storageFailing, lastProcessedAt } = ingest.status();
    if (storageFailing) return 'device messages cannot be stored (held unacknowledged, retrying)';
    const idle = Date.now() - lastProcessedAt;
    if (idle < ingestStaleMs || !database) return null;
    const online = await db.selectFrom('devices').select('id').where('online', '=', true).where('revoked_at', 'is', null).limit(1).executeTakeFirst().catch(() => undefined);
    return online ? `no device message processed for ${Math.round(idle / 1000)} s while devices are online` : null;
  }

  return {
    express: app,
    httpServer,
    io,
    realtime,
    metrics,
    mqtt: deps.mqtt,
    jobs: deps.jobs,
    ingest: ingest.push,
    async startWorkers() {
      await deps.jobs.work<{ circularId: string }>('circular-publish', async ({ circularId }) => {
        await circulars.publishNow(circularContext, circularId);
      });
      await deps.jobs.work<{ circularId: string; after?: string }>('circular-deliver', async ({ circularId, after }) => {
        await circulars.deliver(circularContext, circularId, 'circular', { after });
      });
      await deps.jobs.work<{ circularId: string; hours?: number; after?: string }>('circular-reminder', async ({ circularId, hours, after }) => {
        await circulars.remind(circularContext, circularId, { hours, after });
      });
      await deps.jobs.work<{ circularId: string }>('circular-overdue', async ({ circularId }) => {
        await circulars.markOverdue(circularContext, circularId);
      });
      await deps.jobs.work<{ subscriptionId: string; payload: { title: string; body: string; url: string } }>('push-send', (data) => push.retry(data));
      await deps.jobs.work('watch-scan', async () => {
        await watch.scan(watchContext);
      });
      await deps.jobs.work<{ alertId: string; tier: 'family_captain' | 'volunteers' | 'officers' }>('watch-escalate', async ({ alertId, tier }) => {
        await watch.escalate(watchContext, alertId, tier);
      });
      await deps.jobs.work('watch-retention', async () => {
        await watch.deleteOldEvents(watchContext, deps.watchRetentionDays ?? 90);
      });
      await deps.jobs.work<{ drillId: string; after?: string }>('drill-ask', async ({ drillId, after }) => {
        await drills.ask(drillContext, drillId, after ?? null);
      });
      await deps.jobs.work<{ drillId: string }>('drill-deadline', async ({ drillId }) => {
        await drills.deadline(drillContext, drillId);
      });
      await deps.jobs.work<{ drillId: string; tier: 'volunteers' | 'officers' }>('drill-escalate', async ({ drillId, tier }) => {
        await drills.escalate(drillContext, drillId, tier);
      });
      await deps.jobs.schedule('watch-scan', '* * * * *');
      const scanSeconds = deps.watchScanSeconds ?? 60;
      if (scanSeconds < 60) {
        const offer = () =>
          deps.jobs.send('watch-scan', {}, { singletonKey: 'tick', singletonSeconds: scanSeconds }).catch((error) => log.warn({ err: error }, 'could not offer a watch scan'));
        scanTicker = setInterval(offer, scanSeconds * 1000);
        scanTicker.unref();
      }
      await deps.jobs.schedule('watch-retention', '17 3 * * *');
    },
    async close() {
      // Stop taking requests, let the ones in flight finish, then drop sockets and the broker.
      clearInterval(scanTicker);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // Store (and so acknowledge) what has arrived while the connection is still up; then
      // what closing brings (the embedded broker's last wills). A database that is away
      // leaves the rest unacknowledged, for the broker to deliver again.
      await ingest.flush(6000);
      await deps.mqtt.close();
      await ingest.flush(3000);
      ingest.close();
      await deps.jobs.stop();
      await closeRealtime();
    },
  };
}

function noCacheForShell(res: express.Response, filePath: string) {
  // The service worker and the manifest must be revalidated, or an old app shell lives on.
  if (/(sw\.js|manifest\.webmanifest|index\.html)$/.test(filePath)) res.setHeader('Cache-Control', 'no-cache');
}
