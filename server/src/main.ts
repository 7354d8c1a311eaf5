import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './platform/db/embedded-postgres.js';
import type { MosquittoDynsec } from './devices/mosquitto-dynsec.js';
import type { MqttTransport } from './platform/mqtt/mqtt-transport.js';
import { isDatabaseUnavailable } from './platform/outage.js';

/**
 * The rest of the server: about a thousand modules, a second of loading. Imported here, not
 * above, so that they load while the embedded PostgreSQL (a child process) starts.
 */
async function loadServer() {
  const [database, app, jobs, push, seed, metrics, devices, broker, client, dynsec] = await Promise.all([
    import('./platform/db/database.js'),
    import('./app.js'),
    import('./platform/jobs/jobs.js'),
    import('./push/push.service.js'),
    import('./demo/seed.js'),
    import('./platform/metrics.js'),
    import('./devices/device.service.js'),
    import('./platform/mqtt/embedded-broker.js'),
    import('./platform/mqtt/mqtt-client-transport.js'),
    import('./devices/mosquitto-dynsec.js'),
  ]);
  return { ...database, ...app, ...jobs, ...push, ...seed, ...metrics, ...devices, ...broker, ...client, ...dynsec };
}

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const log = createLogger(config.LOG_LEVEL);

// pg-boss (10.x) completes or fails a job without awaiting it: if PostgreSQL goes away while
// a job runs, that promise rejects with nobody to catch it, and Node ends the process. The job
// itself is safe (it stays active and is retried after its expiry), so a database outage there
// is logged and survived. Any other unhandled rejection is a bug and still ends the process.
process.on('unhandledRejection', (reason) => {
  if (isDatabaseUnavailable(reason)) {
    log.warn({ reason: reason instanceof Error ? reason.message : String(reason) }, 'a background database call failed during an outage');
    return;
  }
  log.fatal({ err: reason }, 'unhandled promise rejection');
  process.exit(1);
});
let embeddedPostgres: EmbeddedPostgresHandle | undefined;

async function main() {
  // What the start spends its time on, in ms since the process started: logged once it runs.
  const phases: Record<string, number> = {};
  const mark = (phase: string) => (phases[phase] = Math.round(performance.now()));
  const loading = loadServer().finally(() => mark('imports'));
  loading.catch(() => undefined); // reported where it is awaited
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    log.info({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT }, 'starting embedded PostgreSQL');
    embeddedPostgres = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.EMBEDDED_PG_PORT,
      onLog: (line) => log.debug({ postgres: line }),
    });
    await ensureDatabase(embeddedPostgres.url('postgres'), 'tonari');
    databaseUrl = embeddedPostgres.url('tonari');
    mark('postgres');
  }
  // Every connection of this instance (queries, jobs, realtime) names it, so pg_stat_activity
  // tells an operator which instance holds a lock or runs a long query.
  databaseUrl = withApplicationName(databaseUrl, `tonari ${hostname()}:${config.PORT}`);
  const server = await loading;
  const db = server.createDatabase(databaseUrl);
  const jobs = server.createJobs({ connectionString: databaseUrl, log });
  const seed = config.SEED_DEMO ?? config.embedded.database;

  // The job queue's own schema (pg-boss) and tonari's tables are independent: pg-boss starts
  // while the migrations run; the demo and the push keys need the migrated tables.
  const [{ seeded, demoDevices, vapid }] = await Promise.all([
    (async () => {
      const applied = await server.migrateToLatest(db);
      mark('migrations');
      if (applied.length) log.info({ migrations: applied }, 'migrations applied');
      const [seeded, vapid] = await Promise.all([seed && server.isEmpty(db), server.loadVapidKeys(db)]);
      const demoDevices = seeded ? await server.seedDemo(db, log) : [];
      if (seed && !seeded) await server.refreshDemo(db);
      mark('seed');
      return { seeded, demoDevices, vapid };
    })(),
    jobs.start().then(() => mark('jobs')),
  ]);
  if (seeded && config.embedded.database) {
    // The device simulator (`npm run devices`) reads the demo speakers' logins from here
    // instead of rotating them, so the logins in README keep working.
    const cache = Object.fromEntries(demoDevices.map((d) => [d.id, { password: d.password, associationId: d.associationId, householdId: d.householdId }]));
    await writeFile(path.join(config.DATA_DIR, 'simulator-devices.json'), `${JSON.stringify(cache, null, 2)}\n`, { mode: 0o600 });
  }
  if (seeded) {
    log.info({ association: server.demo.associationName }, 'demo association seeded');
  }

  const metrics = server.createMetrics();
  let mqtt: MqttTransport;
  let brokerSync: MosquittoDynsec | undefined;
  let deviceMqttUrl: string;
  if (config.MQTT_URL) {
    const url = new URL(config.MQTT_URL);
    const adminUsername = decodeURIComponent(url.username);
    const transport = new server.MqttClientTransport({
      url: config.MQTT_URL,
      shareGroup: config.MQTT_SHARE_GROUP,
      clientId: `tonari-server-${hostname()}-${config.PORT}`,
      log,
      metrics,
      beforeSubscribe: config.MQTT_DYNSEC
        ? async (client) => {
            brokerSync = new server.MosquittoDynsec(client);
            await brokerSync.ensureServerAccess(adminUsername);
          }
        : undefined,
    });
    mqtt = transport;
    url.username = '';
    url.password = '';
    deviceMqttUrl = url.toString().replace(/\/$/, '');
  } else {
    mqtt = new server.EmbeddedBroker({ authenticate: (username, password) => server.authenticateDevice(db, username, password), log, metrics, port: config.MQTT_PORT });
    deviceMqttUrl = `mqtt://${new URL(config.publicUrl).hostname}:${config.MQTT_PORT}`;
  }

  const app = server.createApp({
    db,
    databaseUrl,
    log,
    metrics,
    mqtt,
    jobs,
    vapid,
    brokerSync: { upsertDevice: (d) => brokerSync?.upsertDevice(d) ?? Promise.resolve(), revokeDevice: (id) => brokerSync?.revokeDevice(id) ?? Promise.resolve() },
    publicUrl: config.publicUrl,
    deviceMqttUrl,
    sessionTtlHours: config.SESSION_TTL_HOURS,
    loginRateLimit: config.LOGIN_RATE_LIMIT,
    watchRetentionDays: config.WATCH_RETENTION_DAYS,
    watchScanSeconds: config.WATCH_SCAN_SECONDS,
    quakeFeed: config.QUAKE_FEED ? { url: config.QUAKE_FEED_URL } : undefined,
  });
  mark('app');
  await app.start();
  mark('queues and broker');
  // Mosquitto's dynamic security keeps its own copy of device logins; the demo's are known.
  for (const device of demoDevices) await brokerSync?.upsertDevice({ id: device.id, associationId: device.associationId, password: device.password });
  await new Promise<void>((resolve) => app.httpServer.listen(config.PORT, config.HOST, resolve));
  mark('listening');

  const cpu = process.cpuUsage();
  log.info({ phases, cpuMs: Math.round((cpu.user + cpu.system) / 1000) }, `started in ${phases.listening} ms`);
  log.info({ url: config.publicUrl, mqtt: deviceMqttUrl }, 'tonari is running');
  const lines = [
    '',
    `  tonari (隣) is running at ${config.publicUrl}`,
    `  MQTT for devices: ${deviceMqttUrl}${config.embedded.broker ? ' (embedded broker)' : ''}`,
  ];
  if (seed) {
    const { demo } = server;
    lines.push(
      '',
      `  Demo association: ${demo.associationName}${seeded ? ' (just created)' : ''}`,
      `  Demo logins (password: ${demo.password}):`,
      ...demo.logins.map((l) => `    ${l.role.padEnd(30)} ${l.identifier}`),
      `  Household join passcode: ${demo.joinPasscode}  (${config.publicUrl}/join?code=${demo.joinPasscode})`,
      `  Demo speaker MQTT login: username ${demo.device.id}`,
      `                           password ${demo.device.password}`,
      `                           topics   tonari/${demo.associationId}/${demo.device.id}/up/# and /down/#`,
    );
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.close();
      await db.destroy();
      await embeddedPostgres?.stop();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
}

function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('application_name')) parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

main().catch(async (error: unknown) => {
  log.fatal({ err: error }, 'tonari could not start');
  await embeddedPostgres?.stop().catch(() => undefined);
  process.exit(1);
});
