import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { createApp, type App } from '../../server/src/app.js';
import type { Db } from '../../server/src/platform/db/database.js';
import { createLogger } from '../../server/src/platform/logger.js';
import { createJobs } from '../../server/src/platform/jobs/jobs.js';
import { loadVapidKeys } from '../../server/src/push/push.service.js';
import { createMetrics } from '../../server/src/platform/metrics.js';
import { EmbeddedBroker } from '../../server/src/platform/mqtt/embedded-broker.js';
import { authenticateDevice } from '../../server/src/devices/device.service.js';
import { MqttClientTransport } from '../../server/src/platform/mqtt/mqtt-client-transport.js';
import { MosquittoDynsec } from '../../server/src/devices/mosquitto-dynsec.js';
import type { MqttTransport } from '../../server/src/platform/mqtt/mqtt-transport.js';

export interface TestServer {
  app: App;
  baseUrl: string;
  /** Where devices connect: the embedded broker, or MQTT_URL's broker without the admin login. */
  deviceMqttUrl: string;
  close(): Promise<void>;
}

/** The whole server on port 0, with the embedded broker, or MQTT_URL's broker when set (CI). */
export async function startTestServer(
  database: { db: Db; url: string },
  options: {
    loginRateLimit?: number;
    publicUrl?: string;
    /** A broker of the test's own instead of MQTT_URL's (no dynamic security), with this session's client id and share group. */
    mqtt?: { url: string; clientId?: string; shareGroup?: string };
    ingestStaleMs?: number;
    watchScanSeconds?: number;
    socketRefreshSeconds?: number;
    /** Default true: the tests' push service is on 127.0.0.1. False checks endpoints as production does. */
    pushAllowPrivateHosts?: boolean;
    /** The JMA feed the quake-poll job reads (a test's own feed server). */
    quakeFeed?: { url: string; timeoutMs?: number };
  } = {},
): Promise<TestServer> {
  const { db } = database;
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const metrics = createMetrics();
  let transport: MqttTransport;
  let dynsec: MosquittoDynsec | undefined;
  let deviceMqttUrl = '';
  const external = options.mqtt?.url ?? process.env.MQTT_URL;
  const dynsecEnabled = !options.mqtt && process.env.MQTT_DYNSEC === 'true';
  if (external) {
    const url = new URL(external);
    const adminUsername = decodeURIComponent(url.username);
    transport = new MqttClientTransport({
      url: external,
      // A group of this server's own: other test files' servers must not take its messages.
      shareGroup: options.mqtt?.shareGroup ?? `test${randomBytes(4).toString('hex')}`,
      clientId: options.mqtt?.clientId ?? `tonari-test-${randomBytes(6).toString('hex')}`,
      // Every test server has a session (and share group) of its own on a shared broker:
      // let them go soon, or each would collect a copy of every later test's uplinks for a day.
      sessionExpirySeconds: 600,
      log,
      metrics,
      beforeSubscribe:
        dynsecEnabled
          ? async (client) => {
              dynsec = new MosquittoDynsec(client);
              await dynsec.ensureServerAccess(adminUsername);
            }
          : undefined,
    });
    url.username = '';
    url.password = '';
    deviceMqttUrl = url.toString().replace(/\/$/, '');
  } else {
    transport = new EmbeddedBroker({ authenticate: (username, password) => authenticateDevice(db, username, password), log, metrics, port: 0, host: '127.0.0.1' });
  }
  const jobs = createJobs({ connectionString: database.url, log, pollingIntervalSeconds: 0.5 });
  await jobs.start();
  const app = createApp({
    db,
    databaseUrl: database.url,
    log,
    metrics,
    mqtt: transport,
    jobs,
    vapid: await loadVapidKeys(db),
    brokerSync: {
      upsertDevice: (device) => dynsec?.upsertDevice(device) ?? Promise.resolve(),
      revokeDevice: (id) => dynsec?.revokeDevice(id) ?? Promise.resolve(),
    },
    publicUrl: options.publicUrl ?? 'http://localhost:3000',
    deviceMqttUrl: 'mqtt://localhost:1883',
    loginRateLimit: options.loginRateLimit ?? 1000,
    watchScanSeconds: options.watchScanSeconds,
    ingestStaleMs: options.ingestStaleMs,
    socketRefreshSeconds: options.socketRefreshSeconds,
    pushAllowPrivateHosts: options.pushAllowPrivateHosts ?? true,
    quakeFeed: options.quakeFeed,
  });
  await app.start();
  if (transport instanceof EmbeddedBroker) deviceMqttUrl = `mqtt://127.0.0.1:${transport.port}`;
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, deviceMqttUrl, close: () => app.close() };
}

/** Connects as a device (client id = device id, as brokers require); resolves with the client, or rejects with the broker's refusal. */
export function connectDevice(url: string, credentials: { username: string; password: string }, options: mqtt.IClientOptions = {}) {
  return mqtt.connectAsync(url, {
    username: credentials.username,
    password: credentials.password,
    clientId: credentials.username,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
}
