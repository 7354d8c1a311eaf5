import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import compression from 'compression';
import express from 'express';
import helmet from 'helmet';
import { sql } from 'kysely';
import type { Db } from './platform/db/database.js';
import type { Logger } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { ApiRouter, errorHandler } from './platform/http/api-router.js';
import { HttpError } from './platform/http/errors.js';
import { buildOpenApiDocument } from './platform/http/openapi.js';
import { createRealtime, type Realtime, type RealtimeServer } from './platform/realtime/realtime.js';
import type { MqttTransport, Outcome, Uplink } from './platform/mqtt/mqtt-transport.js';
import { createIngest } from './platform/mqtt/ingest.js';
import { dispatchUplinks } from './platform/mqtt/uplink-dispatch.js';
import type { Jobs, QueueName } from './platform/jobs/jobs.js';
import type { Module, QueueDefinition } from './platform/module.js';
import { createOutageLog } from './platform/outage.js';
import { requireActor } from './auth/session.middleware.js';
import { socketSessions } from './auth/socket-sessions.js';
import { deviceUplinks } from './devices/device.uplinks.js';
import type { BrokerCredentialSync } from './devices/device.service.js';
import { buildAsyncApiDocument } from './devices/asyncapi.js';
import { createPushService } from './push/push.service.js';
import type { ModuleContext } from './common/service-context.js';
import { createReach } from './common/reach.js';
import { modules as moduleList } from './modules.js';

export interface AppDeps {
  db: Db;
  /** The same database as `db`, for Socket.IO's cross-instance adapter (LISTEN/NOTIFY). */
  databaseUrl: string;
  log: Logger;
  /** Shared with the embedded broker when there is one. */
  metrics?: Metrics;
  mqtt: MqttTransport;
  /** Durable jobs (pg-boss), started by the caller before `start`. */
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
  /** The JMA Atom feed read every minute for earthquake triggers (quakes/); absent: not read. */
  quakeFeed?: { url: string; timeoutMs?: number };
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
  /** What the modules were built from: for service-tier tests that call services directly. */
  context: ModuleContext;
  /**
   * Sets up the modules' queues, starts taking device uplinks, then this instance's job
   * workers and schedules (any instance may run any job, each exactly once). The jobs must
   * have been started (`jobs.start()`) and nothing listens yet.
   */
  start(): Promise<void>;
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
    sessions: socketSessions(db),
    log,
    metrics,
    databaseUrl: deps.databaseUrl,
    publicUrl: deps.publicUrl,
    outage,
    roomRefreshSeconds: deps.socketRefreshSeconds,
  });
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
          // PDF.js on the print view runs its worker from our own origin (web/dist/assets).
          workerSrc: ["'self'"],
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

  const push = createPushService({ db, log, jobs: deps.jobs, vapid: deps.vapid, subject: deps.publicUrl.startsWith('https:') ? deps.publicUrl : 'mailto:admin@tonari.invalid', allowPrivateHosts: deps.pushAllowPrivateHosts });
  const reach = createReach({ db, push, mqtt: deps.mqtt });
  const context: ModuleContext = { db, log, metrics, jobs: deps.jobs, realtime, push, mqtt: deps.mqtt, reach, publicUrl: deps.publicUrl, deps };
  const modules: Module[] = moduleList.map((build) => build(context));

  const api = new ApiRouter(requireActor);
  for (const module of modules) module.middleware?.(app);
  for (const module of modules) module.routes?.(api);
  const openApi = buildOpenApiDocument(api.routes, { version: deps.version ?? '0.1.0' });
  const asyncApi = buildAsyncApiDocument({ version: deps.version ?? '0.1.0', mqttUrl: deps.deviceMqttUrl });
  app.get('/api/openapi.json', (_req, res) => res.json(openApi));
  app.get('/api/asyncapi.json', (_req, res) => res.json(asyncApi));
  app.use(api.router);
  app.use('/api', (req, _res, next) => next(new HttpError(404, 'not_found', `No API route ${req.method} ${req.path}.`)));

  const webRoot = path.resolve(deps.webRoot ?? 'web/dist');
  // The web app (the API above answers before this): gzip or br as the browser asks; the
  // hashed bundles cached for a year, the shell revalidated (cacheHeaders).
  app.use(compression());
  // A bundle that is not here (asked of an older instance during a rolling deploy) is a 404, never
  // the app shell: the service worker keeps what /assets/ answers, and would keep the shell as
  // the bundle for good.
  app.use('/assets', express.static(path.join(webRoot, 'assets'), { index: false, maxAge: '1h', setHeaders: cacheHeaders }));
  app.use('/assets', (_req, res) => void res.status(404).type('text/plain').send('Not found'));
  app.use(express.static(webRoot, { index: false, maxAge: '1h', setHeaders: cacheHeaders }));
  app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
    const index = path.join(webRoot, 'index.html');
    if (!existsSync(index)) return res.status(503).type('text/plain').send('The web app is not built yet: run `npm run build:web`.');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  app.use(errorHandler(log, outage));

  // Each device event and its effects are one transaction (the ingest batch's); each module
  // handles the uplinks it declares, and reaches people only after that transaction commits.
  const ingest = createIngest({ db, log, metrics }, deviceUplinks({ log, metrics, realtime, handlers: uplinkCallbacks(modules) }));

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
    context,
    ingest: ingest.push,
    async start() {
      const queues = modules.flatMap((m) => Object.entries(m.queues ?? {}) as [QueueName, QueueDefinition<QueueName>][]);
      // One after the other: pg-boss creating two queues at once can deadlock (each adds a
      // foreign key to the shared queue table). A queue already as defined costs nothing.
      for (const [queue, { policy }] of queues) await deps.jobs.define(queue, policy);
      await deps.mqtt.start(ingest.push);
      await Promise.all(queues.map(([queue, { handle }]) => deps.jobs.work(queue, handle)));
      await Promise.all(modules.flatMap((m) => m.schedules ?? []).map(({ queue, cron }) => deps.jobs.schedule(queue, cron)));
      for (const module of modules) await module.start?.();
    },
    async close() {
      // Stop taking requests, let the ones in flight finish, then drop sockets and the broker.
      for (const module of modules) await module.stop?.();
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

function cacheHeaders(res: express.Response, filePath: string) {
  // Vite names what it builds under assets/ by content hash: a new build is a new name, so
  // those never change and are kept a year without asking again.
  if (/[\\/]assets[\\/][^\\/]+-[\w-]{8}\.\w+(\.map)?$/.test(filePath)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  // The service worker and the manifest must be revalidated, or an old app shell lives on.
  else if (/(sw\.js|manifest\.webmanifest|index\.html)$/.test(filePath)) res.setHeader('Cache-Control', 'no-cache');
}

/** The modules' uplink handlers by uplink kind; an answer goes to the module of the prompt kind it names. */
function uplinkCallbacks(modules: Module[]) {
  return dispatchUplinks(modules.map((m) => m.uplinks ?? {}));
}
