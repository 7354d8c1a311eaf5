import { describe, expect, it } from 'vitest';
import { createFrameGuard, type FrameViolation } from './mqtt-frame-guard.js';
import { remainingLength } from '../../../../test/support/mqtt-frames.js';

const packet = (type: number, bodyLength: number) => Buffer.from([type << 4, ...remainingLength(bodyLength), ...new Array<number>(bodyLength).fill(0x61)]);

function feed(chunks: Buffer[], max = 16384) {
  const seen: { reason: FrameViolation; declared?: number }[] = [];
  const guard = createFrameGuard({ maxPacketBytes: max }, (reason, declared) => seen.push({ reason, declared }));
  for (const chunk of chunks) guard(chunk);
  return seen;
}

describe('MQTT frame guard', () => {
  it('lets a normal session through, however the bytes are split', () => {
    const stream = Buffer.concat([packet(1, 60), packet(3, 200), packet(3, 16384), packet(12, 0), packet(3, 0)]);
    expect(feed([stream])).toEqual([]);
    // One byte at a time: headers and lengths split across reads.
    expect(feed([...stream].map((b) => Buffer.from([b])))).toEqual([]);
  });

  it('refuses a packet declared over the limit as soon as its length is read, CONNECT or later', () => {
    expect(feed([Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])])).toEqual([{ reason: 'oversize', declared: 268_435_455 }]);
    expect(feed([packet(1, 10), Buffer.from([0x30, ...remainingLength(16385)])])).toEqual([{ reason: 'oversize', declared: 16385 }]);
    // Split inside the length bytes.
    expect(feed([Buffer.from([0x10, 0xff]), Buffer.from([0xff]), Buffer.from([0x7f])])).toEqual([{ reason: 'oversize', declared: 2_097_151 }]);
  });

  it('refuses anything but CONNECT first, and a length of more than four bytes', () => {
    expect(feed([packet(3, 10)])).toEqual([{ reason: 'not_connect_first', declared: undefined }]);
    expect(feed([Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01])])).toEqual([{ reason: 'malformed_length', declared: undefined }]);
  });

  it('reports once and then ignores the rest', () => {
    expect(feed([Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(1000, 0x30)])).toHaveLength(1);
  });
});
