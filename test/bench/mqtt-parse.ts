import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Duplex } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MqttClient, type Packet } from 'mqtt';
import { topics } from '../../devices/src/protocol.js';
import { interceptPipe } from '../../server/src/platform/mqtt/mqtt-publish-fast-path.js';
import { remainingLength } from '../support/mqtt-frames.js';
import { alternate, median, ratio, spread, type Bench } from './harness.js';

/**
 * The transport's fast path (platform/mqtt/mqtt-publish-fast-path.ts) against mqtt.js on the
 * same bytes, in this one process: a real MqttClient, its CONNACK, then the same QoS 1
 * heartbeat PUBLISH frames (MQTT 5, as Mosquitto sends them to tonari) handed over in
 * socket-sized chunks, one per event-loop turn, until every message has been handed on:
 *   A  through the fast path, installed as mqtt-client-transport.ts installs it;
 *   B  through mqtt.js alone, as the transport took them before: handleMessage calls back at
 *      once and the PUBACK mqtt.js then sends is held (dropped here), not written.
 * Both consumers do the same (count, read the topic and the payload's length); what differs is
 * what it costs to get there. Measured as the process's CPU time per message, alternating A B.
 */
export const mqttParseBench: Bench = {
  name: 'mqtt-parse',
  describe: 'uplink PUBLISH frames read by the MQTT transport’s fast path vs through mqtt.js, CPU per message, in one process',
  flags: { frames: 'heartbeat frames per run (200000)', chunk: 'bytes handed over per event-loop turn, as a socket read (65536)' },
  async run(ctx) {
    const count = ctx.number('frames', 200_000);
    const chunks = heartbeatChunks(count, ctx.number('chunk', 65_536));
    ctx.log(`${count} frames, ${chunks.length} chunks (${Math.round(chunks.reduce((n, c) => n + c.length, 0) / count)} bytes a frame)`);
    // Once each first: the first run of either pays for compiling its code.
    await readAll(chunks, count, true);
    await readAll(chunks, count, false);
    const loadStart = loadavg()[0]!;
    const wall: Record<'fast' | 'mqttjs', number[]> = { fast: [], mqttjs: [] };
    const { a: fast, b: mqttjs } = await alternate(
      ctx.pairs,
      async (i) => {
        const run = await readAll(chunks, count, true);
        wall.fast.push(run.wallMs);
        ctx.log(`pair ${i + 1}: fast path ${run.cpuUs.toFixed(2)} µs/msg (${Math.round(run.wallMs)} ms)`);
        return run.cpuUs;
      },
      async (i) => {
        const run = await readAll(chunks, count, false);
        wall.mqttjs.push(run.wallMs);
        ctx.log(`pair ${i + 1}: mqtt.js ${run.cpuUs.toFixed(2)} µs/msg (${Math.round(run.wallMs)} ms)`);
        return run.cpuUs;
      },
    );
    ctx.log(`fast path ${spread(fast, 2)} µs/msg, wall ${spread(wall.fast)} ms; mqtt.js ${spread(mqttjs, 2)} µs/msg, wall ${spread(wall.mqttjs)} ms`);
    // CPU time, not wall time, is the measure: other load stretches the wall time far more.
    ctx.log(`load average ${loadStart.toFixed(2)} before the pairs, ${loadavg()[0]!.toFixed(2)} after`);
    const [a, b] = [median(fast), median(mqttjs)];
    ctx.report(`bench mqtt-parse: fast path ${a.toFixed(2)} us/msg, mqtt.js ${b.toFixed(2)} us/msg, ratio ${ratio(a, b)}`, {
      'mqtt-parse fast path CPU µs/msg': fast,
      'mqtt-parse mqtt.js CPU µs/msg': mqttjs,
    });
  },
};

/**
 * A full collection before each run, so that a run pays for its own garbage and not for the
 * previous one's (mqtt.js makes far more). `gc` is not exposed to the bench's plain `node`:
 * the flag is set at run time and the function taken from a fresh context.
 */
const collect: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

const CONNACK = Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]);

/** `count` QoS 1 heartbeats from 500 speakers as Mosquitto sends them (MQTT 5, no properties), cut into `chunkBytes` pieces. */
function heartbeatChunks(count: number, chunkBytes: number): Buffer[] {
  const associationId = randomUUID();
  const deviceTopics = Array.from({ length: 500 }, () => Buffer.from(topics.uplink(associationId, randomUUID(), 'heartbeat'), 'utf8'));
  const ts = new Date().toISOString();
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const topic = deviceTopics[i % deviceTopics.length]!;
    const seq = Math.floor(i / deviceTopics.length) + 1;
    const payload = Buffer.from(JSON.stringify({ bootId: 'boot-bench', seq, ts, uptimeSeconds: seq * 60, power: 'mains', battery: null, signal: -60, firmware: '1.0.0' }));
    const messageId = (i % 65_535) + 1;
    const body = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 0xff]), topic, Buffer.from([messageId >> 8, messageId & 0xff, 0]), payload]);
    frames.push(Buffer.from([0x32, ...remainingLength(body.length)]), body);
  }
  const bytes = Buffer.concat(frames);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return chunks;
}

type PacketSender = (packet: Packet, cb?: (error?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;

/** One connection of a real mqtt.js client reading `chunks` after its CONNACK; its CPU time per message. */
async function readAll(chunks: Buffer[], count: number, fast: boolean): Promise<{ cpuUs: number; wallMs: number }> {
  let handed = 0;
  let bytes = 0;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  // Awaited below; an error before then must not surface as an unhandled rejection meanwhile.
  done.catch(() => undefined);
  const consume = (topic: string, payload: Buffer) => {
    bytes += topic.length + payload.length;
    if (++handed === count) finish();
  };
  let stream!: Duplex;
  const client = new MqttClient(
    (c) => {
      stream = new Duplex({ read() {}, write: (_chunk, _encoding, callback) => callback() });
      if (fast) interceptPipe(stream, c, ({ topic, payload }) => (consume(topic, payload), true));
      return stream;
    },
    { protocolVersion: 5, clientId: 'bench', keepalive: 0, reconnectPeriod: 0, log: () => undefined },
  );
  client.on('error', fail);
  client.handleMessage = (packet, callback) => {
    consume(packet.topic, packet.payload as Buffer);
    callback();
  };
  const internals = client as unknown as { _sendPacket: PacketSender };
  const send = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
    if (packet.cmd === 'puback') return cb?.();
    send(packet, cb, cbStorePut, noStore);
  };
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  await turn();
  stream.push(CONNACK);
  await turn();
  if (!client.connected) {
    client.end(true);
    throw new Error('the client did not take its CONNACK');
  }

  collect();
  const timeout = setTimeout(() => fail(new Error(`${handed} of ${count} messages handed on after 120 s`)), 120_000);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const chunk of chunks) {
    stream.push(chunk);
    await turn();
  }
  try {
    await done;
  } finally {
    clearTimeout(timeout);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  client.end(true);
  stream.destroy();
  if (bytes === 0) throw new Error('nothing was read');
  return { cpuUs: (used.user + used.system) / count, wallMs };
}
