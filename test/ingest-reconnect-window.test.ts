import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { MqttClient } from 'mqtt';
import { topics } from '../devices/src/protocol.js';
import type { MqttClientTransport } from '../server/src/platform/mqtt/mqtt-client-transport.js';
import type { TestDatabase } from './support/database.js';
import type { SeededAssociation } from './support/fixtures.js';
import type { ApiClient } from './support/http-client.js';
import { freePort, mosquittoBin, portOpen, waitFor } from './support/processes.js';
import { connectDevice, type TestServer } from './support/server.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { until } from './support/wait.js';

/**
 * The first moments of a reconnection, isolated. The server's persistent session resumes
 * with two things waiting at once: the uplinks the broker queued for it while it was away,
 * which Mosquitto sends right after the CONNACK, and downlinks mqtt.js kept in its outgoing
 * store, which it sends one round trip at a time before it emits `connect`. Uplinks taken in
 * that window belong to the new connection: each must be stored once and acknowledged on it,
 * so that a further reconnection delivers nothing again (mqtt-client-transport.ts counts a
 * connection from its CONNACK for this).
 *
 * The server reaches Mosquitto through a relay the test can cut (the broker stays up for the
 * speakers) that counts each connection's MQTT frames by type: what the broker delivered,
 * what the server acknowledged, and in which order.
 */
const SPEAKERS = 4;
const PER_SPEAKER = 50;
const UPLINKS = SPEAKERS * PER_SPEAKER;

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;
let broker: { port: number; stop(): Promise<void> } | undefined;
let relay: Relay | undefined;
const speakers: MqttClient[] = [];

describe.skipIf(!mosquittoBin)('a reconnection with uplinks queued at the broker and downlinks in mqtt.js’s store', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    relay = await startRelay(broker.port);
    // No share group: production's default (MQTT_SHARE_GROUP unset), a plain subscription.
    ({ database, server, x } = await startSuite({ server: { mqtt: { url: `mqtt://127.0.0.1:${relay.port}`, shareGroup: '' } } }));
    officer = await loggedInClient(server, x.logins.officer);
  });
  afterAll(async () => {
    for (const speaker of speakers) await speaker.endAsync(true).catch(() => undefined);
    await stopSuite({ server, database });
    await relay?.close();
    await broker?.stop();
  });

  it('stores every uplink once and acknowledges it on the connection it came in on: a further reconnection delivers nothing again', async () => {
    const transport = server.app.mqtt as MqttClientTransport;
    const households = [x.households.A, x.households.B, x.households.C, x.households.D].slice(0, SPEAKERS);
    const registered: { device: { id: string }; speaker: MqttClient }[] = [];
    const prompts = new Map<string, number>();
    for (const [i, household] of households.entries()) {
      const response = await officer.post('/api/devices', { label: `スピーカー ${i + 1}`, householdId: household.id });
      expect(response.status).toBe(201);
      const { device, credentials } = response.body as { device: { id: string }; credentials: { username: string; password: string } };
      // This Mosquitto has no device logins (anonymous, as with an ACL file): the topic names the device.
      const speaker = await connectDevice(`mqtt://127.0.0.1:${broker!.port}`, credentials, { reconnectPeriod: 200 });
      speakers.push(speaker);
      const promptTopic = topics.downlink(x.association.id, device.id, 'prompt');
      await speaker.subscribeAsync(promptTopic, { qos: 1 });
      speaker.on('message', (topic) => topic === promptTopic && prompts.set(device.id, (prompts.get(device.id) ?? 0) + 1));
      registered.push({ device, speaker });
    }
    const deviceIds = registered.map((r) => r.device.id);
    const bootId = `boot-${Date.now()}`;
    const report = (speaker: MqttClient, deviceId: string, seq: number) =>
      speaker.publishAsync(topics.uplink(x.association.id, deviceId, 'activity'), JSON.stringify({ bootId, seq, ts: new Date().toISOString(), type: 'presence', count: 1 }), { qos: 1 });
    const storedCount = async () =>
      (await database.db.selectFrom('device_messages').select(sql<number>`count(*)::int`.as('n')).where('device_id', 'in', deviceIds).executeTakeFirstOrThrow()).n;

    // Cut off: the broker queues the speakers' reports for the server's session.
    relay!.cut();
    await waitFor('the server to notice it is cut off', async () => !transport.healthy(), 10_000, 20);
    await Promise.all(registered.map(async ({ speaker, device }) => {
      for (let seq = 1; seq <= PER_SPEAKER; seq++) await report(speaker, device.id, seq); // resolves on the broker's PUBACK
    }));
    // A drill started meanwhile asks every home on its speaker: those downlinks wait in mqtt.js's outgoing store.
    const drill = await officer.post('/api/drills', { kind: 'drill', title: '防災訓練', deadlineAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(drill.status).toBe(201);
    await waitFor('the speaker prompts to wait in mqtt.js’s outgoing store', async () => Object.keys(transport.client!.outgoing).length === SPEAKERS, 15_000, 20);
    expect(await storedCount()).toBe(0);

    // Back: the queued uplinks follow the CONNACK while mqtt.js still sends its stored prompts.
    relay!.restore();
    const stored = await until(storedCount, (n) => n >= UPLINKS, 15_000);
    const resumed = await until(async () => relay!.connections[1], (c) => !!c && c.toBroker.count(PUBACK) >= UPLINKS, 10_000);
    await until(async () => deviceIds.map((id) => prompts.get(id) ?? 0), (counts) => counts.every((n) => n >= 1), 10_000);

    // A further reconnection: whatever the server took and did not acknowledge comes again,
    // ahead of anything sent after it. One more report per speaker marks the end of that.
    relay!.cut();
    await waitFor('the server to notice it is cut off again', async () => !transport.healthy(), 10_000, 20);
    relay!.restore();
    await waitFor('the server to be subscribed again', async () => transport.subscribed(), 15_000, 20);
    await Promise.all(registered.map(({ speaker, device }) => report(speaker, device.id, PER_SPEAKER + 1)));
    await until(storedCount, (n) => n >= UPLINKS + SPEAKERS, 15_000);
    await until(() => metric(/^tonari_ingest_in_flight (\d+)/m), (n) => n === 0, 5_000);
    const further = relay!.connections[2];

    const presence = await database.db
      .selectFrom('activity_hourly')
      .select(['household_id', sql<number>`sum(presence)::int`.as('total')])
      .where('household_id', 'in', households.map((h) => h.id))
      .groupBy('household_id')
      .execute();
    const totals = Object.fromEntries(presence.map((p) => [p.household_id, p.total]));
    expect({
      'reports stored after the reconnection': stored,
      'reports the broker delivered on the reconnection': resumed?.toServer.count(PUBLISH),
      'reports acknowledged on the reconnection': resumed?.toBroker.count(PUBACK),
      'reports delivered again after the further reconnection': (further?.toServer.count(PUBLISH) ?? 0) - SPEAKERS,
      'duplicates ingest saw': await metric(/^tonari_mqtt_messages_total\{kind="activity",outcome="duplicate"\} (\d+)/m),
      'reports stored in the end': await storedCount(),
      'presence counted per home': households.map((h) => totals[h.id] ?? 0),
      'prompts each speaker heard': deviceIds.map((id) => prompts.get(id) ?? 0),
    }).toEqual({
      'reports stored after the reconnection': UPLINKS,
      'reports the broker delivered on the reconnection': UPLINKS,
      'reports acknowledged on the reconnection': UPLINKS,
      'reports delivered again after the further reconnection': 0,
      'duplicates ingest saw': 0,
      'reports stored in the end': UPLINKS + SPEAKERS,
      'presence counted per home': households.map(() => PER_SPEAKER + 1),
      'prompts each speaker heard': deviceIds.map(() => 1),
    });
    // The window this is about was there: reports arrived before the broker's PUBACK of the
    // last stored prompt, i.e. before mqtt.js emitted `connect`.
    const window = resumed!.toServer.countBeforeLast(PUBLISH, PUBACK);
    expect(window, 'reports delivered between the CONNACK and mqtt.js’s connect').toBeGreaterThan(0);
  }, 90_000);
});

const PUBLISH = 3;
const PUBACK = 4;

const metric = async (pattern: RegExp) => Number((await (await fetch(`${server.baseUrl}/metrics`)).text()).match(pattern)?.[1] ?? 0);

/** Mosquitto of this file's own: anonymous (no device logins), sessions in memory, no queue limit. */
async function startMosquitto() {
  const dir = await mkdtemp(path.join(tmpdir(), 'tonari-mosquitto-'));
  // Run as root, Mosquitto drops to its own user.
  await chmod(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  await writeFile(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_queued_messages 0', 'log_dest none', ''].join('\n'));
  const child: ChildProcess = spawn(mosquittoBin!, ['-c', conf], { stdio: 'ignore' });
  await waitFor('mosquitto to listen', () => portOpen(port), 10_000, 50);
  return {
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The MQTT frames of one direction of a connection, by packet type, in order. */
class FrameLog {
  private readonly types: number[] = [];
  private rest: Buffer | null = null;

  feed = (chunk: Buffer) => {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let at = 0;
    for (;;) {
      // Fixed header: the type in the first byte's high nibble, then a remaining length of 1–4 bytes.
      let length = 0;
      let i = at + 1;
      let complete = false;
      for (let multiplier = 1; i < data.length && i - at <= 4; multiplier *= 128) {
        const byte = data[i++]!;
        length += (byte & 0x7f) * multiplier;
        if (!(byte & 0x80)) {
          complete = true;
          break;
        }
      }
      if (!complete || i + length > data.length) break;
      this.types.push(data[at]! >> 4);
      at = i + length;
    }
    this.rest = at < data.length ? Buffer.from(data.subarray(at)) : null;
  };

  count(type: number) {
    return this.types.filter((t) => t === type).length;
  }

  /** Frames of `type` before the last frame of `before`. */
  countBeforeLast(type: number, before: number) {
    return this.types.slice(0, this.types.lastIndexOf(before)).filter((t) => t === type).length;
  }
}

interface Relay {
  port: number;
  /** Every connection relayed to the broker, in order: its frames to the server and to the broker. */
  connections: { toServer: FrameLog; toBroker: FrameLog }[];
  /** Drops the server's connection and refuses new ones (the server retries each second). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP relay from the server to the broker. */
async function startRelay(brokerPort: number): Promise<Relay> {
  let open = true;
  const sockets = new Set<Socket>();
  const connections: Relay['connections'] = [];
  const listener: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(brokerPort, '127.0.0.1');
    const frames = { toServer: new FrameLog(), toBroker: new FrameLog() };
    connections.push(frames);
    client.on('data', frames.toBroker.feed);
    upstream.on('data', frames.toServer.feed);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', close);
      socket.on('error', close);
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
  const cut = () => {
    open = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    connections,
    cut,
    restore() {
      open = true;
    },
    async close() {
      cut();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}
