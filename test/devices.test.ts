import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { until as waitUntil } from './support/wait.js';
import type { TestDatabase } from './support/database.js';
import { connectDevice, type TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import type { SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { topics } from '../devices/src/protocol.js';
import { io as connectSocket } from 'socket.io-client';

/**
 * Devices against a real broker: the embedded Aedes by default, Mosquitto with dynamic
 * security when MQTT_URL is set (CI). Either way the broker decides who may connect and
 * where they may publish.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;
const open: MqttClient[] = [];

const until = <T,>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8000) => waitUntil(read, done, timeoutMs);

beforeAll(async () => {
  ({ database, server, x } = await startSuite());
  officer = await loggedInClient(server, x.logins.officer);
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.endAsync(true)));
  await stopSuite({ server, database });
});

async function register(label: string, householdId = x.households.C.id) {
  const response = await officer.post('/api/devices', { label, householdId });
  expect(response.status).toBe(201);
  return response.body as { device: { id: string }; credentials: { username: string; password: string; topicPrefix: string } };
}
async function connect(credentials: { username: string; password: string }) {
  const client = await connectDevice(server.deviceMqttUrl, credentials);
  open.push(client);
  return client;
}
const heartbeat = (seq: number, bootId = 'boot-1', extra: object = {}) =>
  JSON.stringify({ bootId, seq, ts: new Date().toISOString(), uptimeSeconds: seq * 60, power: 'battery', battery: 80 - seq, signal: -60, firmware: '1.0.0', ...extra });

async function storedMessages(deviceId: string) {
  return database.db.selectFrom('device_messages').select(['boot_id', 'seq']).where('device_id', '=', deviceId).orderBy('boot_id').orderBy('seq').execute();
}
/** A heartbeat is the device's state, not a stored event (devices/device.uplinks.ts): its latest one. */
async function lastHeartbeat(deviceId: string) {
  return (await database.db.selectFrom('devices').select('last_heartbeat').where('id', '=', deviceId).executeTakeFirstOrThrow()).last_heartbeat;
}
const presenceReport = (seq: number) => JSON.stringify({ bootId: 'boot-1', seq, ts: new Date().toISOString(), type: 'presence', count: 1 });

describe('device credentials', () => {
  it('shows the password once, connects with it, and refuses a wrong one', async () => {
    const { device, credentials } = await register('玄関スピーカー');
    expect(credentials.username).toBe(device.id);
    expect(credentials.password.length).toBeGreaterThanOrEqual(24);
    expect(credentials.topicPrefix).toBe(topics.prefix(x.association.id, device.id));
    const list = await officer.get('/api/devices');
    expect(JSON.stringify(list.body)).not.toContain(credentials.password);
    const stored = await database.db.selectFrom('devices').select('secret_hash').where('id', '=', device.id).executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(credentials.password);

    const client = await connect(credentials);
    expect(client.connected).toBe(true);
    await expect(connectDevice(server.deviceMqttUrl, { username: credentials.username, password: 'wrong' })).rejects.toThrow();
    await expect(connectDevice(server.deviceMqttUrl, { username: 'not-a-device', password: credentials.password })).rejects.toThrow();
  });

  it('a rotated password replaces the old one; a revoked device cannot connect', async () => {
    const { device, credentials } = await register('台所スピーカー');
    const before = await connect(credentials);
    const closed = new Promise<void>((resolve) => before.on('close', () => resolve()));
    const rotated = await officer.post(`/api/devices/${device.id}/credentials`);
    expect(rotated.status).toBe(200);
    await closed; // the connection made with the old password is cut
    await expect(connectDevice(server.deviceMqttUrl, credentials)).rejects.toThrow();
    await connect(rotated.body.credentials);
    const revoked = await officer.post(`/api/devices/${device.id}/revoke`);
    expect(revoked.body.revoked).toBe(true);
    await expect(connectDevice(server.deviceMqttUrl, rotated.body.credentials)).rejects.toThrow();
  });

  it('registering a speaker adds the speaker channel to its household', async () => {
    await register('居間スピーカー', x.households.A.id);
    const household = await officer.get(`/api/households/${x.households.A.id}`);
    expect(household.body.channels).toEqual(['app', 'speaker']);
    expect(household.body.devices.map((d: { label: string }) => d.label)).toContain('居間スピーカー');
  });
});

describe('uplinks', () => {
  it('applies a heartbeat once however often it is redelivered (an older one never replaces a newer), and accepts a reboot from seq 1', async () => {
    const { device, credentials } = await register('寝室スピーカー');
    const client = await connect(credentials);
    const topic = topics.uplink(x.association.id, device.id, 'heartbeat');
    const battery = async () => {
      const view = await officer.get('/api/devices');
      return view.body.items.find((d: { id: string }) => d.id === device.id) as { online: boolean; battery: number | null };
    };
    await client.publishAsync(topic, heartbeat(1, 'boot-1', { battery: 50 }), { qos: 1 });
    await client.publishAsync(topic, heartbeat(1, 'boot-1', { battery: 50 }), { qos: 1 });
    await client.publishAsync(topic, heartbeat(2, 'boot-1', { battery: 60 }), { qos: 1 });
    // The first again, after the second (a PUBACK lost): it must not bring back battery 50.
    await client.publishAsync(topic, heartbeat(1, 'boot-1', { battery: 50 }), { qos: 1 });
    // A report behind them in the device's lane: once it is stored, the heartbeats were applied.
    await client.publishAsync(topics.uplink(x.association.id, device.id, 'activity'), presenceReport(3), { qos: 1 });
    await until(() => storedMessages(device.id), (rows) => rows.length >= 1);
    expect(await battery()).toMatchObject({ online: true, battery: 60 });
    expect(await lastHeartbeat(device.id)).toMatchObject({ bootId: 'boot-1', seq: 2 });
    // Heartbeats are the device's state: the report is the only stored event.
    expect(await storedMessages(device.id)).toEqual([{ boot_id: 'boot-1', seq: 3 }]);
    await client.publishAsync(topic, heartbeat(1, 'boot-2', { battery: 70 }), { qos: 1 });
    expect(await until(battery, (d) => d.battery === 70)).toMatchObject({ online: true, battery: 70 });
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(Number(metrics.match(/^tonari_mqtt_messages_total\{kind="heartbeat",outcome="duplicate"\} (\d+)/m)?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('a device cannot publish under another device, nor subscribe to its downlinks', async () => {
    const a = await register('A');
    const b = await register('B');
    const clientA = await connect(a.credentials);
    // Mosquitto drops a forbidden publish silently (MQTT 3.1.1); Aedes closes the connection. Either way nothing is stored.
    // QoS 0: a QoS 1 publish on a connection the broker closes would wait for its PUBACK forever.
    await clientA.publishAsync(topics.uplink(x.association.id, b.device.id, 'heartbeat'), heartbeat(1), { qos: 0 }).catch(() => undefined);
    const grants = await (await connect(a.credentials))
      .subscribeAsync(`${topics.prefix(x.association.id, b.device.id)}/down/#`, { qos: 1 })
      .catch(() => [{ qos: 128 }]);
    expect(grants.every((g) => g.qos === 128)).toBe(true);
    // A's own message after the forbidden one still arrives: proof the forbidden one had its chance.
    const clientA2 = await connect(a.credentials);
    await clientA2.publishAsync(topics.uplink(x.association.id, a.device.id, 'heartbeat'), heartbeat(7), { qos: 1 });
    await until(() => lastHeartbeat(a.device.id), (hb) => hb?.seq === 7);
    expect(await lastHeartbeat(b.device.id)).toBeNull();
    expect(await storedMessages(b.device.id)).toEqual([]);
  });

  it('a device receives the downlinks for it', async () => {
    const { device, credentials } = await register('書斎スピーカー');
    const client = await connect(credentials);
    await client.subscribeAsync(`${credentials.topicPrefix}/down/#`, { qos: 1 });
    const received = new Promise<string>((resolve) => client.on('message', (_t, payload) => resolve(payload.toString())));
    await server.app.mqtt.publish(topics.downlink(x.association.id, device.id, 'config'), { quietHours: null });
    expect(JSON.parse(await received)).toEqual({ quietHours: null });
  });

  it('counts and drops malformed messages, keeps going, and loses nothing stored', async () => {
    const { device, credentials } = await register('客間スピーカー');
    const client = await connect(credentials);
    const topic = topics.uplink(x.association.id, device.id, 'heartbeat');
    await client.publishAsync(topics.uplink(x.association.id, device.id, 'activity'), presenceReport(1), { qos: 1 });
    await client.publishAsync(topic, 'this is not json', { qos: 1 });
    await client.publishAsync(topic, heartbeat(2, 'boot-1', { battery: 'full' }), { qos: 1 });
    await client.publishAsync(topic, heartbeat(3, 'boot-1', { ts: new Date(Date.now() + 86_400_000).toISOString() }), { qos: 1 });
    await client.publishAsync(topics.uplink(x.association.id, device.id, 'heartbeat').replace('heartbeat', 'nonsense'), '{}', { qos: 1 });
    await client.publishAsync(topics.uplink(x.association.id, device.id, 'activity'), presenceReport(4), { qos: 1 });
    await client.publishAsync(topic, heartbeat(5), { qos: 1 });
    const stored = await until(() => storedMessages(device.id), (rows) => rows.length >= 2);
    expect(stored.map((r) => r.seq)).toEqual([1, 4]);
    expect(await until(() => lastHeartbeat(device.id), (hb) => hb?.seq === 5)).toMatchObject({ seq: 5, battery: 75 });
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    for (const reason of ['invalid_json', 'invalid_payload', 'future_timestamp', 'unknown_kind']) {
      expect(metrics).toMatch(new RegExp(`tonari_mqtt_rejections_total\\{reason="${reason}"\\} [1-9]`));
    }
  });
});

describe('one device cannot disturb another', () => {
  it("a connection using another device's client id is refused, and that device stays connected", async () => {
    const victim = await register('被害者スピーカー');
    const attacker = await register('攻撃者スピーカー');
    const victimClient = await connect(victim.credentials);
    await victimClient.subscribeAsync(`${victim.credentials.topicPrefix}/down/#`, { qos: 1 });
    let victimClosed = false;
    victimClient.on('close', () => (victimClosed = true));
    // Valid credentials of its own, the victim's client id: the broker must not let it take over the session.
    await expect(connectDevice(server.deviceMqttUrl, attacker.credentials, { clientId: victim.device.id })).rejects.toThrow();
    // Nor any client id other than its own.
    await expect(connectDevice(server.deviceMqttUrl, attacker.credentials, { clientId: 'speaker-1' })).rejects.toThrow();
    // The victim still gets what is sent to it, on the same connection.
    const received = new Promise<string>((resolve) => victimClient.on('message', (_t, payload) => resolve(payload.toString())));
    await server.app.mqtt.publish(topics.downlink(x.association.id, victim.device.id, 'config'), { quietHours: null });
    expect(JSON.parse(await received)).toEqual({ quietHours: null });
    expect(victimClosed).toBe(false);
    expect(victimClient.connected).toBe(true);
    // The attacker with its own id is fine.
    expect((await connect(attacker.credentials)).connected).toBe(true);
  });

  it('a huge declared packet is refused before login, without the broker reading it', async () => {
    const { hostname, port } = new URL(server.deviceMqttUrl);
    const attempt = (header: Buffer) =>
      new Promise<{ closed: boolean; written: number }>((resolve) => {
        const socket = tcpConnect({ host: hostname, port: Number(port) });
        let written = 0;
        let closed = false;
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const give = setTimeout(() => {
          socket.destroy();
          resolve({ closed, written });
        }, 5000);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          closed = true;
          clearTimeout(give);
          resolve({ closed, written });
        });
        socket.on('connect', () => {
          socket.write(header);
          // Keep sending the declared body, as fast as the connection takes it.
          const pump = () => {
            while (!closed && written < 64 * 1024 * 1024) {
              written += chunk.length;
              if (!socket.write(chunk)) return void socket.once('drain', pump);
            }
          };
          pump();
        });
      });
    // CONNECT declaring 268 MB, the largest the MQTT fixed header can say.
    const hugeConnect = await attempt(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
    expect(hugeConnect.closed).toBe(true);
    expect(hugeConnect.written).toBeLessThan(16 * 1024 * 1024);
    // A PUBLISH declaring 1 MB before any CONNECT.
    const publish = await attempt(Buffer.from([0x30, 0x80, 0x80, 0x40]));
    expect(publish.closed).toBe(true);
    // The broker still serves devices.
    const { credentials } = await register('後でつなぐスピーカー');
    expect((await connect(credentials)).connected).toBe(true);
  });
});

describe('protocol versions', () => {
  it.skipIf(!!process.env.MQTT_URL)('the embedded broker speaks MQTT 3.1.1 only and refuses version 5, as docs/device-protocol.md says', async () => {
    const { credentials } = await register('MQTT5スピーカー');
    await expect(connectDevice(server.deviceMqttUrl, credentials, { protocolVersion: 5 })).rejects.toThrow();
    expect((await connect(credentials)).connected).toBe(true);
  });
});

describe('device status', () => {
  it('follows the order heartbeats arrive in, not the device clock: one stamped 4 minutes fast does not hide the next', async () => {
    const { device, credentials } = await register('時計の進んだスピーカー');
    const client = await connect(credentials);
    const topic = topics.uplink(x.association.id, device.id, 'heartbeat');
    const fast = new Date(Date.now() + 4 * 60_000).toISOString();
    await client.publishAsync(topic, heartbeat(1, 'boot-1', { ts: fast, battery: 90 }), { qos: 1 });
    const view = () => officer.get('/api/devices').then((r) => r.body.items.find((d: { id: string }) => d.id === device.id) as { battery: number | null; lastSeenAt: string | null });
    await until(view, (d) => d?.battery === 90);
    const firstSeen = Date.parse((await view()).lastSeenAt!);
    // Past the second: "last seen" is kept to the second (devices/device.repository.ts HEARD_NOW).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.publishAsync(topic, heartbeat(2, 'boot-1', { battery: 40 }), { qos: 1 });
    const latest = await until(view, (d) => d?.battery === 40);
    expect(Date.parse(latest.lastSeenAt!)).toBeGreaterThan(firstSeen);
    // The stored heartbeat is the second, with its own device time.
    const stored = await lastHeartbeat(device.id);
    expect(stored).toMatchObject({ seq: 2, battery: 40 });
    expect(Date.parse(stored!.ts)).toBeLessThan(Date.parse(fast));
  });
});

describe('live device status', () => {
  it("reaches the officer's socket as one event per batch listing the devices, not one per device; a resident hears none", async () => {
    const first = await register('一括A', x.households.A.id);
    const second = await register('一括B', x.households.B.id);
    const [a, b] = [await connect(first.credentials), await connect(second.credentials)];
    const socketOf = async (identifier: string) => {
      const client = await loggedInClient(server, identifier);
      const socket = connectSocket(server.baseUrl, { extraHeaders: { cookie: client.cookie }, transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', () => resolve());
        socket.on('connect_error', reject);
      });
      return socket;
    };
    const [officerSocket, memberSocket] = [await socketOf(x.logins.officer), await socketOf(x.logins.memberA)];
    const events: { devices: { deviceId: string; online: boolean; battery: number | null }[] }[] = [];
    const heardByMember: unknown[] = [];
    officerSocket.on('device:status', (event) => void events.push(event));
    memberSocket.on('device:status', (event) => void heardByMember.push(event));
    try {
      // Published together, so they share a batch.
      await Promise.all([
        a.publishAsync(topics.uplink(x.association.id, first.device.id, 'heartbeat'), heartbeat(1, 'boot-1', { battery: 71 }), { qos: 1 }),
        b.publishAsync(topics.uplink(x.association.id, second.device.id, 'heartbeat'), heartbeat(1, 'boot-1', { battery: 72 }), { qos: 1 }),
      ]);
      const listed = () => new Map(events.flatMap((e) => e.devices).map((d) => [d.deviceId, d]));
      await until(async () => listed(), (m) => m.has(first.device.id) && m.has(second.device.id));
      expect(listed().get(first.device.id)).toMatchObject({ online: true, battery: 71 });
      expect(listed().get(second.device.id)).toMatchObject({ online: true, battery: 72 });
      expect(events.length).toBeLessThanOrEqual(2);
      if (events.length === 1) expect(events[0]!.devices).toHaveLength(2);
      expect(heardByMember).toEqual([]);
    } finally {
      officerSocket.close();
      memberSocket.close();
    }
  });
});
