import type { Readable, Writable } from 'node:stream';

/** A QoS 1 PUBLISH read straight off the connection's bytes. */
export interface FastPublish {
  topic: string;
  messageId: number;
  /** A view of the received bytes (not a copy). */
  payload: Buffer;
}

/**
 * Offered each complete, plain QoS 1 PUBLISH frame: true if it took the message, false to
 * leave the frame to mqtt.js (e.g. a topic that is no uplink).
 */
export type TakePublish = (publish: FastPublish) => boolean;

/** mqtt.js's client as this needs it: whether the CONNACK was handled, and one event per packet it handles. */
export interface PacketHandler {
  readonly connected: boolean;
  on(event: 'packetreceive' | 'error', listener: () => void): unknown;
  off(event: 'packetreceive' | 'error', listener: () => void): unknown;
}

/**
 * Frames longer than this are not held here: from such a frame on, the connection's bytes go
 * to mqtt.js as they come (Mosquitto's max_packet_size is 16 KiB; a device message is under
 * 2 KiB).
 */
const LONGEST_FRAME = 1 << 20;

/**
 * The inbound side of one MQTT 5 connection with a fast path for the common packet. mqtt.js
 * (mqtt-packet) copies each packet through a buffer list, builds a packet object, emits several
 * events, logs through rest-argument calls, builds a PUBACK object and defers to the next tick
 * per packet: about a seventh of tonari's CPU at ingest rates. Here, instead of `stream.pipe`
 * into mqtt.js's parser, the bytes are cut into whole frames; a complete QoS 1 PUBLISH with no
 * properties (so no topic alias) and a non-zero packet id is offered to `take` as it stands,
 * and every other frame — CONNACK, SUBACK, PINGRESP, QoS 0 or 2, properties present, anything
 * `take` declines — goes to mqtt.js untouched, as whole frames, in order.
 *
 * In order: a frame is taken here only while mqtt.js has handled every frame handed to it
 * (counted by its `packetreceive`, emitted as it starts handling a packet, before the handler
 * runs synchronously), and only after its CONNACK. Otherwise it goes to mqtt.js too, behind the
 * others. mqtt-packet's parser so never holds part of a frame while one is taken here.
 *
 * Unsure means mqtt.js: a remaining length of more than four bytes or above LONGEST_FRAME
 * hands everything from that frame on, for the rest of the connection, to mqtt.js as it
 * arrives (it errors or copes exactly as it would have); so does any error mqtt.js reports
 * (a frame mqtt-packet refused: what it makes of the bytes after that is its own). Nothing mqtt.js does on an incoming
 * QoS 1 PUBLISH is lost by skipping it: it does not reschedule its keep-alive ping for a
 * PUBLISH (only for acknowledgements), nothing in tonari listens to `packetreceive` or
 * `message` for uplinks, and the PUBACK is the transport's own (held until commit).
 *
 * Used in place of `stream.pipe(parser)` (see interceptPipe).
 */
export function splitOffPublishes(stream: Readable, parser: Writable, client: PacketHandler, take: TakePublish): void {
  /** Frames handed to mqtt.js that it has not started handling. */
  let pending = 0;
  /** Set once a frame could not be cut safely: mqtt.js gets the bytes as they come. */
  let passthrough = false;
  /** The start of a frame not yet complete. */
  let rest: Buffer | null = null;

  const handled = () => {
    if (pending > 0) pending--;
  };
  // After an error (e.g. mqtt-packet refused a frame) this connection is out of step for
  // mqtt.js: it gets the rest as it comes, as it would have without the fast path.
  const failed = () => {
    passthrough = true;
  };
  client.on('packetreceive', handled);
  client.on('error', failed);
  stream.once('close', () => {
    client.off('packetreceive', handled);
    client.off('error', failed);
  });

  const hand = (bytes: Buffer, frames: number) => {
    pending += frames;
    if (!parser.write(bytes)) {
      stream.pause();
      parser.once('drain', () => stream.resume());
    }
  };

  stream.on('data', (chunk: Buffer) => {
    if (passthrough) {
      // An error reported between chunks (mqtt.js handles a write's later packets on later
      // ticks): the start of a frame held here goes first.
      if (rest) hand(rest, 0);
      rest = null;
      return hand(chunk, 0);
    }
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    rest = null;
    let at = 0;
    // A run of frames for mqtt.js, handed as one write: [runFrom, at), runFrames of them.
    let runFrom = 0;
    let runFrames = 0;
    while (at < data.length) {
      // Fixed header: one byte, then the remaining length in 1–4 bytes of 7 bits each.
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let complete = false;
      for (let n = 0; n < 4 && i < data.length; n++) {
        const byte = data[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if (!(byte & 0x80)) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        // Four length bytes that all go on: malformed, mqtt.js decides from here on. Else the
        // header itself is cut: wait for more.
        if (i - at > 4) passthrough = true;
        break;
      }
      if (length > LONGEST_FRAME) {
        passthrough = true;
        break;
      }
      const end = i + length;
      if (end > data.length) break;
      // A candidate is taken here only once mqtt.js has handled all it was handed: the run
      // before it is handed first (then, if mqtt.js defers part of it to a later tick, this
      // frame and the rest of the chunk join the next run instead).
      if ((data[at]! & 0xf7) === 0x32 && client.connected && (runFrames === 0 || pending === 0)) {
        if (runFrames) {
          hand(data.subarray(runFrom, at), runFrames);
          runFrames = 0;
          if (passthrough) break;
        }
        if (pending === 0 && takeFrame(data, at, i, end, take)) {
          at = end;
          continue;
        }
      }
      if (!runFrames) runFrom = at;
      runFrames++;
      at = end;
    }
    if (runFrames) hand(data.subarray(runFrom, at), runFrames);
    if (passthrough) {
      if (at < data.length) hand(data.subarray(at), 0);
    } else if (at < data.length) {
      // Copied: a view would keep the whole chunk for the sake of a few bytes.
      rest = Buffer.from(data.subarray(at));
    }
  });
  stream.once('end', () => {
    // As pipe() would; a cut frame left here is dropped with the connection, as mqtt.js drops its own.
    parser.end();
  });
}

/**
 * Whether the frame [at, end) (its variable header from `body`) is a plain QoS 1 PUBLISH of
 * MQTT 5 that `take` took: first byte 0x32 (DUP 0x3a; not RETAIN), a topic of at least one
 * byte, a non-zero packet id, a property length of 0.
 */
function takeFrame(data: Buffer, at: number, body: number, end: number, take: TakePublish): boolean {
  if ((data[at]! & 0xf7) !== 0x32) return false;
  if (end - body < 5) return false;
  const topicLength = (data[body]! << 8) | data[body + 1]!;
  if (topicLength === 0) return false;
  const id = body + 2 + topicLength;
  if (id + 3 > end) return false;
  const messageId = (data[id]! << 8) | data[id + 1]!;
  if (messageId === 0 || data[id + 2] !== 0) return false;
  return take({ topic: data.toString('utf8', body + 2, id), messageId, payload: data.subarray(id + 3, end) });
}

/**
 * Makes `stream.pipe(parser)` — how mqtt.js connects a new connection to its parser — cut
 * frames through splitOffPublishes instead. Only that one call on that one stream.
 */
export function interceptPipe(stream: Readable, client: PacketHandler, take: TakePublish): void {
  const pipe = stream.pipe;
  stream.pipe = function <T extends NodeJS.WritableStream>(this: Readable, destination: T): T {
    stream.pipe = pipe;
    splitOffPublishes(stream, destination as unknown as Writable, client, take);
    return destination;
  };
}
