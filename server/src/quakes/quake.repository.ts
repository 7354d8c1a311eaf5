import { sql, type Insertable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import type { QuakeDecisionTable, QuakeTelegramTable, QuakeTriggerTable } from './quake.tables.js';
import type { Intensity } from './telegram.js';

/** The SQL of earthquake triggers: settings, telegrams, triggers, decisions and the feed's state. */

export function settingsOf(db: Db, associationId: string) {
  return db.selectFrom('quake_settings').selectAll().where('association_id', '=', associationId).executeTakeFirst();
}

export function saveSettings(
  db: Db,
  associationId: string,
  values: {
    area_codes: string[]; city_codes: string[]; min_intensity: Intensity; hold_off_seconds: number; aftershock_seconds: number; drills_from_training: boolean;
    deadline_seconds: number; volunteers_after_seconds: number; officers_after_seconds: number;
  },
  personId: string | null,
) {
  const row = { ...values, updated_by: personId, updated_at: new Date() };
  return db
    .insertInto('quake_settings')
    .values({ association_id: associationId, ...row })
    .onConflict((oc) => oc.column('association_id').doUpdateSet(row))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The associations whose areas a telegram names, or that have a trigger for its quake (a 取消 names no area). */
export function concernedSettings(trx: Transaction<Database>, areaCodes: string[], eventId: string) {
  return trx
    .selectFrom('quake_settings')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('area_codes', '&&', sql<string[]>`${areaCodes}::text[]`),
        eb.exists(eb.selectFrom('quake_triggers').select(sql`1`.as('one')).whereRef('quake_triggers.association_id', '=', 'quake_settings.association_id').where('quake_triggers.event_id', '=', eventId)),
      ]),
    )
    .orderBy('association_id')
    .execute();
}

/** One association's decisions wait for each other (two telegrams at once cannot both start an event). */
export async function lockAssociation(trx: Transaction<Database>, associationId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`quakes:${associationId}`}))`.execute(trx);
}

export function feedState(db: Db, url: string) {
  return db.selectFrom('quake_feed_state').selectAll().where('url', '=', url).executeTakeFirst();
}

export function saveFeedState(db: Db, url: string, lastModified: string | null) {
  return db
    .insertInto('quake_feed_state')
    .values({ url, last_modified: lastModified })
    .onConflict((oc) => oc.column('url').doUpdateSet({ last_modified: lastModified, checked_at: new Date() }))
    .execute();
}

/**
 * How many times a telegram that is not well-formed XML (a truncated download), or that does
 * not download at all, is fetched before it is kept as rejected and the poll goes past it.
 */
export const MALFORMED_ATTEMPTS = 3;
export const FETCH_ATTEMPTS = 10;
const retryable = sql<boolean>`(
  (coalesce(quake_telegrams.rejected like 'malformed_xml%', false) and quake_telegrams.attempts < ${MALFORMED_ATTEMPTS})
  or (coalesce(quake_telegrams.rejected like 'fetch_failed%', false) and quake_telegrams.attempts < ${FETCH_ATTEMPTS}))`;

/** A telegram that did not download, counted (its attempts returned); undefined when it was handled meanwhile. */
export async function recordFetchFailure(db: Db, entry: { id: string; url: string }, reason: string) {
  const row = await db
    .insertInto('quake_telegrams')
    .values({ entry_id: entry.id, url: entry.url, raw: '', parsed: null, rejected: `fetch_failed: ${reason}`.slice(0, 500) })
    .onConflict((oc) => oc.column('entry_id').doUpdateSet({ rejected: `fetch_failed: ${reason}`.slice(0, 500), attempts: sql<number>`quake_telegrams.attempts + 1` }).where(retryable))
    .returning('attempts')
    .executeTakeFirst();
  return row?.attempts;
}

/** Which of these feed entries were handled for good (a malformed one under its attempt limit is not). */
export async function knownEntries(db: Db, entryIds: string[]): Promise<Set<string>> {
  if (!entryIds.length) return new Set();
  const rows = await db.selectFrom('quake_telegrams').select('entry_id').where('entry_id', '=', sql<string>`any(${entryIds}::text[])`).where(sql<boolean>`not (${retryable})`).execute();
  return new Set(rows.map((r) => r.entry_id));
}

/**
 * The once-only marker of a telegram: undefined when another instance stored it first. A
 * malformed one under its attempt limit is overwritten by the next fetch (attempts + 1).
 */
export function insertTelegram(trx: Transaction<Database>, row: Insertable<QuakeTelegramTable>) {
  const { entry_id: _entry, ...again } = row;
  return trx
    .insertInto('quake_telegrams')
    .values(row)
    .onConflict((oc) => oc.column('entry_id').doUpdateSet({ ...again, attempts: sql<number>`quake_telegrams.attempts + 1` }).where(retryable))
    .returning(['id', 'attempts'])
    .executeTakeFirst();
}

/**
 * Whether a telegram of this quake and status newer than `reportAt` was stored already
 * (`cancelled` when one of them is a 取消): a late older telegram then changes nothing.
 */
export async function newerTelegram(trx: Transaction<Database>, eventId: string, status: string, reportAt: Date, exceptId: string): Promise<'cancelled' | 'newer' | null> {
  const row = await trx
    .selectFrom('quake_telegrams')
    .select(sql<boolean>`bool_or(info_type = '取消')`.as('cancelled'))
    .select(sql<number>`count(*)::int`.as('n'))
    .where('event_id', '=', eventId)
    .where('status', '=', status)
    .where('report_at', '>', reportAt)
    .where('id', '<>', exceptId)
    .executeTakeFirstOrThrow();
  return row.n === 0 ? null : row.cancelled ? 'cancelled' : 'newer';
}

/** Pending triggers whose time passed before `before` (their quake-fire job lost or given up): fired again. */
export function overdueTriggers(db: Db, before: Date) {
  return db.selectFrom('quake_triggers').select(['id', 'round']).where('status', '=', 'pending').where('fire_at', '<', before).orderBy('fire_at').limit(100).execute();
}

/** The association's trigger for this quake and kind, locked. */
export function triggerFor(trx: Transaction<Database>, associationId: string, eventId: string, kind: 'real' | 'drill') {
  return trx.selectFrom('quake_triggers').selectAll().where('association_id', '=', associationId).where('event_id', '=', eventId).where('kind', '=', kind).forUpdate().executeTakeFirst();
}

/**
 * Its latest pending or started trigger of this kind created since `since` (the aftershock window), locked;
 * with `startedOtherThan`, its latest started one other than that trigger (the event a further quake joins when it fires).
 */
export function recentTrigger(trx: Transaction<Database>, associationId: string, kind: 'real' | 'drill', since: Date, startedOtherThan?: string) {
  return trx
    .selectFrom('quake_triggers')
    .selectAll()
    .where('association_id', '=', associationId)
    .where('kind', '=', kind)
    .where('status', 'in', startedOtherThan ? ['started'] : ['pending', 'started'])
    .$if(!!startedOtherThan, (qb) => qb.where('id', '<>', startedOtherThan!))
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export type TriggerRow = NonNullable<Awaited<ReturnType<typeof recentTrigger>>>;

/** Whether an earlier telegram of this quake was decided for the association (then below its threshold). */
export async function quakeSeen(trx: Transaction<Database>, associationId: string, eventId: string) {
  const row = await trx
    .selectFrom('quake_decisions')
    .innerJoin('quake_telegrams', 'quake_telegrams.id', 'quake_decisions.telegram_id')
    .select('quake_decisions.id')
    .where('quake_decisions.association_id', '=', associationId)
    .where('quake_telegrams.event_id', '=', eventId)
    .limit(1)
    .executeTakeFirst();
  return !!row;
}

export function insertTrigger(trx: Transaction<Database>, row: Insertable<QuakeTriggerTable>) {
  return trx.insertInto('quake_triggers').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Updates a trigger and adds the telegram to the ones it names. */
export function updateTrigger(trx: Transaction<Database>, id: string, set: Updateable<QuakeTriggerTable>, telegramId?: string) {
  return trx
    .updateTable('quake_triggers')
    .set({ ...set, ...(telegramId ? { telegram_ids: sql<string[]>`array_append(telegram_ids, ${telegramId}::uuid)` } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function lockTrigger(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('quake_triggers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function insertDecision(trx: Transaction<Database>, row: Insertable<QuakeDecisionTable>) {
  return trx.insertInto('quake_decisions').values(row).onConflict((oc) => oc.columns(['telegram_id', 'association_id']).doNothing()).execute();
}

/** The telegrams a trigger names, oldest first: what the event's report and audit cite. */
export function telegramsOf(db: Db, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('quake_telegrams').select(['id', 'entry_id', 'event_id', 'info_type', 'report_at', 'parsed']).where('id', '=', sql<string>`any(${ids}::uuid[])`).orderBy('report_at').execute();
}

/** The association's log: each telegram that named its areas and what was decided, newest first. */
export function decisionLog(db: Db, associationId: string, limit: number) {
  return db
    .selectFrom('quake_decisions')
    .innerJoin('quake_telegrams', 'quake_telegrams.id', 'quake_decisions.telegram_id')
    .leftJoin('quake_triggers', 'quake_triggers.id', 'quake_decisions.trigger_id')
    .select([
      'quake_decisions.id', 'quake_decisions.at', 'quake_decisions.action', 'quake_decisions.reason', 'quake_decisions.intensity', 'quake_decisions.basis', 'quake_decisions.places',
      'quake_telegrams.url', 'quake_telegrams.event_id', 'quake_telegrams.info_type', 'quake_telegrams.status', 'quake_telegrams.report_at',
      sql<string | null>`quake_telegrams.parsed->>'title'`.as('title'),
      'quake_triggers.status as trigger_status', 'quake_triggers.drill_id', 'quake_triggers.fire_at',
    ])
    .where('quake_decisions.association_id', '=', associationId)
    .orderBy('quake_decisions.at', 'desc')
    .orderBy('quake_decisions.id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * The association's triggers whose notice still matters to its officers: pending ones, and
 * started ones whose event is still active (`joined`: it joined an event another trigger
 * started, as a further quake in the aftershock window), newest first.
 */
export function noticeTriggers(db: Db, associationId: string) {
  return db
    .selectFrom('quake_triggers')
    .leftJoin('drills', (join) => join.onRef('drills.id', '=', 'quake_triggers.drill_id').onRef('drills.association_id', '=', 'quake_triggers.association_id'))
    .select([
      'quake_triggers.id', 'quake_triggers.kind', 'quake_triggers.status', 'quake_triggers.intensity', 'quake_triggers.area_name', 'quake_triggers.event_id',
      'quake_triggers.fire_at', 'quake_triggers.drill_id', 'quake_triggers.unreceived', 'quake_triggers.created_at',
    ])
    .select((eb) =>
      eb.exists(
        eb.selectFrom('quake_triggers as first')
          .select(sql`1`.as('one'))
          .whereRef('first.drill_id', '=', 'quake_triggers.drill_id')
          .whereRef('first.association_id', '=', 'quake_triggers.association_id')
          .whereRef('first.created_at', '<', 'quake_triggers.created_at'),
      ).as('joined'))
    .where('quake_triggers.association_id', '=', associationId)
    .where((eb) => eb.or([eb('quake_triggers.status', '=', 'pending'), eb.and([eb('quake_triggers.status', '=', 'started'), eb('drills.status', '=', 'active')])]))
    .orderBy('quake_triggers.created_at', 'desc')
    .limit(50)
    .execute();
}

/** The association's telegram decisions about an active event (an aftershock asking again, a 取消 after it asked), newest first. */
export function noticeDecisions(db: Db, associationId: string) {
  return db
    .selectFrom('quake_decisions')
    .innerJoin('quake_telegrams', 'quake_telegrams.id', 'quake_decisions.telegram_id')
    .innerJoin('quake_triggers', (join) => join.onRef('quake_triggers.id', '=', 'quake_decisions.trigger_id').onRef('quake_triggers.association_id', '=', 'quake_decisions.association_id'))
    .innerJoin('drills', (join) => join.onRef('drills.id', '=', 'quake_triggers.drill_id').onRef('drills.association_id', '=', 'quake_triggers.association_id'))
    .select([
      'quake_decisions.telegram_id', 'quake_decisions.action', 'quake_decisions.intensity', 'quake_decisions.at', 'quake_telegrams.event_id', 'quake_telegrams.parsed',
      'quake_triggers.kind', 'quake_triggers.intensity as trigger_intensity', 'quake_triggers.unreceived as trigger_unreceived', 'quake_triggers.drill_id',
    ])
    .where('quake_decisions.association_id', '=', associationId)
    .where('quake_decisions.action', 'in', ['aftershock', 'cancelled_after_start'])
    .where('drills.status', '=', 'active')
    .orderBy('quake_decisions.at', 'desc')
    .limit(50)
    .execute();
}

const ID = '00000000-0000-0000-0000-000000000001';
const OTHER = '00000000-0000-0000-0000-000000000002';
export const sqlExamples: SqlExample[] = [
  { name: 'settingsOf', run: (db) => settingsOf(db, ID) },
  { name: 'saveSettings', run: (db) => saveSettings(db, ID, { area_codes: ['511'], city_codes: ['2621100'], min_intensity: '5-', hold_off_seconds: 120, aftershock_seconds: 21600, drills_from_training: false, deadline_seconds: 10800, volunteers_after_seconds: 900, officers_after_seconds: 1800 }, OTHER) },
  { name: 'concernedSettings', run: (db) => db.transaction().execute((trx) => concernedSettings(trx, ['511', '520'], '20261201100000')) },
  { name: 'lockAssociation', run: (db) => db.transaction().execute((trx) => lockAssociation(trx, ID)) },
  { name: 'feedState', run: (db) => feedState(db, 'https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml') },
  { name: 'saveFeedState', run: (db) => saveFeedState(db, 'https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml', 'Tue, 01 Dec 2026 01:02:00 GMT') },
  { name: 'knownEntries', run: (db) => knownEntries(db, ['https://example.invalid/a.xml']) },
  { name: 'insertTelegram', run: (db) => db.transaction().execute((trx) => insertTelegram(trx, { entry_id: 'e', url: 'u', raw: '<Report/>', parsed: null, rejected: 'malformed_xml' })) },
  { name: 'recordFetchFailure', run: (db) => recordFetchFailure(db, { id: 'e', url: 'u' }, 'HTTP 404') },
  { name: 'newerTelegram', run: (db) => db.transaction().execute((trx) => newerTelegram(trx, '20261201100000', '通常', new Date('2026-12-01T00:00:00Z'), ID)) },
  { name: 'overdueTriggers', run: (db) => overdueTriggers(db, new Date('2026-12-01T00:00:00Z')) },
  { name: 'triggerFor', run: (db) => db.transaction().execute((trx) => triggerFor(trx, ID, '20261201100000', 'real')) },
  { name: 'recentTrigger', run: (db) => db.transaction().execute((trx) => recentTrigger(trx, ID, 'real', new Date('2026-12-01T00:00:00Z'))) },
  { name: 'quakeSeen', run: (db) => db.transaction().execute((trx) => quakeSeen(trx, ID, '20261201100000')) },
  { name: 'insertTrigger', run: (db) => db.transaction().execute((trx) => insertTrigger(trx, { association_id: ID, event_id: '20261201100000', kind: 'real', intensity: '5-', area_name: '京都府南部', fire_at: new Date('2026-12-01T00:00:00Z'), last_report_at: new Date('2026-12-01T00:00:00Z'), telegram_ids: [OTHER] })) },
  { name: 'updateTrigger', run: (db) => db.transaction().execute((trx) => updateTrigger(trx, ID, { intensity: '6-' }, OTHER)) },
  { name: 'lockTrigger', run: (db) => db.transaction().execute((trx) => lockTrigger(trx, ID)) },
  { name: 'insertDecision', run: (db) => db.transaction().execute((trx) => insertDecision(trx, { telegram_id: ID, association_id: OTHER, action: 'none', reason: 'below_threshold', intensity: '3', trigger_id: null })) },
  { name: 'telegramsOf', run: (db) => telegramsOf(db, [ID]) },
  { name: 'decisionLog', run: (db) => decisionLog(db, ID, 100) },
  { name: 'noticeTriggers', run: (db) => noticeTriggers(db, ID) },
  { name: 'noticeDecisions', run: (db) => noticeDecisions(db, ID) },
];
