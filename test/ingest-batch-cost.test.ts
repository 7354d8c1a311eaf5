import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { seedAssociation } from './support/fixtures.js';
import { deviceUplinks } from '../server/src/devices/device.uplinks.js';
import { dispatchUplinks } from '../server/src/platform/mqtt/uplink-dispatch.js';
import { watchModule } from '../server/src/watch/watch.module.js';
import { collectingTx } from '../server/src/platform/db/transaction.js';
import { PreparingClient } from '../server/src/platform/db/prepared.js';
import { createLogger } from '../server/src/platform/logger.js';
import { createMetrics } from '../server/src/platform/metrics.js';
import type { Database } from '../server/src/platform/db/schema.js';
import type { ModuleContext } from '../server/src/common/service-context.js';
import type { Received, Refusal, Verdict } from '../server/src/platform/mqtt/ingest.js';
import type { Realtime } from '../server/src/platform/realtime/realtime.js';

/**
 * What one ingest batch costs PostgreSQL, measured per batch rather than by a rate: the bench's
 * stream (`npm run bench -- --only ingest`: three heartbeats to one presence report per device)
 * as one of ingest's four lanes sees it — 125 of 500 devices, batches of 220 messages — stored
 * through the real device door and the watch module's handlers on one connection. Reports the
 * backend's CPU per message, WAL records and bytes per batch, the updates that were not HOT,
 * and each statement's share (EXPLAIN (ANALYZE, BUFFERS, WAL) of one batch's statements).
 * A measurement, not a check of behaviour: run with INGEST_COST=1.
 */
const DEVICES = 500;
const LANE = 125;
const BATCH = 220;
const WARMUP = 40;
const MEASURED = 200;

let database: TestDatabase;
let db: Kysely<Database>;
const captured: CompiledQuery[] = [];
let capturing = false;
let associationId = '';
const deviceIds: string[] = [];

beforeAll(async () => {
  if (process.env.INGEST_COST !== '1') return;
  database = await createTestDatabase();
  const x = await seedAssociation(database.db, 'cost');
  associationId = x.association.id;
  const households = await database.db
    .insertInto('households')
    .values(Array.from({ length: DEVICES }, (_, i) => ({ association_id: associationId, block_id: x.blocks.block1.id, household_number: `c${i}`, name: `世帯${i}`, address: '京田辺市', channels: ['speaker' as const] })))
    .returning('id')
    .execute();
  const rows = await database.db
    .insertInto('devices')
    .values(households.map((h, i) => ({ association_id: associationId, household_id: h.id, label: `cost ${i}`, secret_hash: '$7$1$x$y', credentials_issued_at: new Date() })))
    .returning('id')
    .execute();
  deviceIds.push(...rows.map((r) => r.id).slice(0, LANE));
  const pool = new pg.Pool({ connectionString: database.url, max: 1, Client: PreparingClient });
  db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => void (capturing && event.level === 'query' && captured.push(event.query)),
  });
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** The lane's stream: round r sends each device its seq r, a presence report every fourth. */
function* stream(bootId: string) {
  for (let seq = 1; ; seq++) {
    for (const deviceId of deviceIds) {
      const ts = new Date().toISOString();
      const payload =
        seq % 4 !== 0
          ? `{"bootId":"${bootId}","seq":${seq},"ts":"${ts}","uptimeSeconds":${seq},"power":"mains","battery":null,"signal":-55,"firmware":"bench"}`
          : `{"bootId":"${bootId}","seq":${seq},"ts":"${ts}","type":"presence","count":2}`;
      yield { uplink: { deviceId, associationId, kind: seq % 4 !== 0 ? 'heartbeat' : 'activity', payload: Buffer.from(payload) } } satisfies Received;
    }
  }
}

const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

describe.runIf(process.env.INGEST_COST === '1')('one ingest batch in PostgreSQL', () => {
  it('costs, per batch and per message', { timeout: 600_000 }, async () => {
    const log = createLogger('silent');
    const metrics = createMetrics();
    const realtime = { deviceStatus: () => undefined, emit: () => undefined } as unknown as Realtime;
    const ctx = { db, log, metrics, realtime, jobs: {}, push: {}, mqtt: {}, reach: {}, deps: {} } as unknown as ModuleContext;
    const store = deviceUplinks({ log, metrics, realtime, handlers: dispatchUplinks([watchModule(ctx).uplinks!]) });
    const messages = stream('cost-boot');
    const next = () => Array.from({ length: BATCH }, () => messages.next().value as Received);
    const run = async (batch: Received[], rollback = false) => {
      const verdicts: Verdict[] = [];
      const checked = batch.map((m) => store.check(m)).filter((c): c is Exclude<ReturnType<typeof store.check>, Refusal> => !('refused' in c));
      await db
        .transaction()
        .execute(async (trx) => {
          await store.store(collectingTx(trx), checked, verdicts);
          if (rollback) throw new RolledBack();
        })
        .catch((error) => {
          if (!(error instanceof RolledBack)) throw error;
        });
      return verdicts;
    };
    const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!;
    for (let i = 0; i < WARMUP; i++) await run(next());

    // One batch's statements, each under EXPLAIN (ANALYZE, BUFFERS, WAL), rolled back.
    const sample = next();
    captured.length = 0;
    capturing = true;
    await run(sample, true);
    capturing = false;
    const statements = captured.filter((q) => !/^(begin|commit|rollback|savepoint|release)/i.test(q.sql.trim()));
    const plans: { statement: string; ms: number; walRecords: number; walBytes: number; walFpi: number; dirtied: number; hit: number }[] = [];
    await db
      .transaction()
      .execute(async (trx) => {
        for (const q of statements) {
          const { rows } = await trx.executeQuery<{ 'QUERY PLAN': [{ Plan: Record<string, number>; 'Execution Time': number; 'Planning Time': number }] }>({
            ...q,
            sql: `explain (analyze, buffers, wal, format json) ${q.sql}`,
          } as CompiledQuery);
          const [top] = rows[0]!['QUERY PLAN'];
          if (process.env.INGEST_COST_PLANS === '1') console.log(q.sql, JSON.stringify(top, null, 1));
          plans.push({
            statement: q.sql.replace(/\s+/g, ' ').slice(0, 70),
            ms: top['Execution Time'] + top['Planning Time'],
            walRecords: top.Plan['WAL Records'] ?? 0,
            walBytes: top.Plan['WAL Bytes'] ?? 0,
            walFpi: top.Plan['WAL FPI'] ?? 0,
            dirtied: top.Plan['Shared Dirtied Blocks'] ?? 0,
            hit: top.Plan['Shared Hit Blocks'] ?? 0,
          });
        }
        throw new RolledBack();
      })
      .catch((error) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    console.table(plans);
    console.log(`statements per batch (besides begin/commit): ${statements.length}, of which EXPLAINed WAL records ${plans.reduce((n, p) => n + p.walRecords, 0)}, bytes ${plans.reduce((n, p) => n + p.walBytes, 0)}`);

    const tables = async () => {
      await sql`select pg_stat_force_next_flush()`.execute(db);
      await sql`select 1`.execute(db);
      await new Promise((r) => setTimeout(r, 200));
      await sql`select pg_stat_clear_snapshot()`.execute(database.db);
      const { rows } = await sql<{ relname: string; upd: number; hot: number }>`
        select relname, n_tup_upd::int as upd, n_tup_hot_upd::int as hot from pg_stat_user_tables
        where relname in ('devices', 'watch_settings', 'activity_hourly')`.execute(database.db);
      const { rows: [wal] } = await sql<{ records: string; fpi: string; bytes: string; lsn: string }>`
        select wal_records as records, wal_fpi as fpi, wal_bytes as bytes, pg_current_wal_insert_lsn() as lsn from pg_stat_wal`.execute(database.db);
      return { tables: new Map(rows.map((r) => [r.relname, r])), wal: wal! };
    };
    const before = await tables();
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const outcomes = new Map<string, number>();
    for (let i = 0; i < MEASURED; i++) for (const v of await run(next())) outcomes.set(v.outcome, (outcomes.get(v.outcome) ?? 0) + 1);
    const ms = performance.now() - started;
    const cpu = cpuSeconds(pid) - cpuBefore;
    const after = await tables();
    const n = MEASURED * BATCH;
    const nonHot = [...after.tables].map(([name, t]) => {
      const b = before.tables.get(name)!;
      return `${name} ${((t.upd - b.upd) / MEASURED).toFixed(1)} updates/batch, ${((t.upd - t.hot - (b.upd - b.hot)) / MEASURED).toFixed(1)} not HOT`;
    });
    console.log(
      [
        `batches ${MEASURED} × ${BATCH} messages from ${LANE} devices`,
        `postgres backend cpu ${((cpu / n) * 1e6).toFixed(1)} us/msg`,
        `wall ${(ms / MEASURED).toFixed(2)} ms/batch`,
        `wal records ${((Number(after.wal.records) - Number(before.wal.records)) / MEASURED).toFixed(1)}/batch`,
        `wal fpi ${((Number(after.wal.fpi) - Number(before.wal.fpi)) / MEASURED).toFixed(2)}/batch`,
        `wal bytes ${Math.round((Number(after.wal.bytes) - Number(before.wal.bytes)) / MEASURED)}/batch`,
        ...nonHot,
        `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
      ].join(', '),
    );
    expect(outcomes.get('accepted')).toBe(n);
  });
});

class RolledBack extends Error {}
