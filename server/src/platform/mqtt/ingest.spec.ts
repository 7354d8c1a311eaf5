import { describe, expect, it } from 'vitest';
import { createIngest, isTransient } from './ingest.js';
import { createMetrics } from '../metrics.js';
import { createLogger } from '../logger.js';
import type { Db } from '../db/database.js';
import { deviceUplinks } from '../../devices/device.uplinks.js';
import { dispatchUplinks } from './uplink-dispatch.js';

/**
 * The batching around ingest, without a database: messages of an unknown kind are refused
 * before anything is stored, so every one must come back "rejected" — and come back at all,
 * however the batches and their timers fall.
 */
function ingest(maxBatch: number) {
  const log = createLogger('silent');
  const metrics = createMetrics();
  const uplinks = deviceUplinks({ log, metrics, realtime: undefined as never, handlers: dispatchUplinks([]) });
  return createIngest({ db: undefined as unknown as Db, log, metrics }, uplinks, { maxBatch, maxWaitMs: 5 });
}
const uplink = (i: number) => ({ deviceId: `d${i}`, associationId: 'a', kind: 'nonsense', payload: Buffer.from('{}') });
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('device ingest batching', () => {
  it('answers every message, also after a full batch started early and its timer fired on an empty queue', async () => {
    const { push } = ingest(3);
    const first = await Promise.all([1, 2, 3, 4].map((i) => push(uplink(i))));
    expect(first).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    await settle(20); // the timer set by the 4th message fires after its batch was taken
    const later = await Promise.race([Promise.all([5, 6].map((i) => push(uplink(i)))), settle(1000).then(() => 'stuck')]);
    expect(later).toEqual(['rejected', 'rejected']);
  });

  it('flush stores what is waiting and returns', async () => {
    const { push, flush } = ingest(100);
    const pending = [1, 2, 3].map((i) => push(uplink(i)));
    await Promise.race([flush(), settle(1000).then(() => { throw new Error('flush did not return'); })]);
    expect(await Promise.all(pending)).toEqual(['rejected', 'rejected', 'rejected']);
    await flush(); // nothing waiting: returns at once
  });
});

describe('storage failures', () => {
  it('holds and retries when the database is away or busy, drops only what the database refuses as data', () => {
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('relation "device_messages" does not exist'), { code: '42P01' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }))).toBe(false);
    expect(isTransient(Object.assign(new Error('violates check constraint'), { code: '23514' }))).toBe(false);
    expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });
});
