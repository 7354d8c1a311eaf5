import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { until as waitUntil } from './support/wait.js';
import type { TestDatabase } from './support/database.js';
import { connectDevice, startTestServer, type TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import type { SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { topics } from '../devices/src/protocol.js';

/**
 * Device ingest at least once, against a real PostgreSQL and a real broker (embedded Aedes,
 * or MQTT_URL's Mosquitto): a device message is acknowledged only once it is stored with its
 * effects, a database that cannot take it holds it rather than losing it, and the server
 * notices (and repairs) a lost subscription.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;
const open: MqttClient[] = [];
const external = !!process.env.MQTT_URL;

const until = <T,>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000) => waitUntil(read, done, timeoutMs);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ server: { ingestStaleMs: 2000 } }));
  officer = await loggedInClient(server, x.logins.officer);
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.endAsync(true)));
  await stopSuite({ server, database });
});

async function register(label: string, householdId: string) {
  const response = await officer.post('/api/devices', { label, householdId });
  expect(response.status).toBe(201);
  return response.body as { device: { id: string }; credentials: { username: string; password: string } };
}
async function connect(credentials: { username: string; password: string }) {
  const client = await connectDevice(server.deviceMqttUrl, credentials);
  open.push(client);
  return client;
}
const envelope = (seq: number, bootId = 'boot-1') => ({ bootId, seq, ts: new Date().toISOString() });
const heartbeat = (seq: number) => JSON.stringify({ ...envelope(seq), uptimeSeconds: seq * 60, power: 'mains', battery: null, signal: -60, firmware: '1.0.0' });
const metric = async (base: string, pattern: RegExp) => {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(text.match(pattern)?.[1] ?? 0);
};
const stored = (deviceId: string) =>
  database.db.selectFrom('device_messages').select(['kind', 'seq']).where('device_id', '=', deviceId).orderBy('seq').execute();
/** A heartbeat is state, not a stored event: the device's latest one (device.uplinks.ts). */
const lastBeat = async (deviceId: string) =>
  (await database.db.selectFrom('devices').select('last_heartbeat').where('id', '=', deviceId).executeTakeFirstOrThrow()).last_heartbeat?.seq ?? null;
const presence = async (householdId: string) =>
  (await database.db.selectFrom('activity_hourly').select((eb) => eb.fn.sum<number>('presence').as('n')).where('household_id', '=', householdId).executeTakeFirst())?.n ?? 0;

describe('at-least-once ingest', () => {
  it('does not acknowledge a message before it is stored; then stores it, and its effects, exactly once', async () => {
    const householdId = x.households.C.id;
    const { device, credentials } = await register('玄関スピーカー', householdId);
    const speaker = await connect(credentials);
    const drill = await officer.post('/api/drills', { kind: 'drill', title: '防災訓練', deadlineAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(drill.status).toBe(201);
    const drillId = drill.body.id as string;

    // Another session holds the event table: no batch can commit.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table device_messages in exclusive mode');
    const up = (kind: 'activity' | 'answer' | 'ack') => topics.uplink(x.association.id, device.id, kind);
    const activity = JSON.stringify({ ...envelope(1), type: 'presence', count: 3 });
    const answer = JSON.stringify({ ...envelope(2), promptId: drillId, button: 'safe' });
    // A press for something not addressed to this home: stored without effect, and it must not undo the rest.
    const strayAck = JSON.stringify({ ...envelope(3), messageId: '00000000-0000-4000-8000-000000000000' });
    const acked: string[] = [];
    const publishes = [
      speaker.publishAsync(up('activity'), activity, { qos: 1 }).then(() => acked.push('activity')),
      speaker.publishAsync(up('answer'), answer, { qos: 1 }).then(() => acked.push('answer')),
      speaker.publishAsync(up('ack'), strayAck, { qos: 1 }).then(() => acked.push('ack')),
    ];
    try {
      const inFlight = await until(() => metric(server.baseUrl, /^tonari_ingest_in_flight (\d+)/m), (n) => n === 3, 5000);
      expect(inFlight).toBe(3);
      await sleep(500);
      // With the embedded broker the server's acknowledgement is the device's PUBACK; with
      // Mosquitto the broker keeps the message until the server acknowledges it.
      if (!external) expect(acked).toEqual([]);
      expect(await presence(householdId)).toBe(0);
    } finally {
      await locker.query('commit');
      await locker.end();
    }
    await Promise.all(publishes);
    const rows = await until(() => stored(device.id), (r) => r.length >= 3);
    expect(rows).toEqual([{ kind: 'activity', seq: 1 }, { kind: 'answer', seq: 2 }, { kind: 'ack', seq: 3 }]);
    expect(await presence(householdId)).toBe(3);
    const target = await database.db.selectFrom('drill_targets').select(['status', 'channel']).where('drill_id', '=', drillId).where('household_id', '=', householdId).executeTakeFirstOrThrow();
    expect(target).toEqual({ status: 'safe', channel: 'speaker' });
    expect(await metric(server.baseUrl, /^tonari_mqtt_rejections_total\{reason="ack_not_applicable"\} (\d+)/m)).toBe(1);
    expect(await metric(server.baseUrl, /^tonari_ingest_in_flight (\d+)/m)).toBe(0);

    // The same messages again (a device that missed its PUBACK sends them again): stored
    // once, effects applied once.
    const duplicatesBefore = await metric(server.baseUrl, /^tonari_mqtt_messages_total\{kind="activity",outcome="duplicate"\} (\d+)/m);
    await speaker.publishAsync(up('activity'), activity, { qos: 1 });
    await speaker.publishAsync(up('answer'), answer, { qos: 1 });
    await until(() => metric(server.baseUrl, /^tonari_mqtt_messages_total\{kind="answer",outcome="duplicate"\} (\d+)/m), (n) => n >= 1);
    expect(await metric(server.baseUrl, /^tonari_mqtt_messages_total\{kind="activity",outcome="duplicate"\} (\d+)/m)).toBe(duplicatesBefore + 1);
    expect(await stored(device.id)).toHaveLength(3);
    expect(await presence(householdId)).toBe(3);
    const answers = await database.db.selectFrom('drill_answers').select('status').where('drill_id', '=', drillId).where('household_id', '=', householdId).execute();
    expect(answers).toEqual([{ status: 'safe' }]);
  });

  it('holds messages unacknowledged while the database cannot store them, retries, and stores every one when it can', async () => {
    const { device, credentials } = await register('台所スピーカー', x.households.A.id);
    const speaker = await connect(credentials);
    // Presence reports (stored events) and heartbeats (state, no row) alike: the first is a
    // report, so the lane holds every heartbeat behind it.
    const presenceReport = (seq: number) => JSON.stringify({ ...envelope(seq), type: 'presence', count: 1 });
    // Storage fails (a real PostgreSQL error on every attempt) until the table is back.
    await database.db.schema.alterTable('device_messages').renameTo('device_messages_away').execute();
    let acked = 0;
    const publishes = [1, 2, 3, 4, 5].map((seq) =>
      speaker.publishAsync(topics.uplink(x.association.id, device.id, seq % 2 ? 'activity' : 'heartbeat'), seq % 2 ? presenceReport(seq) : heartbeat(seq), { qos: 1 }).then(() => acked++),
    );
    try {
      await until(() => metric(server.baseUrl, /^tonari_ingest_storage_retries_total (\d+)/m), (n) => n >= 3, 5000);
      const health = await fetch(`${server.baseUrl}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ingest: false, ingestProblem: expect.stringContaining('cannot be stored') });
      if (!external) expect(acked).toBe(0);
      expect(await metric(server.baseUrl, /^tonari_mqtt_rejections_total\{reason="storage_error"\} (\d+)/m)).toBe(0);
    } finally {
      await database.db.schema.alterTable('device_messages_away').renameTo('device_messages').execute();
    }
    await Promise.all(publishes);
    const rows = await until(() => stored(device.id), (r) => r.length >= 3);
    expect(rows.map((r) => r.seq)).toEqual([1, 3, 5]);
    expect(await lastBeat(device.id)).toBe(4);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  });

  it('reports ingest unhealthy when devices are online and nothing arrives, and healthy again when it does', async () => {
    const { device, credentials } = await register('居間スピーカー', x.households.B.id);
    const speaker = await connect(credentials);
    await database.db.updateTable('devices').set({ online: true }).where('id', '=', device.id).execute();
    const stale = await until(() => fetch(`${server.baseUrl}/healthz`), (r) => r.status === 503, 8000);
    expect(stale.status).toBe(503);
    expect(await stale.json()).toMatchObject({ database: true, broker: true, ingest: false, ingestProblem: expect.stringContaining('while devices are online') });
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'heartbeat'), heartbeat(1), { qos: 1 });
    const fresh = await until(() => fetch(`${server.baseUrl}/healthz`), (r) => r.status === 200);
    expect(await fresh.json()).toEqual({ status: 'ok', database: true, broker: true, ingest: true });
  });
});

/**
 * An answer names the kind of prompt it answers (`promptKind`, echoing the prompt's `kind`),
 * and the door hands it to that capability only. Watch alerts and drills are both ids of
 * the same shape (UUIDs): here a watch alert is given a drill's very id, so only the kind
 * can tell them apart. Older firmware sends no kind: its answers still reach what asked
 * (watch first, then drills, as before) and are counted, so that fallback can be retired.
 */
describe('answers by prompt kind', () => {
  const withoutKind = () => metric(server.baseUrl, /^tonari_mqtt_answers_without_kind_total (\d+)/m);
  const startDrill = async (title: string) => {
    const drill = await officer.post('/api/drills', { kind: 'drill', title, deadlineAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(drill.status).toBe(201);
    return drill.body.id as string;
  };
  const drillTarget = (drillId: string, householdId: string) =>
    database.db.selectFrom('drill_targets').select(['status', 'channel']).where('drill_id', '=', drillId).where('household_id', '=', householdId).executeTakeFirstOrThrow();
  const alertStatus = async (alertId: string) =>
    (await database.db.selectFrom('watch_alerts').select('status').where('id', '=', alertId).executeTakeFirstOrThrow()).status;

  it('hands an answer naming `drill` to the drill, even when a watch alert has the same id', async () => {
    const householdId = x.households.D.id;
    const { device, credentials } = await register('寝室スピーカー', householdId);
    const speaker = await connect(credentials);
    const drillId = await startDrill('夜間訓練');
    await database.db
      .insertInto('watch_alerts')
      .values({ id: drillId, association_id: x.association.id, household_id: householdId, device_id: device.id, kind: 'silent', status: 'open', tier: 'resident' })
      .execute();
    const before = await withoutKind();
    const answer = { ...envelope(1, 'boot-kind'), promptId: drillId, promptKind: 'drill', button: 'safe' };
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'answer'), JSON.stringify(answer), { qos: 1 });
    expect(await until(() => drillTarget(drillId, householdId), (t) => t.status !== null)).toEqual({ status: 'safe', channel: 'speaker' });
    // Trial and error would have let the watch alert take it (watch is asked first).
    expect(await alertStatus(drillId)).toBe('open');
    expect(await withoutKind()).toBe(before);

    // An answer naming `watch` for an id that only drills know does not apply, and is counted so.
    const otherDrillId = await startDrill('昼間訓練');
    const notApplicableBefore = await metric(server.baseUrl, /^tonari_mqtt_rejections_total\{reason="answer_not_applicable"\} (\d+)/m);
    const misnamed = { ...envelope(2, 'boot-kind'), promptId: otherDrillId, promptKind: 'watch', button: 'safe' };
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'answer'), JSON.stringify(misnamed), { qos: 1 });
    await until(() => metric(server.baseUrl, /^tonari_mqtt_rejections_total\{reason="answer_not_applicable"\} (\d+)/m), (n) => n === notApplicableBefore + 1);
    expect((await drillTarget(otherDrillId, householdId)).status).toBeNull();
  });

  it('still hands an answer without a kind (older firmware) to what asked, watch first, and counts it', async () => {
    const householdId = x.households.D.id;
    const { device, credentials } = await register('納戸スピーカー', householdId);
    const speaker = await connect(credentials);
    const before = await withoutKind();
    // A drill's id: no watch alert has it, so the drill takes it.
    const drillId = await startDrill('旧型スピーカーの訓練');
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'answer'), JSON.stringify({ ...envelope(1, 'boot-old'), promptId: drillId, button: 'help' }), { qos: 1 });
    expect(await until(() => drillTarget(drillId, householdId), (t) => t.status !== null)).toEqual({ status: 'needs_help', channel: 'speaker' });
    expect(await until(withoutKind, (n) => n === before + 1)).toBe(before + 1);

    // An id that is both a watch alert's and a drill's goes to watch, as before kinds.
    const sharedId = await startDrill('共有IDの訓練');
    await database.db
      .insertInto('watch_alerts')
      // (kind help: the home's silent alert of the test above is still open, and a home has one live alert of each kind)
      .values({ id: sharedId, association_id: x.association.id, household_id: householdId, device_id: device.id, kind: 'help', status: 'open', tier: 'resident' })
      .execute();
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'answer'), JSON.stringify({ ...envelope(2, 'boot-old'), promptId: sharedId, button: 'safe' }), { qos: 1 });
    expect(await until(() => alertStatus(sharedId), (s) => s === 'resolved')).toBe('resolved');
    expect((await drillTarget(sharedId, householdId)).status).toBeNull();
    expect(await until(withoutKind, (n) => n === before + 2)).toBe(before + 2);
  });
});

/**
 * A Mosquitto of this test's own (the shared one must not be restarted): after a broker
 * restart Mosquitto gives the server its persistent session back, but not the session's
 * shared subscription. The server must subscribe again by itself.
 */
const haveMosquitto = spawnSync('mosquitto', ['-h']).error === undefined;
describe.skipIf(!haveMosquitto)('broker restart', () => {
  let dir: string;
  let port: number;
  let broker: ChildProcess | undefined;
  let ownServer: TestServer | undefined;
  let publisher: MqttClient | undefined;

  const startBroker = async () => {
    broker = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await until(
      () => new Promise<boolean>((resolve) => {
        const probe = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 });
        probe.once('connect', () => probe.end(true, () => resolve(true)));
        probe.once('error', () => probe.end(true, () => resolve(false)));
      }),
      (up) => up,
    );
  };
  const stopBroker = async () => {
    const exited = new Promise((resolve) => broker!.once('exit', resolve));
    broker!.kill('SIGTERM'); // Mosquitto saves its persistence file on the way out
    await exited;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tonari-mosquitto-'));
    // Run as root, Mosquitto drops to its own user, which must write its persistence here.
    await chmod(dir, 0o777);
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = s.address() as { port: number };
        s.close(() => resolve(p));
      });
    });
    await writeFile(
      path.join(dir, 'mosquitto.conf'),
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'max_queued_messages 0', 'log_dest none', ''].join('\n'),
    );
    await startBroker();
  });
  afterAll(async () => {
    await publisher?.endAsync(true);
    await ownServer?.close();
    if (broker && broker.exitCode === null) await stopBroker();
    await rm(dir, { recursive: true, force: true });
  });

  it('subscribes again when the broker restarts with the session present; /healthz says ingest is down meanwhile', async () => {
    ownServer = await startTestServer(database, { mqtt: { url: `mqtt://127.0.0.1:${port}` } });
    const { device } = await register('書斎スピーカー', x.households.D.id);
    // Mosquitto here has no device logins: the server trusts the topic, as with an ACL file.
    publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `speaker-${device.id.slice(0, 8)}`, reconnectPeriod: 200 });
    const topic = topics.uplink(x.association.id, device.id, 'heartbeat');
    await publisher.publishAsync(topic, heartbeat(1), { qos: 1 });
    await until(() => lastBeat(device.id), (seq) => seq === 1);

    await stopBroker();
    const down = await until(() => fetch(`${ownServer!.baseUrl}/healthz`), (r) => r.status === 503);
    expect(await down.json()).toMatchObject({ broker: false, ingest: false, ingestProblem: expect.stringContaining('not subscribed') });

    await startBroker();
    const up = await until(() => fetch(`${ownServer!.baseUrl}/healthz`), (r) => r.status === 200);
    expect(await up.json()).toEqual({ status: 'ok', database: true, broker: true, ingest: true });
    await until(async () => publisher!.connected, (c) => c);
    await publisher.publishAsync(topic, heartbeat(2), { qos: 1 });
    expect(await until(() => lastBeat(device.id), (seq) => seq === 2, 5000)).toBe(2);
  });
});
