import { describe, expect, it } from 'vitest';
import { uplinkSchemas } from '../../../devices/src/protocol.js';
import { commonShape } from './uplink-shapes.js';

/**
 * The fast check must never take what the schema refuses, and what it takes must be what the
 * schema returns. Each field of the common uplinks is tried on its edges, with wrong types,
 * missing and extra keys; every variant goes through both.
 */
const ts = '2026-12-01T09:00:00.123+09:00';
const heartbeat = { bootId: 'b1', seq: 1, ts, uptimeSeconds: 0, power: 'mains', battery: null, signal: -55, firmware: '1.0.0' };
const presence = { bootId: 'b1', seq: 2, ts, type: 'presence', count: 3 };
const button = { bootId: 'b1', seq: 3, ts, type: 'button', button: 'help' };
const voice = { bootId: 'b1', seq: 4, ts, type: 'voice' };

const odd: unknown[] = [undefined, null, true, '', '1', 0, -0, 1, -1, 0.5, 1e999, -1e999, [], {}, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2];
const edges: Record<string, unknown[]> = {
  bootId: ['x', 'x'.repeat(64), 'x'.repeat(65), '𠮷'.repeat(32), '𠮷'.repeat(33)],
  seq: [1, 2, 0, 1.5],
  ts: [ts, '2026-12-01T00:00:00Z', '2026-12-01T00:00Z', '2026-12-01T00:00:00', '2026-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '2026-12-01T24:00:00Z', '2026-12-01T00:00:00+24:00', '2026-12-01 00:00:00Z', '0000-01-01T00:00:00Z', ' 2026-12-01T00:00:00Z'],
  uptimeSeconds: [0, 1, 1.5, 1e15],
  power: ['mains', 'battery', 'Mains', 'solar'],
  battery: [0, 100, 100.5, 50.25, -0.1],
  signal: [0, -150, -150.5, 0.1, -60.5],
  firmware: ['1', 'f'.repeat(40), 'f'.repeat(41)],
  count: [1, 10_000, 10_001, 2.5],
  button: ['safe', 'help', 'play', 'HELP', 'stop'],
  type: ['presence', 'button', 'voice', 'other'],
};

function variants(base: Record<string, unknown>): unknown[] {
  const out: unknown[] = [base, null, [], 'text', 42, [base]];
  for (const key of Object.keys(base)) {
    for (const value of [...odd, ...(edges[key] ?? [])]) out.push({ ...base, [key]: value });
    const { [key]: _, ...missing } = base;
    out.push(missing);
  }
  out.push({ ...base, extra: 1 }, JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(base).slice(1)}`), JSON.parse(`${JSON.stringify(base).slice(0, -1)}, "__proto__": null}`));
  // Key order does not matter to either.
  out.push(Object.fromEntries(Object.entries(base).reverse()));
  return out;
}

describe('commonShape against the schema', () => {
  const cases: [kind: 'heartbeat' | 'activity', base: Record<string, unknown>][] = [
    ['heartbeat', heartbeat],
    ['activity', presence],
    ['activity', button],
    ['activity', voice],
    ['heartbeat', presence],
    ['activity', heartbeat],
  ];
  it.each(cases)('%s: never takes what zod refuses, and takes it as zod returns it', (kind, base) => {
    let taken = 0;
    for (const payload of variants(base)) {
      const json = JSON.parse(JSON.stringify(payload) ?? 'null'); // as it arrives: through JSON
      const fast = commonShape(kind, json);
      const parsed = uplinkSchemas[kind].safeParse(json);
      if (fast) {
        taken++;
        expect(parsed.success, JSON.stringify(json)).toBe(true);
        expect(fast).toEqual(parsed.data);
      }
    }
    // And it is a fast path: the valid ones are taken without the schema.
    if (kind === 'heartbeat' ? base === heartbeat : base !== heartbeat) expect(taken).toBeGreaterThan(10);
  });

  it('leaves the other kinds to the schema', () => {
    expect(commonShape('answer', { bootId: 'b1', seq: 1, ts, promptId: 'p', button: 'safe' })).toBeUndefined();
    expect(commonShape('status', { online: true })).toBeUndefined();
  });
});
