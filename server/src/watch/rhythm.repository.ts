import { sql, type Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { settingsWithZone } from './watch.repository.js';

/** The SQL of a home's daily rhythm (rhythm.service.ts): learned from its hourly activity, in sets of homes. */

export interface RhythmRules {
  /** The time zone of the homes' association (all of them in one), in which days and hours are counted. */
  timeZone: string;
  /** The local hour a watch day starts (activity before it belongs to the night before). */
  dayStartHour: number;
  /** The first and the last instant of the window (whole watch days, today excluded). */
  from: Date;
  to: Date;
  /** The share of active days by which a home counts as "usually active by" an hour (0.8). */
  share: number;
  /** Fewer active days than this and no rhythm is set (the fixed threshold alone applies). */
  minDays: number;
  learnedAt: Date;
}

/**
 * Lock order. An ingest batch (devices/device.uplinks.ts storeBatch, then the watch's uplink
 * handlers in activity.service.ts) takes, in this order: its devices (key share, then their
 * heartbeat update), its device_messages, its homes' activity_hourly rows (in household and
 * hour order, addHourlyActivity), then its homes' watch_settings rows (enrolHomes,
 * moveLastActivity: in household id order, locked so first in the same statement), then watch_alerts
 * (help, a prompt answered, a device back), and last the drills' counters of presses. It reads
 * associations without a lock; an enrolment's foreign key takes key share on its association,
 * which the zone change's update (no key column) does not block. So the rhythm's writers below
 * take watch_settings rows in household id order (FOR NO KEY UPDATE: it blocks no foreign key
 * check), and nothing that ingest takes before them (devices, activity_hourly: read, never
 * locked): no cycle with a batch can form. The run marker (watch_rhythm_runs), which ingest
 * never touches, is always taken before the homes.
 */

/**
 * The watched homes of one association with the rules their next check is worked out from,
 * locked in id order until the caller's transaction ends: its time zone is changing (the
 * zone change's cheap part, rhythm.service.ts replanForZone).
 */
export function lockHomeRules(trx: Transaction<Database>, associationId: string) {
  return trx
    .selectFrom('watch_settings')
    .select(['household_id', 'last_activity_at', 'next_check_at', 'inactivity_seconds', 'quiet_start', 'quiet_end', 'rhythm_enabled', 'rhythm_usual_hour', 'rhythm_grace_seconds'])
    .where('association_id', '=', associationId)
    .orderBy('household_id')
    .forNoKeyUpdate()
    .execute();
}

/** The next chunk of an association's watched homes after `after` (id order), locked until the caller's transaction ends. */
export async function lockHomesPage(trx: Transaction<Database>, associationId: string, after: string | null, limit: number) {
  const rows = await trx
    .selectFrom('watch_settings')
    .select('household_id')
    .where('association_id', '=', associationId)
    .$if(after !== null, (q) => q.where('household_id', '>', after!))
    .orderBy('household_id')
    .limit(limit)
    .forNoKeyUpdate()
    .execute();
  return rows.map((r) => r.household_id);
}

/** Every association with watched homes, its time zone and its rhythm marker (none before its first run). */
export function rhythmRuns(db: Db) {
  return db
    .selectFrom('associations as a')
    .leftJoin('watch_rhythm_runs as r', 'r.association_id', 'a.id')
    .select(['a.id as association_id', 'a.time_zone', 'r.watch_day', 'r.time_zone as learned_zone', 'r.after', 'r.replan'])
    .where(({ exists, selectFrom }) => exists(selectFrom('watch_settings as s').select('s.household_id').whereRef('s.association_id', '=', 'a.id')))
    .orderBy('a.id')
    .execute();
}

/**
 * The association's rhythm marker, created when missing and locked until the caller's
 * transaction ends (a second run of the job waits here, then reads what the first wrote);
 * with the association's time zone as it is now. The zone is read by a statement of its own,
 * after the lock: a zone change takes the marker too (markReplan), and a run that waited for
 * it must see the zone it committed, which a join in the locking statement would not (only
 * the locked row is read again after a wait).
 */
export async function lockRun(trx: Transaction<Database>, associationId: string) {
  await trx.insertInto('watch_rhythm_runs').values({ association_id: associationId }).onConflict((oc) => oc.column('association_id').doNothing()).execute();
  const run = await trx
    .selectFrom('watch_rhythm_runs')
    .select(['watch_day', 'time_zone as learned_zone', 'after', 'replan'])
    .where('association_id', '=', associationId)
    .forUpdate()
    .executeTakeFirst();
  const association = await trx.selectFrom('associations').select('time_zone').where('id', '=', associationId).executeTakeFirst();
  if (!run || !association) throw new Error(`no association ${associationId}`);
  return { ...run, time_zone: association.time_zone };
}

/**
 * A zone change's pending re-plan on the association's marker (created when missing), in the
 * change's transaction: the run under way, if any, starts over from the first home, so every
 * chunk of the next pass works out every planned check again (learnAssociation).
 */
export async function markReplan(trx: Transaction<Database>, associationId: string) {
  await trx
    .insertInto('watch_rhythm_runs')
    .values({ association_id: associationId, replan: true })
    .onConflict((oc) => oc.column('association_id').doUpdateSet({ replan: true, after: null }))
    .execute();
}

/** The marker after a chunk: the day and zone being learned, the last home learned (null: done), and whether a re-plan is still pending (cleared when done). */
export async function saveRun(trx: Transaction<Database>, associationId: string, run: { watch_day: string; time_zone: string; after: string | null; learned_at: Date; replan: boolean }) {
  await trx.updateTable('watch_rhythm_runs').set(run).where('association_id', '=', associationId).execute();
}

/** These homes (those watched), each with its association's time zone. */
export function zonesOfHomes(db: Db, householdIds: readonly string[]) {
  return settingsWithZone(db)
    .select(['s.household_id', 'a.time_zone'])
    .where(isAnyOf('s.household_id', householdIds))
    .execute();
}

/**
 * One statement for a batch of homes of one time zone (`rules.timeZone`, their association's):
 * each home's first active hour on each watch day of the window (by the primary key, household
 * and hour), the hour by which it was active on `share` of its active days (percentile_disc),
 * and that hour stored as its usual hour when it has `minDays` active days or more; otherwise
 * none. Days with no activity at all (away, device
 * unplugged) are not counted, as evidence neither way. Returns each home's rules, with the
 * usual hour it had before, so the caller moves the next check of those whose rhythm changed.
 */
export async function learnRhythms(db: Db, householdIds: readonly string[], rules: RhythmRules) {
  const result = await sql<{
    household_id: string; before: number | null; rhythm_usual_hour: number | null; rhythm_enabled: boolean; rhythm_grace_seconds: number;
    inactivity_seconds: number; quiet_start: string | null; quiet_end: string | null; last_activity_at: Date | null; next_check_at: Date | null;
  }>`
    with active as (
      select household_id,
        ((hour at time zone ${rules.timeZone}) - make_interval(hours => ${rules.dayStartHour}))::date as day,
        min(extract(hour from (hour at time zone ${rules.timeZone}) - make_interval(hours => ${rules.dayStartHour})))::int as first_offset
      from activity_hourly
      where household_id = any(${householdIds}::uuid[]) and hour >= ${rules.from} and hour < ${rules.to} and presence + buttons + voice > 0
      group by 1, 2
    ), learned as (
      select household_id, count(*)::int as days, percentile_disc(${rules.share}::float8) within group (order by first_offset) as last_offset
      from active
      group by household_id
    )
    update watch_settings s set
      rhythm_days = coalesce(l.days, 0),
      rhythm_usual_hour = case when l.days >= ${rules.minDays} and l.last_offset + 1 + ${rules.dayStartHour} <= 23 then l.last_offset + 1 + ${rules.dayStartHour} end,
      rhythm_learned_at = ${rules.learnedAt}
    from watch_settings prev left join learned l on l.household_id = prev.household_id
    where s.household_id = prev.household_id and prev.household_id = any(${householdIds}::uuid[])
    returning s.household_id, prev.rhythm_usual_hour as before, s.rhythm_usual_hour, s.rhythm_enabled, s.rhythm_grace_seconds,
      s.inactivity_seconds, s.quiet_start, s.quiet_end, s.last_activity_at, s.next_check_at`.execute(db);
  return result.rows;
}

/**
 * New next checks, in one statement; a home with a live alert (no next check) keeps none. With
 * `seen` (the check as the caller read it), a check moved later since — by activity committed
 * in between — is left as it is: moving it back would make a check that activity already
 * answered look due again.
 */
export async function moveNextChecks(db: Db, moved: { id: string; next: string; seen?: string }[]) {
  if (!moved.length) return;
  await sql`
    update watch_settings s set next_check_at = v.next
    from jsonb_to_recordset(${JSON.stringify(moved)}::jsonb) as v(id uuid, next timestamptz, seen timestamptz)
    where s.household_id = v.id and s.next_check_at is not null
      and (v.seen is null or s.next_check_at < v.seen + interval '1 millisecond')`.execute(db);
}

const ID = '11111111-1111-4111-8111-111111111111';
const AT = new Date('2026-11-22T00:00:00.000Z');
const inTransaction = (db: Db, run: (trx: Transaction<Database>) => Promise<unknown>) => db.transaction().execute(run);
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'lockHomeRules', run: (db) => inTransaction(db, (trx) => lockHomeRules(trx, ID)) },
  { name: 'lockHomesPage', run: (db) => inTransaction(db, (trx) => lockHomesPage(trx, ID, ID, 250)) },
  { name: 'rhythmRuns', run: (db) => rhythmRuns(db) },
  { name: 'lockRun', run: (db) => inTransaction(db, (trx) => lockRun(trx, ID)) },
  { name: 'markReplan', run: (db) => inTransaction(db, (trx) => markReplan(trx, ID)) },
  { name: 'saveRun', run: (db) => inTransaction(db, (trx) => saveRun(trx, ID, { watch_day: '2026-11-22', time_zone: 'Asia/Tokyo', after: null, learned_at: AT, replan: false })) },
  { name: 'zonesOfHomes', run: (db) => zonesOfHomes(db, [ID]) },
  {
    name: 'learnRhythms',
    run: (db) => learnRhythms(db, [ID], { timeZone: 'Asia/Tokyo', dayStartHour: 4, from: new Date(AT.getTime() - 28 * 86_400_000), to: AT, share: 0.8, minDays: 7, learnedAt: AT }),
  },
  { name: 'moveNextChecks', run: (db) => moveNextChecks(db, [{ id: ID, next: AT.toISOString() }]) },
];
