import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { createDrill } from './support/factories/drills.js';
import { insertPublishedCircular } from './support/factories/circulars.js';
import { migrations } from '../migrations/index.js';

/**
 * The statement-level checks that replaced foreign keys (drill_targets, circular_recipients,
 * device_messages) keep what the keys kept when a table is truncated, refuse an isolation level
 * they were not written for, and give their foreign keys back on the way down, orphans or not.
 */
let database: TestDatabase;
let x: SeededAssociation;
const ROLLBACK = new Error('rollback');

/** Runs `work` in a transaction that is always rolled back; returns its result or throws its error. */
async function rolledBack<T>(work: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  let result: T;
  try {
    await database.db.transaction().execute(async (trx) => {
      result = await work(trx);
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return result!;
}
const count = async (db: Kysely<any>, table: string) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);

beforeAll(async () => {
  database = await createTestDatabase();
  x = await seedAssociation(database.db, 'guards');
  await createDrill(database.db, x.association.id);
  await insertPublishedCircular(database.db, x);
  const device = await database.db
    .insertInto('devices')
    .values({ association_id: x.association.id, household_id: x.households.A.id, label: 'guard', secret_hash: '$7$1$x$y', credentials_issued_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`insert into device_messages (device_id, boot_id, seq, kind, sent_at, payload)
    values (${device.id}, 'b', 1, 'heartbeat', now(), '{}')`.execute(database.db);
});
afterAll(() => database?.drop());

describe('TRUNCATE of a table whose rows are named by a statement-level check', () => {
  it.each([
    // CASCADE reaches people (a real foreign key), and drill_targets.taken_by names people by a
    // check since 20261208T0300 (no longer a foreign key that CASCADE would follow), so the
    // drill's targets are kept and the TRUNCATE refused. (It reaches devices too, whose
    // messages are named by a check: the last case.)
    ['households', 'drill_targets'],
    ['drills', 'drill_targets'],
    ['circulars', 'circular_recipients'],
    ['devices', 'device_messages'],
  ])('TRUNCATE %s … CASCADE is refused while %s has rows, and nothing is truncated', async (tables, referencing) => {
    const before = await count(database.db, referencing);
    expect(before).toBeGreaterThan(0);
    await expect(rolledBack((trx) => sql.raw(`truncate ${tables} cascade`).execute(trx))).rejects.toThrow(
      new RegExp(`${referencing} names its rows .*truncate ${referencing} in the same statement`),
    );
    expect(await count(database.db, referencing)).toBe(before);
  });

  it('is allowed when the referencing tables are truncated in the same statement, leaving no orphans', async () => {
    const left = await rolledBack(async (trx) => {
      await sql`truncate households, drills, circulars, devices, drill_targets, circular_recipients, device_messages cascade`.execute(trx);
      return Promise.all(['drill_targets', 'circular_recipients', 'device_messages'].map((t) => count(trx, t)));
    });
    expect(left).toEqual([0, 0, 0]);
  });
});

describe('the household checks and cascades', () => {
  it('refuse to run under REPEATABLE READ, where a deletion would not see targets committed while it waited', async () => {
    const underRepeatableRead = (statement: (trx: Kysely<any>) => Promise<unknown>) =>
      rolledBack(async (trx) => {
        await sql`set transaction isolation level repeatable read`.execute(trx);
        return statement(trx);
      });
    await expect(underRepeatableRead((trx) => trx.deleteFrom('households').where('id', '=', x.households.D.id).execute())).rejects.toThrow(
      /DELETE on households: the statement-level key check needs READ COMMITTED, not repeatable read/,
    );
    const drill = await createDrill(database.db, x.association.id, { blockIds: [] });
    await expect(
      underRepeatableRead((trx) =>
        sql`insert into drill_targets (drill_id, household_id, association_id, block_id, channels)
          values (${drill.id}, ${x.households.D.id}, ${x.association.id}, ${x.households.D.block_id}, '{}')`.execute(trx),
      ),
    ).rejects.toThrow(/INSERT on drill_targets: .*needs READ COMMITTED/);
    // Under READ COMMITTED the same deletion goes through, its targets and recipients with it.
    const gone = await rolledBack(async (trx) => {
      await trx.deleteFrom('households').where('id', '=', x.households.A.id).execute();
      return Promise.all([
        trx.selectFrom('drill_targets').select('drill_id').where('household_id', '=', x.households.A.id).execute(),
        trx.selectFrom('circular_recipients').select('circular_id').where('household_id', '=', x.households.A.id).execute(),
      ]);
    });
    expect(gone).toEqual([[], []]);
  });
});

describe('migrating down past the statement-level checks', () => {
  it('deletes the orphans a check let by, then adds the foreign keys back', async () => {
    const own = await createTestDatabase();
    try {
      const y = await seedAssociation(own.db, 'down');
      const drill = await createDrill(own.db, y.association.id);
      const circular = await insertPublishedCircular(own.db, y);
      const nobody = '00000000-0000-4000-8000-000000000000';
      // Orphans as a TRUNCATE or a bug could have left them: the checks' triggers off, which the
      // tables' owner may do (session_replication_role would need a superuser, which CI's is not).
      await own.db.transaction().execute(async (conn) => {
        await sql`alter table drill_targets disable trigger user`.execute(conn);
        await sql`alter table circular_recipients disable trigger user`.execute(conn);
        await sql`insert into drill_targets (drill_id, household_id, association_id, block_id, channels)
          select ${nobody}, household_id, association_id, block_id, channels from drill_targets where drill_id = ${drill.id} limit 1`.execute(conn);
        await sql`insert into drill_targets (drill_id, household_id, association_id, block_id, channels)
          select drill_id, ${nobody}, association_id, block_id, channels from drill_targets where drill_id = ${drill.id} limit 1`.execute(conn);
        await sql`update circular_recipients set household_id = ${nobody} where circular_id = ${circular.id} and household_id = ${y.households.D.id}`.execute(conn);
        await sql`alter table drill_targets enable trigger user`.execute(conn);
        await sql`alter table circular_recipients enable trigger user`.execute(conn);
      });
      const migrator = new Migrator({ db: own.db, provider: { getMigrations: async () => migrations } });
      const { error, results } = await migrator.migrateTo('20261203T0600_drill_counts_key_order');
      expect(error, JSON.stringify(results?.filter((r) => r.status !== 'Success'))).toBeUndefined();
      const keys = await sql<{ conname: string }>`select conname from pg_constraint where conrelid in ('drill_targets'::regclass, 'circular_recipients'::regclass) and contype = 'f' order by 1`.execute(own.db);
      expect(keys.rows.map((r) => r.conname)).toEqual(
        expect.arrayContaining(['circular_recipients_circular_id_association_id_fkey', 'circular_recipients_household_id_association_id_fkey', 'drill_targets_drill_id_association_id_fkey', 'drill_targets_household_id_association_id_fkey']),
      );
      const orphans = await sql`select 1 from drill_targets where drill_id = ${nobody} or household_id = ${nobody}
        union all select 1 from circular_recipients where household_id = ${nobody}`.execute(own.db);
      expect(orphans.rows).toEqual([]);
      // The rows that named something are still there.
      expect(await count(own.db, 'drill_targets')).toBeGreaterThan(0);
    } finally {
      await own.drop();
    }
  });
});
