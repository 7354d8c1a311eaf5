import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { createIngest } from '../server/src/platform/mqtt/ingest.js';
import { dispatchUplinks } from '../server/src/platform/mqtt/uplink-dispatch.js';
import { deviceUplinks } from '../server/src/devices/device.uplinks.js';
import { createLogger } from '../server/src/platform/logger.js';
import { createMetrics } from '../server/src/platform/metrics.js';
import type { Realtime } from '../server/src/platform/realtime/realtime.js';
import { pubackBytes } from '../server/src/platform/mqtt/mqtt-client-transport.js';
import type { UplinkDispatch } from '../server/src/platform/mqtt/uplink-dispatch.js';
import { saveAnswer } from '../server/src/drills/target.repository.js';
import { createDrill } from './support/factories/drills.js';
import { sql } from 'kysely';
import pg from 'pg';
import { until } from './support/wait.js';
import { liveDevices } from '../server/src/devices/device.repository.js';
import { settingsOf } from '../server/src/watch/watch.repository.js';

/**
 * Ingest's batches against a real PostgreSQL, without a broker: the set-based INSERT (one
 * array per column) stores a message once however often it repeats within its batch or
 * across batches, and a device's messages are applied in the order they arrived while
 * several lanes commit at once.
 */
let database: TestDatabase;
let x: SeededAssociation;
const devices: { id: string; householdId: string }[] = [];
const statusEvents: { associationId: string; devices: { deviceId: string; online: boolean }[] }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  x = await seedAssociation(database.db, 'batch');
  for (const [i, home] of [x.households.A, x.households.B, x.households.C].entries()) {
    const row = await database.db
      .insertInto('devices')
      .values({ association_id: x.association.id, household_id: home.id, label: `batch ${i}`, secret_hash: '$7$1$x$y', credentials_issued_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    devices.push({ id: row.id, householdId: home.id });
  }
});
afterAll(() => database?.drop());

function ingest(options: { maxBatch: number; lanes: number }, handlers: UplinkDispatch = dispatchUplinks([])) {
  const log = createLogger('silent');
  const metrics = createMetrics();
  const realtime = { deviceStatus: (associationId: string, list: { deviceId: string; online: boolean }[]) => void statusEvents.push({ associationId, devices: list }) } as unknown as Realtime;
  return Object.assign(createIngest({ db: database.db, log, metrics }, deviceUplinks({ log, metrics, realtime, handlers }), { ...options, maxWaitMs: 2 }), { metrics });
}
/** When each boot began (first used): a boot named later began later, as a device's do. */
const bootsBegan = new Map<string, number>();
const heartbeat = (deviceId: string, seq: number, bootId: string) => {
  const now = Date.now();
  if (!bootsBegan.has(bootId)) bootsBegan.set(bootId, now);
  const uptimeSeconds = Math.floor((now - bootsBegan.get(bootId)!) / 1000);
  return {
    deviceId,
    associationId: x.association.id,
    kind: 'heartbeat',
    payload: Buffer.from(JSON.stringify({ bootId, seq, ts: new Date(now).toISOString(), uptimeSeconds, power: 'mains', battery: null, signal: -60, firmware: 'batch' })),
  };
};
/** A presence report: a logged event (a device_messages row, its once-only marker). */
const presence = (deviceId: string, seq: number, bootId: string) => ({
  deviceId,
  associationId: x.association.id,
  kind: 'activity',
  payload: Buffer.from(JSON.stringify({ bootId, seq, ts: new Date().toISOString(), type: 'presence', count: 1 })),
});
const lastHeartbeat = async (deviceId: string) =>
  (await database.db.selectFrom('devices').select(['last_heartbeat', 'last_seen_at']).where('id', '=', deviceId).executeTakeFirstOrThrow());
const storedSeqs = (deviceId: string, bootId: string) =>
  database.db.selectFrom('device_messages').select('seq').where('device_id', '=', deviceId).where('boot_id', '=', bootId).orderBy('seq').execute();

describe('ingest batches', () => {
  it('stores a message repeated within one batch once: the first copy is accepted, the repeats are duplicates', async () => {
    const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
    const [device] = devices;
    const bootId = 'dup-boot';
    const outcomes = Promise.all([1, 2, 1, 3, 2, 1].map((seq) => push(presence(device!.id, seq, bootId))));
    await flush();
    expect(await outcomes).toEqual(['accepted', 'accepted', 'duplicate', 'accepted', 'duplicate', 'duplicate']);
    expect((await storedSeqs(device!.id, bootId)).map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    // And again in a later batch (redelivered after a lost PUBACK): all duplicates, nothing new.
    const again = await Promise.all([3, 1].map((seq) => push(presence(device!.id, seq, bootId))));
    expect(again).toEqual(['duplicate', 'duplicate']);
    expect(await storedSeqs(device!.id, bootId)).toHaveLength(3);
  });

  it('applies a heartbeat once, without a row: a repeat or an older one of its boot is a duplicate that changes nothing, not even "heard from"', async () => {
    const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
    const [, , device] = devices;
    const bootId = 'beat-boot';
    const outcomes = Promise.all([1, 2, 1, 3, 2, 1].map((seq) => push(heartbeat(device!.id, seq, bootId))));
    await flush();
    expect(await outcomes).toEqual(['accepted', 'accepted', 'duplicate', 'accepted', 'duplicate', 'duplicate']);
    const applied = await lastHeartbeat(device!.id);
    expect(applied.last_heartbeat).toMatchObject({ bootId, seq: 3 });
    expect(await storedSeqs(device!.id, bootId)).toEqual([]);
    // Redelivered in a later batch, past the second that "last seen" is kept to: nothing moves.
    await new Promise((r) => setTimeout(r, 1100));
    const again = await Promise.all([3, 1].map((seq) => push(heartbeat(device!.id, seq, bootId))));
    expect(again).toEqual(['duplicate', 'duplicate']);
    expect(await lastHeartbeat(device!.id)).toEqual(applied);
    // A redelivered heartbeat beside a new report: the report's device is heard from, the heartbeat still a duplicate.
    const mixed = await Promise.all([push(heartbeat(device!.id, 2, bootId)), push(presence(device!.id, 4, bootId))]);
    expect(mixed).toEqual(['duplicate', 'accepted']);
    const after = await lastHeartbeat(device!.id);
    expect(after.last_heartbeat).toMatchObject({ bootId, seq: 3 });
    expect(after.last_seen_at!.getTime()).toBeGreaterThan(applied.last_seen_at!.getTime());
  });

  it("takes a new boot's heartbeat from seq 1, and an old boot's delivered after it does not replace it", async () => {
    const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
    const [, , device] = devices;
    const old = heartbeat(device!.id, 9, 'old-boot');
    await push(old);
    await flush();
    await new Promise((r) => setTimeout(r, 5));
    expect(await push(heartbeat(device!.id, 1, 'new-boot'))).toBe('accepted');
    expect((await lastHeartbeat(device!.id)).last_heartbeat).toMatchObject({ bootId: 'new-boot', seq: 1 });
    // The speaker then goes silent (its last will), and the old boot's last heartbeat arrives
    // again (e.g. from a second instance that had it unacknowledged): its boot began before the
    // new one's. It is a duplicate: the speaker stays offline, its last heartbeat the new boot's.
    await database.db.updateTable('devices').set({ online: false }).where('id', '=', device!.id).execute();
    const before = await database.db.selectFrom('devices').select(['online', 'last_seen_at']).where('id', '=', device!.id).executeTakeFirstOrThrow();
    expect(await push(old)).toBe('duplicate');
    const after = await database.db.selectFrom('devices').select(['online', 'last_seen_at', 'last_heartbeat']).where('id', '=', device!.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ online: false, last_seen_at: before.last_seen_at, last_heartbeat: { bootId: 'new-boot', seq: 1 } });
    // In one batch too: the new boot's heartbeat, then the old boot's again.
    const again = heartbeat(device!.id, 2, 'new-boot');
    const both = Promise.all([push(again), push(old)]);
    await flush();
    expect(await both).toEqual(['accepted', 'duplicate']);
    expect((await lastHeartbeat(device!.id)).last_heartbeat).toMatchObject({ bootId: 'new-boot', seq: 2 });
  });

  it('stores boot ids that need quoting in an array literal as they were sent, each message once', async () => {
    const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
    const [device] = devices;
    const bootIds = ['quote"d', 'back\\slash', 'comma,{brace}', 'NULL', ' spaced '];
    const outcomes = Promise.all(bootIds.flatMap((bootId) => [push(presence(device!.id, 1, bootId)), push(presence(device!.id, 1, bootId))]));
    await flush();
    expect(await outcomes).toEqual(bootIds.flatMap(() => ['accepted', 'duplicate']));
    for (const bootId of bootIds) expect((await storedSeqs(device!.id, bootId)).map((r) => Number(r.seq))).toEqual([1]);
  });

  it('keeps every heartbeat as the latest, and when a device was last heard from to the second', async () => {
    const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
    const [, device] = devices;
    const bootId = 'seen-boot';
    const seen = () => database.db.selectFrom('devices').select(['last_seen_at', 'last_heartbeat', 'online']).where('id', '=', device!.id).executeTakeFirstOrThrow();
    await push(heartbeat(device!.id, 1, bootId));
    await flush();
    const first = await seen();
    await push(heartbeat(device!.id, 2, bootId));
    await flush();
    const within = await seen();
    expect(within.last_heartbeat).toMatchObject({ seq: 2 });
    expect(within.last_seen_at!.getTime() - first.last_seen_at!.getTime()).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 1100));
    await push(heartbeat(device!.id, 3, bootId));
    await flush();
    const later = await seen();
    expect(later).toMatchObject({ online: true, last_heartbeat: { seq: 3 } });
    expect(later.last_seen_at!.getTime()).toBeGreaterThan(first.last_seen_at!.getTime() + 1000);
  });

  it("keeps each device's messages in arrival order while several lanes commit small batches at once", async () => {
    const { push, flush } = ingest({ maxBatch: 7, lanes: 3 });
    const bootId = 'order-boot';
    const perDevice = 60;
    const pushed: Promise<unknown>[] = [];
    // Interleaved as they would come off one broker connection; three heartbeats to a report.
    for (let seq = 1; seq <= perDevice; seq++) for (const d of devices) pushed.push(push(seq % 4 ? heartbeat(d.id, seq, bootId) : presence(d.id, seq, bootId)));
    await flush();
    expect(new Set(await Promise.all(pushed))).toEqual(new Set(['accepted']));
    const rows = await database.db.selectFrom('devices').select(['id', 'last_heartbeat']).where('id', 'in', devices.map((d) => d.id)).execute();
    // The latest heartbeat is each device's last one: no older batch committed after a newer one.
    for (const row of rows) expect(row.last_heartbeat?.seq, row.id).toBe(perDevice - 1);
    for (const d of devices) expect((await storedSeqs(d.id, bootId)).map((r) => Number(r.seq))).toEqual(Array.from({ length: perDevice / 4 }, (_, i) => (i + 1) * 4));
  });
});

describe('hostile messages in a batch', () => {
  it('are refused before storage for what they are, never as a storage error that splits their batch message by message', async () => {
    const { push, flush, metrics } = ingest({ maxBatch: 100, lanes: 1 });
    const [device] = devices;
    const bootId = 'hostile-boot';
    const good = (seq: number) => presence(device!.id, seq, bootId);
    const raw = (kind: string, text: string) => ({ deviceId: device!.id, associationId: x.association.id, kind, payload: Buffer.from(text) });
    const withField = (seq: number, field: Record<string, unknown>) => {
      const message = heartbeat(device!.id, seq, bootId);
      return { ...message, payload: Buffer.from(JSON.stringify({ ...JSON.parse(message.payload.toString()), ...field })) };
    };
    const hostile = [
      // Keys every object has: `in` says they are kinds.
      raw('toString', '{}'), raw('constructor', '{}'), raw('__proto__', '{}'), raw('hasOwnProperty', '{}'),
      // Valid to zod, refused by PostgreSQL: year 0000, NUL in text and jsonb, half a surrogate pair in jsonb.
      withField(101, { ts: '0000-01-01T00:00:00Z' }),
      withField(102, { bootId: 'a\u0000b' }),
      withField(103, { firmware: '1.0\u0000' }),
      withField(104, { firmware: 'x\ud800' }),
      withField(105, { firmware: '\udc00y' }),
    ];
    // A surrogate pair (an emoji) is a fine string, escaped or not.
    const escaped = withField(106, { firmware: '😀' });
    const fine = [{ ...escaped, payload: Buffer.from(escaped.payload.toString().replace('😀', '\\ud83d\\ude00')) }, withField(107, { firmware: '🎉' })];
    const outcomes = Promise.all([good(1), ...hostile, good(2), ...fine, good(3)].map((m) => push(m)));
    await flush();
    expect(await outcomes).toEqual(['accepted', ...hostile.map(() => 'rejected'), 'accepted', 'accepted', 'accepted', 'accepted']);
    expect((await storedSeqs(device!.id, bootId)).map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect((await lastHeartbeat(device!.id)).last_heartbeat).toMatchObject({ bootId, seq: 107, firmware: '🎉' });
    // Each refused for what it is, none as a storage error (which means its batch was stored message by message).
    const reasons = Object.fromEntries((await metrics.mqttRejections.get()).values.map((v) => [v.labels.reason, v.value]));
    expect(reasons).toEqual({ unknown_kind: 4, stale_timestamp: 1, invalid_payload: 4 });
  });
});

describe('a batch the database refuses', () => {
  it('is stored again in halves down to the message at fault: that one alone is dropped, in a few transactions, not one per message', async () => {
    const log = createLogger('silent');
    const metrics = createMetrics();
    type Item = { message: { uplink: { payload: Buffer } } };
    let transactions = 0;
    const stored: string[] = [];
    const refusing = {
      kindLabel: (kind: string) => kind,
      check: (message: Item['message']) => ({ message }),
      async store(_tx: unknown, checked: Item[], verdicts: { message: unknown; outcome: 'accepted' }[]) {
        transactions++;
        const texts = checked.map((c) => c.message.uplink.payload.toString());
        // As PostgreSQL refuses a value: a data error (class 22), not a transient one.
        if (texts.includes('bad')) throw Object.assign(new Error('invalid input'), { code: '22P02' });
        stored.push(...texts);
        for (const c of checked) verdicts.push({ message: c.message, outcome: 'accepted' });
      },
    };
    const { push, flush } = createIngest({ db: database.db, log, metrics }, refusing as never, { maxBatch: 64, lanes: 1, maxWaitMs: 2 });
    const texts = Array.from({ length: 64 }, (_, i) => (i === 37 ? 'bad' : `m${i}`));
    const outcomes = Promise.all(texts.map((text) => push({ deviceId: 'd', associationId: 'a', kind: 'heartbeat', payload: Buffer.from(text) })));
    await flush();
    expect(await outcomes).toEqual(texts.map((t) => (t === 'bad' ? 'rejected' : 'accepted')));
    // In arrival order, every good one once.
    expect(stored).toEqual(texts.filter((t) => t !== 'bad'));
    // The whole batch, then two halves per level down to the one: 1 + 2·log2(64) = 13 (one by one: 65).
    expect(transactions).toBeLessThanOrEqual(13);
  });
});

describe('a steady stream', () => {
  it('is stored in batches gathered for maxWaitMs each, not one commit per message as each commit returns', async () => {
    const log = createLogger('silent');
    const metrics = createMetrics();
    type Item = { message: { uplink: { payload: Buffer } } };
    let transactions = 0;
    const counting = {
      kindLabel: (kind: string) => kind,
      check: (message: Item['message']) => ({ message }),
      async store(_tx: unknown, checked: Item[], verdicts: { message: unknown; outcome: 'accepted' }[]) {
        transactions++;
        await new Promise((resolve) => setTimeout(resolve, 20)); // a commit under load
        for (const c of checked) verdicts.push({ message: c.message, outcome: 'accepted' });
      },
    };
    const { push, flush } = createIngest({ db: database.db, log, metrics }, counting as never, { maxBatch: 1000, lanes: 1, maxWaitMs: 100 });
    // A message every 5 ms for ~600 ms, a commit taking 20 ms: a lane that took whatever had
    // arrived as soon as its commit returned would commit every 20 ms, a few messages each.
    const outcomes: Promise<string>[] = [];
    const started = performance.now();
    for (let i = 0; performance.now() - started < 600; i++) {
      outcomes.push(push({ deviceId: 'd', associationId: 'a', kind: 'heartbeat', payload: Buffer.from(`m${i}`) }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await flush();
    expect(new Set(await Promise.all(outcomes))).toEqual(new Set(['accepted']));
    expect(outcomes.length).toBeGreaterThan(40);
    // Every 100 ms at most (and the flush at the end).
    expect(transactions).toBeLessThanOrEqual(8);
  });
});

describe('messages of a deleted device', () => {
  it('are deleted with it (device_messages keeps no foreign key; a trigger cascades)', async () => {
    const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
    const fresh = await database.db
      .insertInto('devices')
      .values({ association_id: x.association.id, household_id: x.households.D.id, label: 'deleted', secret_hash: '$7$1$x$y', credentials_issued_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const outcomes = Promise.all([1, 2].map((seq) => push(presence(fresh.id, seq, 'gone-boot'))));
    await flush();
    expect(await outcomes).toEqual(['accepted', 'accepted']);
    expect(await storedSeqs(fresh.id, 'gone-boot')).toHaveLength(2);
    await database.db.deleteFrom('devices').where('id', '=', fresh.id).execute();
    expect(await storedSeqs(fresh.id, 'gone-boot')).toEqual([]);
    // A message of a device that no longer exists is refused, not stored.
    const late = push(presence(fresh.id, 3, 'gone-boot'));
    await flush();
    expect(await late).toBe('rejected');
    expect(await storedSeqs(fresh.id, 'gone-boot')).toEqual([]);
  });
});

describe('a device revoked or deleted while its batch is being stored', () => {
  // The batch's read of its devices (FOR KEY SHARE) holds off a deletion until it commits, not
  // a revocation; its UPDATE of the devices checks again. Either way the device's messages of
  // the batch are refused, never left stored, and a revoked device is not marked online.
  const raced = async (change: string) => {
    const fresh = await database.db
      .insertInto('devices')
      .values({ association_id: x.association.id, household_id: x.households.D.id, label: 'raced', secret_hash: '$7$1$x$y', credentials_issued_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(change, [fresh.id]);
      const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
      const outcomes = Promise.all([push(presence(fresh.id, 1, 'raced-boot')), push(heartbeat(fresh.id, 2, 'raced-boot'))]);
      const stored = flush();
      // The batch waits for the change's row lock (its read of the device, or its UPDATE of it).
      await until(
        async () => (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db)).rows[0]!.n,
        (n) => n > 0,
      );
      await other.query('commit');
      await stored;
      return { id: fresh.id, outcomes: await outcomes };
    } finally {
      await other.end();
    }
  };

  it('deleted: its messages are refused, and none is left behind without its device', async () => {
    const { id, outcomes } = await raced('delete from devices where id = $1');
    expect(outcomes).toEqual(['rejected', 'rejected']);
    expect(await storedSeqs(id, 'raced-boot')).toEqual([]);
  });

  it('revoked: its messages are refused and not stored, and it is not marked online or heard from', async () => {
    const { id, outcomes } = await raced('update devices set revoked_at = now(), online = false where id = $1');
    expect(outcomes).toEqual(['rejected', 'rejected']);
    expect(await storedSeqs(id, 'raced-boot')).toEqual([]);
    const device = await database.db.selectFrom('devices').select(['online', 'last_seen_at', 'last_heartbeat']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(device).toEqual({ online: false, last_seen_at: null, last_heartbeat: null });
  });
});

describe('speaker answers in concurrent batches', () => {
  it('commit each batch once when two lanes answer homes of two 班 in opposite orders (no deadlock on the per-班 counters)', async () => {
    const drill = await createDrill(database.db, x.association.id);
    const { A, B, C, D } = x.households;
    // Households A and C are in 班1, B and D in 班2 (test/support/fixtures.ts).
    const device = async (householdId: string) => {
      const known = devices.find((d) => d.householdId === householdId);
      if (known) return known.id;
      const row = await database.db
        .insertInto('devices')
        .values({ association_id: x.association.id, household_id: householdId, label: 'answers', secret_hash: '$7$1$x$y', credentials_issued_at: new Date() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    };
    // The drill's answer as answerFromSpeaker writes it (the triggers lock the 班's counter
    // rows until commit), then a pause, so both batches hold their first 班 before their second.
    const applied: string[] = [];
    const handlers: UplinkDispatch = {
      ...dispatchUplinks([]),
      answer: async (tx, event) => {
        applied.push(event.householdId);
        await saveAnswer(tx.db, event.promptId, event.householdId, { status: 'safe', where: 'home', note: '', channel: 'speaker' });
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    };
    const answer = async (householdId: string) => ({
      deviceId: await device(householdId),
      associationId: x.association.id,
      kind: 'answer',
      payload: Buffer.from(JSON.stringify({ bootId: 'answer-boot', seq: 1, ts: new Date().toISOString(), promptId: drill.id, promptKind: 'drill', button: 'safe' })),
    });
    const first = ingest({ maxBatch: 100, lanes: 1 }, handlers);
    const second = ingest({ maxBatch: 100, lanes: 1 }, handlers);
    const messages = { first: [await answer(B.id), await answer(A.id)], second: [await answer(C.id), await answer(D.id)] };
    const outcomes = Promise.all([...messages.first.map((m) => first.push(m)), ...messages.second.map((m) => second.push(m))]);
    await Promise.all([first.flush(), second.flush()]);
    expect(await outcomes).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // Each answer applied once: no batch was rolled back and retried.
    expect(applied.sort()).toEqual([A.id, B.id, C.id, D.id].sort());
    const counts = await database.db.selectFrom('drill_block_counts').select(['block_id', 'safe', 'answered']).where('drill_id', '=', drill.id).orderBy('block_id').execute();
    expect(counts.map((c) => [c.block_id, c.safe, c.answered])).toEqual([x.blocks.block1.id, x.blocks.block2.id].sort().map((id) => [id, 2, 2]));
  });
});

describe('live status of a batch', () => {
  it('goes to officers as one event per association listing every device, after the commit', async () => {
    const { push, flush } = ingest({ maxBatch: 100, lanes: 1 });
    const fresh = await database.db
      .insertInto('devices')
      .values([x.households.A, x.households.B].map((home, i) => ({ association_id: x.association.id, household_id: home.id, label: `status ${i}`, secret_hash: '$7$1$x$y', credentials_issued_at: new Date() })))
      .returning('id')
      .execute();
    statusEvents.length = 0;
    const outcomes = Promise.all([...fresh, ...fresh].map((d, i) => push(heartbeat(d.id, i + 1, 'status-boot'))));
    await flush();
    expect(new Set(await outcomes)).toEqual(new Set(['accepted']));
    expect(statusEvents).toHaveLength(1);
    expect(statusEvents[0]!.associationId).toBe(x.association.id);
    expect(statusEvents[0]!.devices.map((d) => d.deviceId).sort()).toEqual(fresh.map((d) => d.id).sort());
    expect(statusEvents[0]!.devices.every((d) => d.online)).toBe(true);
  });
});

describe('PUBACKs of a committed batch', () => {
  it('are written as one buffer of 4-byte packets, in the order given', () => {
    expect([...pubackBytes([1, 258, 65535])]).toEqual([0x40, 2, 0, 1, 0x40, 2, 1, 2, 0x40, 2, 0xff, 0xff]);
  });
});

describe('the batch statements', () => {
  it('are named prepared statements, parsed once per connection; other statements are not', async () => {
    const [device] = devices;
    const prepared = await database.db.transaction().execute(async (trx) => {
      // Each statement runs twice on this transaction's one connection.
      for (let i = 0; i < 2; i++) {
        await liveDevices(trx, [device!.id]);
        await settingsOf(trx, [device!.householdId]);
        await trx.selectFrom('devices').select('id').where('id', '=', device!.id).execute();
      }
      return sql<{ statement: string }>`select statement from pg_prepared_statements where name like 't\\_%'`.execute(trx);
    });
    const statements = prepared.rows.map((r) => r.statement);
    expect(statements.some((s) => s.includes('for key share'))).toBe(true);
    expect(statements.some((s) => s.includes('"watch_settings"'))).toBe(true);
    expect(statements.every((s) => s.endsWith('/* prepared */'))).toBe(true);
  });
});
