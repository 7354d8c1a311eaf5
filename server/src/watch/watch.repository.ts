import { sql, type Updateable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { AssignedRole } from '../roster/roster.tables.js';
import type { WatchSettingsTable } from './watch.tables.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { PREPARED } from '../platform/db/prepared.js';
import { heldToday } from '../common/people.repository.js';
import { DEFAULT_CONSENT, type WatchScope } from './watch.policy.js';

/**
 * The SQL of watching over homes, but for the alerts themselves (alert.repository.ts): each
 * home's rules and consent, its activity, away periods, the access log, and the speakers and
 * people the watch reaches.
 */

/**
 * The homes a scope may see (watch.policy.ts, `watchScope`), as a where clause over
 * `households as h` and (left-joined) `watch_settings as s`: the same rule `audienceFor`
 * applies in memory, so lists are scoped in the query. A missing settings row counts as the
 * default consent.
 */
export function visibleHomes(scope: WatchScope) {
  if (scope.officer) return sql<boolean>`true`;
  const parts = [];
  if (scope.household) parts.push(sql`h.id = ${scope.household}::uuid`);
  if (scope.family.length) parts.push(sql`(h.id = any(${scope.family}::uuid[]) and coalesce(s.share_with_family, ${DEFAULT_CONSENT.share_with_family}))`);
  if (scope.captainOf.length) parts.push(sql`(h.block_id = any(${scope.captainOf}::uuid[]) and coalesce(s.share_with_captain, ${DEFAULT_CONSENT.share_with_captain}))`);
  if (scope.volunteer) parts.push(sql`coalesce(s.share_with_volunteers, ${DEFAULT_CONSENT.share_with_volunteers})`);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` or `)})` : sql<boolean>`false`;
}

// ── Rules and consent ─────────────────────────────────────────────────────────────────

/** A home's rules at the defaults, first checked the default threshold (12 h) from now; a home that has rules keeps them. */
export async function insertDefaultSettings(db: Db, householdId: string, associationId: string) {
  await db
    .insertInto('watch_settings')
    .values({ household_id: householdId, association_id: associationId, next_check_at: sql`now() + interval '12 hours'` })
    .onConflict((oc) => oc.column('household_id').doNothing())
    .execute();
}

/** Homes heard from start their rules at the defaults (their next check is set by the activity). */
export async function enrolHomes(db: Db, homes: { household_id: string; association_id: string }[]) {
  await db.insertInto('watch_settings').values(homes).onConflict((oc) => oc.column('household_id').doNothing()).execute();
}

/**
 * Homes' settings (`s`) with their association (`a`): its time zone is the clock the rules are
 * read by (watch-time.ts), loaded with them, never by a second query.
 */
export const settingsWithZone = (db: Db) => db.selectFrom('watch_settings as s').innerJoin('associations as a', 'a.id', 's.association_id');

/**
 * A home's rules, with its association's time zone: the clock its quiet hours and watch day
 * are read by (watch-time.ts), loaded with the rules it applies to, not by a second query.
 */
export function findSettings(db: Db, householdId: string) {
  return settingsWithZone(db)
    .selectAll('s')
    .select('a.time_zone')
    .where('s.household_id', '=', householdId)
    .executeTakeFirst();
}

export type SettingsRow = NonNullable<Awaited<ReturnType<typeof findSettings>>>;

/**
 * What a batch of activity needs of its homes' settings: when each was last active, and the
 * rules its next check is worked out from (watch-time.ts nextCheckOf) with the time zone of
 * its association they are read in (joined: no second round trip) — not the whole row, read
 * for every home of every ingest batch.
 */
export function settingsOf(db: Db, householdIds: readonly string[]) {
  return settingsWithZone(db)
    .select(['s.household_id', 's.last_activity_at', 's.inactivity_seconds', 's.quiet_start', 's.quiet_end', 's.rhythm_enabled', 's.rhythm_usual_hour', 's.rhythm_grace_seconds', 'a.time_zone'])
    .where(isAnyOf('s.household_id', householdIds))
    .modifyEnd(PREPARED)
    .execute();
}

export async function updateSettings(db: Db, householdId: string, values: Updateable<WatchSettingsTable>) {
  await db.updateTable('watch_settings').set(values).where('household_id', '=', householdId).execute();
}

/** Homes due a check, oldest first (by the partial index on next_check_at), with their association's time zone. */
export function dueSettings(db: Db, now: Date, limit: number) {
  return settingsWithZone(db)
    .selectAll('s')
    .select('a.time_zone')
    .where('s.enabled', '=', true)
    .where('s.next_check_at', '<=', now)
    .orderBy('s.next_check_at')
    .limit(limit)
    .execute();
}

export async function setNextCheck(db: Db, householdId: string, at: Date | null) {
  await db.updateTable('watch_settings').set({ next_check_at: at }).where('household_id', '=', householdId).execute();
}

/**
 * Each home's last activity moved forward, in one statement, never backwards; and its next
 * check set to `next` unless the stored one lies between `slack` and `next` (watch-time.ts
 * checkSlackMs): then it stays, the row's indexed columns are unchanged and the update is
 * HOT. Decided on the row as it is when updated, so a check a concurrent scan cleared (a live
 * alert) is set again.
 *
 * The rows are locked first, in household id order (`locked`: found by the primary key, sorted,
 * then locked as the sorted rows come), the order every writer of watch_settings takes them in
 * (rhythm.repository.ts, "Lock order"): an UPDATE's own plan promises no order, so without it
 * a batch and a zone change or a rhythm chunk could each hold a home the other waits for. The
 * update then joins only the rows it locked (its own locks: no second wait), by the primary
 * key, in the same round trip (EXPLAIN, custom and generic plan, 20 of 20 000 homes: index
 * scans on watch_settings_pkey, a sort of the 20, no sequential scan).
 */
export async function moveLastActivity(db: Db, moved: { id: string; at: string; next: string; slack: string }[]) {
  await sql`
    with locked as (
      select household_id from watch_settings where household_id = any(${moved.map((m) => m.id)}::uuid[]) order by household_id for no key update
    )
    update watch_settings s set last_activity_at = v.at,
      next_check_at = case when s.next_check_at between v.slack and v.next then s.next_check_at else v.next end
    from locked l join jsonb_to_recordset(${JSON.stringify(moved)}::jsonb) as v(id uuid, at timestamptz, next timestamptz, slack timestamptz) on v.id = l.household_id
    where s.household_id = l.household_id and (s.last_activity_at is null or s.last_activity_at < v.at) ${PREPARED}`.execute(db);
}

// ── Activity ──────────────────────────────────────────────────────────────────────────

/**
 * Adds counts to the homes' hourly aggregates (one upsert) and reads the homes' watch settings
 * (settingsOf's columns, the association's time zone joined), in one statement: the batch's
 * one round trip for both. The upsert's CTE runs to its end whatever the select reads (it
 * reads only watch_settings and associations).
 */
export async function addHourlyActivity(db: Db, householdIds: readonly string[], rows: { household_id: string; hour: Date; presence: number; buttons: number; voice: number }[]) {
  // One array per column (five parameters however many rows, as device_messages' INSERT), in
  // key order, so two lanes' batches upserting the same homes wait rather than deadlock.
  const sorted = [...rows].sort((a, b) => (a.household_id < b.household_id ? -1 : a.household_id > b.household_id ? 1 : a.hour.getTime() - b.hour.getTime()));
  const column = <K extends keyof (typeof rows)[number]>(key: K) => sorted.map((r) => r[key]);
  const { rows: settings } = await sql<Awaited<ReturnType<typeof settingsOf>>[number]>`
    with added as (
      insert into activity_hourly as a (household_id, hour, presence, buttons, voice)
      select * from unnest(${column('household_id')}::uuid[], ${column('hour')}::timestamptz[], ${column('presence')}::int[], ${column('buttons')}::int[], ${column('voice')}::int[])
      on conflict (household_id, hour) do update
      set presence = a.presence + excluded.presence, buttons = a.buttons + excluded.buttons, voice = a.voice + excluded.voice)
    select s.household_id, s.last_activity_at, s.inactivity_seconds, s.quiet_start, s.quiet_end, s.rhythm_enabled, s.rhythm_usual_hour, s.rhythm_grace_seconds, assoc.time_zone
    from watch_settings s join associations assoc on assoc.id = s.association_id
    where s.household_id = any(${householdIds}::uuid[]) ${PREPARED}`.execute(db);
  return settings;
}

export function hourlyActivity(db: Db, householdId: string, since: Date) {
  return db.selectFrom('activity_hourly').select(['hour', 'presence', 'buttons', 'voice']).where('household_id', '=', householdId).where('hour', '>=', since).execute();
}

/** Raw device events past their retention; hourly aggregates and alerts stay. */
export async function deleteDeviceMessagesBefore(db: Db, retentionDays: number) {
  const result = await db.deleteFrom('device_messages').where('received_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays})`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ── Away periods ──────────────────────────────────────────────────────────────────────

/** For each of these homes away at `now`, the end of the away period ending last (one statement for a scan's homes). */
export function awayEnds(db: Db, householdIds: readonly string[], now: Date) {
  return db
    .selectFrom('watch_away_periods')
    .select(['household_id', (eb) => eb.fn.max('ends_at').as('ends_at')])
    .where(isAnyOf('household_id', householdIds))
    .where('starts_at', '<=', now)
    .where('ends_at', '>', now)
    .groupBy('household_id')
    .execute();
}

export function homesAwayNow(db: Db, householdIds: readonly string[]) {
  return db.selectFrom('watch_away_periods').select('household_id').where(isAnyOf('household_id', householdIds)).where('starts_at', '<=', new Date()).where('ends_at', '>', new Date()).execute();
}

export function awayPeriodsAhead(db: Db, householdId: string) {
  return db.selectFrom('watch_away_periods').select(['id', 'starts_at', 'ends_at', 'reason']).where('household_id', '=', householdId).where('ends_at', '>', new Date()).orderBy('starts_at').execute();
}

export async function insertAway(db: Db, away: { household_id: string; association_id: string; starts_at: string; ends_at: string; reason: string; created_by: string }) {
  await db.insertInto('watch_away_periods').values(away).execute();
}

export async function deleteAway(db: Db, householdId: string, awayId: string) {
  const deleted = await db.deleteFrom('watch_away_periods').where('id', '=', awayId).where('household_id', '=', householdId).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

// ── Homes, speakers and people ────────────────────────────────────────────────────────

export function findHousehold(db: Db, householdId: string) {
  return db.selectFrom('households').select(['id', 'association_id', 'block_id', 'name']).where('id', '=', householdId).executeTakeFirst();
}

/** The homes an actor watches, with their state: the watch board's rows. */
export function watchedHomes(db: Db, associationId: string, scope: WatchScope) {
  return db
    .selectFrom('watch_settings as s')
    .innerJoin('households as h', 'h.id', 's.household_id')
    .innerJoin('blocks as b', 'b.id', 'h.block_id')
    .select(['h.id', 'h.household_number', 'h.name', 'b.name as block_name', 'h.block_id', 's.last_activity_at', 's.share_with_family', 's.share_with_captain', 's.share_with_volunteers'])
    .where('s.association_id', '=', associationId)
    .where(visibleHomes(scope))
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .execute();
}

/** A home's live speakers: where its prompt is asked. */
export function liveSpeakers(db: Db, householdId: string) {
  return db.selectFrom('devices').select(['id', 'association_id', 'online', 'last_seen_at']).where('household_id', '=', householdId).where('revoked_at', 'is', null).execute();
}

export function speakersOfHomes(db: Db, householdIds: readonly string[]) {
  return db.selectFrom('devices').select(['id', 'label', 'online', 'household_id', 'last_heartbeat', 'last_seen_at']).where(isAnyOf('household_id', householdIds)).where('revoked_at', 'is', null).execute();
}

/**
 * Devices not heard from: no heartbeat within the household's offline time, or a last will
 * (online = false) that was not followed by a reconnect within five minutes; none that
 * already has a live device alert.
 */
export function silentDevices(db: Db, limit: number) {
  return (
    db
      .selectFrom('devices')
      // A home without rules yet is checked on the defaults.
      .leftJoin('watch_settings', 'watch_settings.household_id', 'devices.household_id')
      .select(['devices.id', 'devices.association_id', 'devices.household_id'])
      .where('devices.revoked_at', 'is', null)
      .where('devices.household_id', 'is not', null)
      .where('devices.last_seen_at', '<', sql<Date>`now() - interval '5 minutes'`)
      .where((eb) => eb.or([eb('devices.online', '=', false), eb('devices.last_seen_at', '<', sql<Date>`now() - make_interval(mins => coalesce(watch_settings.offline_minutes, 30))`)]))
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('watch_alerts').select('watch_alerts.id').whereRef('watch_alerts.device_id', '=', 'devices.id').where('watch_alerts.kind', '=', 'device_offline').where('watch_alerts.status', 'in', ['open', 'taken']))),
      )
      .limit(limit)
      .execute()
  );
}

export async function markDeviceOffline(db: Db, deviceId: string) {
  await db.updateTable('devices').set({ online: false }).where('id', '=', deviceId).execute();
}

/**
 * The people holding these roles today for a home: family of this home, 班長 of its 班,
 * and the association's volunteers, welfare commissioners and officers.
 */
export function roleHolders(db: Db, home: { associationId: string; householdId: string; blockId: string }, roles: AssignedRole[]) {
  return db
    .selectFrom('role_assignments')
    .select('person_id')
    .distinct()
    .where('association_id', '=', home.associationId)
    .where('role', 'in', roles)
    .where((eb) =>
      eb.or([
        eb('role', 'in', ['volunteer', 'welfare_commissioner', 'officer']),
        eb.and([eb('role', '=', 'family_watcher'), eb('household_id', '=', home.householdId)]),
        eb.and([eb('role', '=', 'captain'), eb('block_id', '=', home.blockId)]),
      ]),
    )
    .where(heldToday)
    .execute();
}

// ── The access log ────────────────────────────────────────────────────────────────────

/** Who looked at which home's watch data, and what. */
export async function logAccess(db: Db, entries: { association_id: string; person_id: string; household_id: string; what: string }[]) {
  if (!entries.length) return;
  await db.insertInto('watch_access_log').values(entries).execute();
}

export function accessLog(db: Db, associationId: string) {
  return db
    .selectFrom('watch_access_log as l')
    .innerJoin('households as h', 'h.id', 'l.household_id')
    .leftJoin('people as p', 'p.id', 'l.person_id')
    .select(['l.at', 'p.name', 'h.name as household_name', 'l.what'])
    .where('l.association_id', '=', associationId)
    .orderBy('l.at', 'desc')
    .limit(500)
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const AT = new Date('2026-11-22T00:00:00.000Z');
const SCOPE: WatchScope = { officer: false, household: ID, family: [OTHER], captainOf: [OTHER], volunteer: true };
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'settingsWithZone — the from clause the settings reads share', run: (db) => settingsWithZone(db).select(['s.household_id', 'a.time_zone']).execute() },
  // visibleHomes for a member, family, 班長 and volunteer at once: see watchedHomes.
  { name: 'visibleHomes — nobody', run: (db) => db.selectFrom('households as h').leftJoin('watch_settings as s', 's.household_id', 'h.id').select('h.id').where(visibleHomes({ officer: false, household: null, family: [], captainOf: [], volunteer: false })).execute() },
  { name: 'insertDefaultSettings', run: (db) => insertDefaultSettings(db, ID, OTHER) },
  { name: 'enrolHomes', run: (db) => enrolHomes(db, [{ household_id: ID, association_id: OTHER }]) },
  { name: 'findSettings', run: (db) => findSettings(db, ID) },
  { name: 'settingsOf', run: (db) => settingsOf(db, [ID, OTHER]) },
  { name: 'updateSettings', run: (db) => updateSettings(db, ID, { enabled: true, inactivity_seconds: 86_400, quiet_start: '22:00', quiet_end: '06:00', updated_at: AT }) },
  { name: 'dueSettings', run: (db) => dueSettings(db, AT, 1000) },
  { name: 'setNextCheck', run: (db) => setNextCheck(db, ID, AT) },
  { name: 'moveLastActivity', run: (db) => moveLastActivity(db, [{ id: ID, at: AT.toISOString(), next: AT.toISOString(), slack: AT.toISOString() }]) },
  { name: 'addHourlyActivity', run: (db) => addHourlyActivity(db, [ID], [{ household_id: ID, hour: AT, presence: 2, buttons: 1, voice: 0 }]) },
  { name: 'hourlyActivity', run: (db) => hourlyActivity(db, ID, AT) },
  { name: 'deleteDeviceMessagesBefore', run: (db) => deleteDeviceMessagesBefore(db, 90) },
  { name: 'awayEnds', run: (db) => awayEnds(db, [ID], AT) },
  { name: 'homesAwayNow', run: (db) => homesAwayNow(db, [ID]) },
  { name: 'awayPeriodsAhead', run: (db) => awayPeriodsAhead(db, ID) },
  { name: 'insertAway', run: (db) => insertAway(db, { household_id: ID, association_id: OTHER, starts_at: AT.toISOString(), ends_at: AT.toISOString(), reason: '入院', created_by: OTHER }) },
  { name: 'deleteAway', run: (db) => deleteAway(db, ID, OTHER) },
  { name: 'findHousehold', run: (db) => findHousehold(db, ID) },
  { name: 'watchedHomes', run: (db) => watchedHomes(db, OTHER, SCOPE) },
  { name: 'liveSpeakers', run: (db) => liveSpeakers(db, ID) },
  { name: 'speakersOfHomes', run: (db) => speakersOfHomes(db, [ID]) },
  { name: 'silentDevices', run: (db) => silentDevices(db, 1000) },
  { name: 'markDeviceOffline', run: (db) => markDeviceOffline(db, ID) },
  { name: 'roleHolders', run: (db) => roleHolders(db, { associationId: OTHER, householdId: ID, blockId: OTHER }, ['family_watcher', 'captain', 'volunteer']) },
  { name: 'logAccess', run: (db) => logAccess(db, [{ association_id: OTHER, person_id: OTHER, household_id: ID, what: 'activity' }]) },
  { name: 'accessLog', run: (db) => accessLog(db, OTHER) },
];
