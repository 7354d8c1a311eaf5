import net from 'node:net';

/**
 * The ingest bench's publisher (a process of its own, started by test/bench/ingest.ts): one
 * MQTT connection per device, as speakers connect, each publishing its share of the stream
 * at QoS 1 — three heartbeats to one presence report, as the old vitest bench did — with a
 * few messages in flight per device. It answers over IPC:
 *   ← { connect: { url, username, password, associationId, deviceIds } }  → { connected }
 *   ← { run: { messages, bootId } }  → { published: { ms } } once the broker acknowledged every one
 *
 * MQTT 3.1.1 written by hand on plain sockets (CONNECT, PUBLISH QoS 1, reading CONNACK and
 * PUBACK), not through mqtt.js: the publisher shares the 2 cores with what it measures, and
 * mqtt.js spent more CPU per message (90–130 µs, `publisher cpu` in the bench line) than
 * tonari and PostgreSQL together, so the bench measured its own instrument. The stream is
 * the same (payloads, topics, QoS, window, order); a device's new publishes are written
 * together when its PUBACKs arrive together.
 */

/** perDeviceLogin: each device logs in as itself (tonari's embedded broker); else all share `username`. */
type Connect = { url: string; username: string; password: string; perDeviceLogin?: boolean; associationId: string; deviceIds: string[] };
const WINDOW = 8; // QoS 1 publishes in flight per device

interface Device {
  id: string;
  socket: net.Socket;
  /** Bytes received and not yet a whole packet. */
  rest: Buffer | null;
  onConnack: ((error?: Error) => void) | null;
  onPuback: ((count: number) => void) | null;
}

let devices: Device[] = [];
let setup: Connect;

function send(message: unknown) {
  process.send!(message);
}

const utf8 = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
};

/** The fixed header's remaining length: the bench's packets are under 16,384 bytes, so one or two bytes. */
function varint(n: number): Buffer {
  if (n >= 16_384) throw new Error(`a ${n}-byte packet: longer than the bench sends`);
  return n < 128 ? Buffer.from([n]) : Buffer.from([(n % 128) | 0x80, n >> 7]);
}

function connectPacket(clientId: string, username: string, password: string): Buffer {
  const body = Buffer.concat([
    utf8('MQTT'),
    Buffer.from([4, 0x80 | 0x40 | 0x02, 0, 0]), // level 4; username, password, clean session; keep-alive off
    utf8(clientId),
    utf8(username),
    utf8(password),
  ]);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

function publishPacket(topic: Buffer, messageId: number, payload: string): Buffer {
  const bytes = Buffer.from(payload, 'utf8');
  const length = topic.length + 2 + bytes.length;
  const header = varint(length);
  const out = Buffer.allocUnsafe(1 + header.length + length);
  out[0] = 0x32; // PUBLISH, QoS 1
  header.copy(out, 1);
  let at = 1 + header.length;
  at += topic.copy(out, at);
  out.writeUInt16BE(messageId, at);
  bytes.copy(out, at + 2);
  return out;
}

/** Reads whole packets off a device's socket: its CONNACK, then PUBACKs (counted per chunk). */
function onData(device: Device, chunk: Buffer) {
  let data = device.rest ? Buffer.concat([device.rest, chunk]) : chunk;
  device.rest = null;
  let acks = 0;
  let at = 0;
  while (at < data.length) {
    // Remaining length: up to 4 bytes from at + 1.
    let length = 0;
    let multiplier = 1;
    let i = at + 1;
    let complete = false;
    for (; i < data.length && i < at + 5; i++) {
      length += (data[i]! & 0x7f) * multiplier;
      multiplier *= 128;
      if (!(data[i]! & 0x80)) {
        complete = true;
        i++;
        break;
      }
    }
    if (!complete || i + length > data.length) break;
    const type = data[at]! >> 4;
    if (type === 4) acks++;
    else if (type === 2) {
      const code = data[i + 1];
      device.onConnack?.(code === 0 ? undefined : new Error(`CONNACK refused (${code}) for ${device.id}`));
      device.onConnack = null;
    }
    at = i + length;
  }
  if (at < data.length) device.rest = data.subarray(at);
  if (acks) device.onPuback?.(acks);
}

function open(url: URL, clientId: string, username: string, password: string): Promise<Device> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 1883), noDelay: true });
    const device: Device = { id: clientId, socket, rest: null, onConnack: null, onPuback: null };
    device.onConnack = (error) => (error ? reject(error) : resolve(device));
    socket.on('data', (chunk) => onData(device, chunk));
    socket.on('error', (error) => (device.onConnack ? reject(error) : send({ error: `${clientId}: ${error.message}` })));
    socket.on('connect', () => socket.write(connectPacket(clientId, username, password)));
  });
}

async function connect(options: Connect) {
  setup = options;
  const url = new URL(options.url);
  for (let i = 0; i < options.deviceIds.length; i += 50) {
    const batch = options.deviceIds.slice(i, i + 50);
    devices.push(...(await Promise.all(batch.map((id) => open(url, id, options.perDeviceLogin ? id : options.username, options.password)))));
  }
}

/** Publishes `perDevice` messages on one connection, WINDOW in flight, in seq order. */
function stream(device: Device, perDevice: number, bootId: string): Promise<void> {
  const heartbeatTopic = utf8(`tonari/${setup.associationId}/${device.id}/up/heartbeat`);
  const activityTopic = utf8(`tonari/${setup.associationId}/${device.id}/up/activity`);
  return new Promise((resolve) => {
    let next = 1;
    let acked = 0;
    const packets = (n: number) => {
      const out: Buffer[] = [];
      for (; n > 0 && next <= perDevice; n--) {
        const seq = next++;
        const ts = new Date().toISOString();
        const heartbeat = seq % 4 !== 0;
        const payload = heartbeat
          ? `{"bootId":"${bootId}","seq":${seq},"ts":"${ts}","uptimeSeconds":${seq},"power":"mains","battery":null,"signal":-55,"firmware":"bench"}`
          : `{"bootId":"${bootId}","seq":${seq},"ts":"${ts}","type":"presence","count":2}`;
        out.push(publishPacket(heartbeat ? heartbeatTopic : activityTopic, ((seq - 1) % 65535) + 1, payload));
      }
      if (out.length) device.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    };
    device.onPuback = (count) => {
      acked += count;
      if (acked >= perDevice) {
        device.onPuback = null;
        return resolve();
      }
      packets(count);
    };
    packets(WINDOW);
  });
}

process.on('message', (message: { connect?: Connect; run?: { messages: number; bootId: string } }) => {
  if (message.connect) {
    connect(message.connect).then(
      () => send({ connected: devices.length }),
      (error: Error) => send({ error: error.message }),
    );
  }
  if (message.run) {
    const { messages, bootId } = message.run;
    const perDevice = Math.ceil(messages / devices.length);
    const started = performance.now();
    Promise.all(devices.map((device) => stream(device, perDevice, bootId))).then(
      () => send({ published: { ms: performance.now() - started, messages: perDevice * devices.length } }),
      (error: Error) => send({ error: error.message }),
    );
  }
});
process.on('disconnect', () => {
  for (const device of devices) device.socket.destroy();
  devices = [];
  process.exit(0);
});
