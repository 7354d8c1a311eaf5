import { Duplex } from 'node:stream';
import { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { interceptPipe, type FastPublish } from './mqtt-publish-fast-path.js';
import { remainingLength } from '../../../../test/support/mqtt-frames.js';

const utf8 = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};
/** An MQTT 5 PUBLISH; `properties` is the encoded property block (length first). */
function publish(o: { topic: string; payload: string; qos?: 0 | 1 | 2; id?: number; properties?: number[]; flags?: number }): Buffer {
  const qos = o.qos ?? 1;
  const id = o.id ?? 1;
  const body = Buffer.concat([utf8(o.topic), qos ? Buffer.from([id >> 8, id & 0xff]) : Buffer.alloc(0), Buffer.from(o.properties ?? [0]), Buffer.from(o.payload)]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1) | (o.flags ?? 0), ...remainingLength(body.length)]), body]);
}
const CONNACK = Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]);
const PINGRESP = Buffer.from([0xd0, 0x00]);
const uplink = (n: number) => `tonari/a/d${n % 3}/up/heartbeat`;

/**
 * One connection of a real mqtt.js client fed `chunks` after its CONNACK; with `fast`, through
 * the fast path (as the transport installs it). Returns what was handled, in order: each
 * packet mqtt.js handled (its `packetreceive`), each publish taken by the fast path, each error.
 */
async function session(chunks: Buffer[], fast: boolean): Promise<{ events: string[]; taken: number }> {
  const events: string[] = [];
  let taken = 0;
  const describePublish = (qos: number, topic: string, id: number | undefined, payload: Buffer | string) => `publish q${qos} ${topic} #${id ?? '-'} ${payload.toString()}`;
  // Uplinks only, as the transport: anything else is left to mqtt.js.
  const take = (p: FastPublish) => {
    if (!p.topic.startsWith('tonari/')) return false;
    taken++;
    events.push(describePublish(1, p.topic, p.messageId, p.payload));
    return true;
  };
  let stream!: Duplex;
  const client = new MqttClient(
    (c) => {
      stream = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
      if (fast) interceptPipe(stream, c, take);
      return stream;
    },
    { protocolVersion: 5, clientId: 'spec', keepalive: 0, reconnectPeriod: 0, log: () => undefined },
  );
  client.on('packetreceive', (p) => events.push(p.cmd === 'publish' ? describePublish(p.qos, p.topic, p.messageId, p.payload) : p.cmd));
  client.on('error', (error) => events.push(`error ${error.message}`));
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  await tick();
  stream.push(CONNACK);
  await tick();
  for (const chunk of chunks) {
    stream.push(chunk);
    await tick();
  }
  for (let i = 0; i < 5; i++) await tick();
  client.end(true);
  return { events, taken };
}

/** The same bytes through mqtt.js alone and through the fast path: the same packets, in the same order. */
async function sameAsMqttJs(bytes: Buffer, split: (bytes: Buffer) => Buffer[]) {
  const plain = await session(split(bytes), false);
  const fast = await session(split(bytes), true);
  expect(fast.events).toEqual(plain.events);
  return fast;
}

const whole = (bytes: Buffer) => [bytes];
const everyByte = (bytes: Buffer) => [...bytes].map((b) => Buffer.from([b]));
const at = (i: number) => (bytes: Buffer) => [bytes.subarray(0, i), bytes.subarray(i)];

// A stream mixing the fast path's packet with everything it must leave to mqtt.js.
const mixed = Buffer.concat([
  publish({ topic: uplink(1), payload: '{"seq":1}', id: 1 }),
  publish({ topic: uplink(2), payload: '{"seq":2}', id: 2, flags: 0x08 }), // DUP: taken
  publish({ topic: uplink(3), payload: 'qos 0', qos: 0 }),
  publish({ topic: uplink(4), payload: '{"seq":4}', id: 3, properties: [2, 0x01, 0x01] }), // payload format indicator
  PINGRESP,
  publish({ topic: uplink(5), payload: '{"seq":5}', id: 4 }),
  publish({ topic: '$CONTROL/dynamic-security/v1/response', payload: '{"responses":[]}', id: 5 }), // declined by take
  publish({ topic: uplink(6), payload: '{"seq":6}', id: 6 }),
  publish({ topic: uplink(7), payload: 'qos 2', qos: 2, id: 7 }),
  publish({ topic: uplink(8), payload: 'retained', id: 8, flags: 0x01 }),
  publish({ topic: uplink(9), payload: '', id: 9 }), // empty payload: taken
  publish({ topic: uplink(10), payload: 'x'.repeat(300), id: 10 }), // two-byte remaining length
  publish({ topic: uplink(11), payload: '{"seq":11}', id: 11 }),
]);

describe('MQTT fast path for QoS 1 PUBLISH', () => {
  it('takes plain QoS 1 uplinks and leaves every other packet to mqtt.js, in order', async () => {
    const { events, taken } = await sameAsMqttJs(mixed, whole);
    // The first two; after the PUBLISH with properties and the PINGRESP (handed to mqtt.js
    // together, the second on its next tick) the rest of the chunk queues behind them.
    expect(taken).toBe(2);
    expect(events.filter((e) => e.startsWith('publish'))).toHaveLength(12);
    expect(events).toContain('pingresp');
  });

  it('gives the same packets in the same order however the bytes are split', async () => {
    // One byte at a time, every plain uplink is taken (mqtt.js is done with the others by then).
    expect((await sameAsMqttJs(mixed, everyByte)).taken).toBe(7);
    for (let i = 1; i < mixed.length; i += 7) await sameAsMqttJs(mixed, at(i));
  });

  it('takes no frame queued behind packets mqtt.js still holds', async () => {
    // Three packets in one chunk before a plain uplink: mqtt.js handles them one per tick.
    const bytes = Buffer.concat([PINGRESP, PINGRESP, publish({ topic: uplink(1), payload: 'q0', qos: 0 }), publish({ topic: uplink(2), payload: 'behind', id: 1 })]);
    const { events, taken } = await sameAsMqttJs(bytes, whole);
    expect(taken).toBe(0);
    expect(events.at(-1)).toBe(`publish q1 ${uplink(2)} #1 behind`);
  });

  // What mqtt.js makes of the bytes after a frame it refuses is its own (it reports an error and
  // parses the next write afresh); the fast path takes nothing from there on.
  it('leaves a huge remaining length, and all after it, to mqtt.js', async () => {
    const huge = Buffer.from([0x32, ...remainingLength(200 * 1024 * 1024)]);
    // After the huge header come bytes that look like a plain uplink: they are that frame's body, not a packet.
    const bytes = Buffer.concat([publish({ topic: uplink(1), payload: 'before', id: 1 }), huge, publish({ topic: uplink(2), payload: 'inside', id: 2 })]);
    const { events, taken } = await sameAsMqttJs(bytes, whole);
    expect(taken).toBe(1);
    expect(events).toEqual(['connack', `publish q1 ${uplink(1)} #1 before`]);
    await sameAsMqttJs(bytes, everyByte);
  });

  it('leaves a malformed remaining length (a fifth length byte) to mqtt.js, which refuses it', async () => {
    const bytes = Buffer.concat([publish({ topic: uplink(1), payload: 'before', id: 1 }), Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x01]), publish({ topic: uplink(2), payload: 'after', id: 2 })]);
    for (const split of [whole, everyByte]) {
      // mqtt.js alone reports the error before it handles the publish before it (it parses a whole chunk first).
      const { events, taken } = await session(split(bytes), true);
      expect(taken).toBe(1);
      expect(events).toEqual(['connack', `publish q1 ${uplink(1)} #1 before`, 'error Invalid variable byte integer']);
    }
  });

  it('takes nothing after a frame mqtt.js refused', async () => {
    const refused = Buffer.from([0x32, 0x04, 0x00, 0x09, 0x61, 0x62]); // a 9-byte topic in a 4-byte body
    const bytes = Buffer.concat([refused, publish({ topic: uplink(2), payload: 'after', id: 2 }), publish({ topic: uplink(3), payload: 'later', id: 3 })]);
    for (const split of [whole, everyByte]) {
      const { events, taken } = await session(split(bytes), true);
      expect(taken).toBe(0);
      expect(events.slice(0, 2)).toEqual(['connack', 'error Cannot parse topic']);
    }
  });

  it('leaves to mqtt.js a QoS 1 PUBLISH with packet id 0 or an empty topic', async () => {
    for (const odd of [publish({ topic: uplink(1), payload: 'zero id', id: 0 }), publish({ topic: '', payload: 'no topic', id: 1 })]) {
      const bytes = Buffer.concat([odd, publish({ topic: uplink(2), payload: 'after', id: 2 })]);
      // The odd one is mqtt.js's; the plain one after it, once mqtt.js is done, the fast path's.
      expect((await sameAsMqttJs(bytes, whole)).taken).toBe(1);
      expect((await sameAsMqttJs(bytes, everyByte)).taken).toBe(1);
    }
  });
});
