import type { Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { AlertKind, AlertOutcome, AlertStatus, AlertTier } from './watch.tables.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { PREPARED } from '../platform/db/prepared.js';
import type { WatchScope } from './watch.policy.js';
import { visibleHomes } from './watch.repository.js';
import { canBeReached } from '../common/reachability.repository.js';
import { heldToday } from '../common/people.repository.js';

/** The SQL of watch alerts and their events (the rest of the watch is in watch.repository.ts). */

/** An alert still to be acted on; at most one per home and kind (the partial unique index). */
const LIVE: AlertStatus[] = ['open', 'taken'];
const CLOSED: AlertStatus[] = ['resolved', 'cancelled'];

/** Raises an alert unless the home already has a live one of its kind: the id, or undefined. */
export function insertAlert(db: Db, alert: { association_id: string; household_id: string; kind: AlertKind; tier: AlertTier; device_id?: string }) {
  return db
    .insertInto('watch_alerts')
    .values(alert)
    .onConflict((oc) => oc.columns(['household_id', 'kind']).where('status', 'in', LIVE).doNothing())
    .returning('id')
    .executeTakeFirst();
}

export async function insertAlertEvent(db: Db, event: { alert_id: string; what: string; tier: AlertTier | null; person_id: string | null; detail?: string }) {
  await db.insertInto('watch_alert_events').values(event).execute();
}

/** The alert, locked until the escalation step's transaction ends. */
export function lockAlert(trx: Transaction<Database>, alertId: string) {
  return trx.selectFrom('watch_alerts').select(['id', 'status', 'tier', 'household_id']).where('id', '=', alertId).forUpdate().executeTakeFirst();
}

/** The once-only marker of an escalation to a tier: the id, or undefined when it was already done. */
export function markEscalated(db: Db, alertId: string, tier: AlertTier) {
  return db
    .insertInto('watch_alert_events')
    .values({ alert_id: alertId, what: 'escalated', tier, person_id: null })
    .onConflict((oc) => oc.columns(['alert_id', 'tier']).where('what', '=', 'escalated').doNothing())
    .returning('id')
    .executeTakeFirst();
}

/** Whether anyone watching over this home as family can be reached (common/reachability.repository.ts). */
export async function familyCanBeReached(db: Db, householdId: string) {
  const one = await db
    .selectFrom('role_assignments')
    .innerJoin('people', 'people.id', 'role_assignments.person_id')
    .select('role_assignments.person_id')
    .where('role_assignments.role', '=', 'family_watcher')
    .where('role_assignments.household_id', '=', householdId)
    .where(heldToday)
    .where(canBeReached)
    .limit(1)
    .executeTakeFirst();
  return !!one;
}

export async function setAlertTier(db: Db, alertId: string, tier: AlertTier) {
  await db.updateTable('watch_alerts').set({ tier }).where('id', '=', alertId).execute();
}

/** Takes an open alert for a person: the id, or undefined when it is taken or closed. */
export function takeOpenAlert(db: Db, alertId: string, personId: string) {
  return db.updateTable('watch_alerts').set({ status: 'taken', taken_at: new Date(), taken_by: personId }).where('id', '=', alertId).where('status', '=', 'open').returning('id').executeTakeFirst();
}

/** Closes a live alert: the id, or undefined when it was already closed. */
export function closeLiveAlert(db: Db, alertId: string, close: { status: 'resolved' | 'cancelled'; outcome: AlertOutcome; note: string; personId: string | null }) {
  return db
    .updateTable('watch_alerts')
    .set({ status: close.status, outcome: close.outcome, note: close.note, resolved_at: new Date(), resolved_by: close.personId })
    .where('id', '=', alertId)
    .where('status', 'in', LIVE)
    .returning('id')
    .executeTakeFirst();
}

/** The prompt a resident answers: one of this home's alerts. */
export function findHomeAlert(db: Db, alertId: string, householdId: string) {
  return db.selectFrom('watch_alerts').select(['id', 'status']).where('id', '=', alertId).where('household_id', '=', householdId).executeTakeFirst();
}

export function liveAlertsOfHomes(db: Db, householdIds: readonly string[], kind?: AlertKind) {
  return db
    .selectFrom('watch_alerts')
    .select(['id', 'kind', 'tier', 'status', 'household_id'])
    .where(isAnyOf('household_id', householdIds))
    .$if(!!kind, (q) => q.where('kind', '=', kind!))
    .where('status', 'in', LIVE)
    .modifyEnd(PREPARED)
    .execute();
}

export function liveDeviceAlerts(db: Db, deviceIds: readonly string[]) {
  return db.selectFrom('watch_alerts').select('id').where(isAnyOf('device_id', deviceIds)).where('kind', '=', 'device_offline').where('status', 'in', LIVE).modifyEnd(PREPARED).execute();
}

/** What an announcement of an alert says, and to whose home. */
export function alertToAnnounce(db: Db, alertId: string) {
  return db
    .selectFrom('watch_alerts')
    .innerJoin('households', 'households.id', 'watch_alerts.household_id')
    .select(['watch_alerts.id', 'watch_alerts.association_id', 'watch_alerts.household_id', 'watch_alerts.kind', 'watch_alerts.tier', 'watch_alerts.status', 'households.name', 'households.block_id'])
    .where('watch_alerts.id', '=', alertId)
    .executeTakeFirstOrThrow();
}

export interface AlertFilter {
  associationId: string;
  ids?: readonly string[];
  householdIds?: readonly string[];
  live?: boolean;
  /** Only homes this scope sees (and device alerts only for officers); the tier is checked per row. */
  visibleTo?: WatchScope;
}

/** Alerts with their home, device, taker and the home's consent: newest first, at most 200. */
export function alertRows(db: Db, where: AlertFilter) {
  return db
    .selectFrom('watch_alerts as a')
    .innerJoin('households as h', 'h.id', 'a.household_id')
    .innerJoin('blocks as b', 'b.id', 'h.block_id')
    .leftJoin('devices as d', 'd.id', 'a.device_id')
    .leftJoin('people as t', 't.id', 'a.taken_by')
    .leftJoin('watch_settings as s', 's.household_id', 'a.household_id')
    .select([
      'a.id', 'a.kind', 'a.status', 'a.tier', 'a.raised_at', 'a.taken_at', 'a.resolved_at', 'a.outcome', 'a.note', 'a.household_id',
      'h.household_number', 'h.name', 'h.address', 'h.responder_notes', 'b.name as block_name', 'h.block_id',
      'd.id as device_id', 'd.label as device_label', 't.name as taken_by_name', 's.last_activity_at',
      's.share_with_family', 's.share_with_captain', 's.share_with_volunteers',
    ])
    .where('a.association_id', '=', where.associationId)
    .$if(!!where.ids, (q) => q.where(isAnyOf('a.id', where.ids!)))
    .$if(!!where.householdIds, (q) => q.where(isAnyOf('a.household_id', where.householdIds!)))
    .$if(!!where.visibleTo, (q) => q.where(visibleHomes(where.visibleTo!)).$if(!where.visibleTo!.officer, (q2) => q2.where('a.kind', '!=', 'device_offline')))
    .$if(where.live === true, (q) => q.where('a.status', 'in', LIVE))
    .$if(where.live === false, (q) => q.where('a.status', 'in', CLOSED))
    .orderBy('a.raised_at', 'desc')
    .limit(200)
    .execute();
}

export function alertEvents(db: Db, alertIds: readonly string[]) {
  return db
    .selectFrom('watch_alert_events as e')
    .leftJoin('people as p', 'p.id', 'e.person_id')
    .select(['e.alert_id', 'e.at', 'e.what', 'e.tier', 'e.detail', 'p.name'])
    .where(isAnyOf('e.alert_id', alertIds))
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'insertAlert — a silent home', run: (db) => insertAlert(db, { association_id: OTHER, household_id: ID, kind: 'silent', tier: 'resident' }) },
  { name: 'insertAlert — a device offline', run: (db) => insertAlert(db, { association_id: OTHER, household_id: ID, device_id: OTHER, kind: 'device_offline', tier: 'officers' }) },
  { name: 'insertAlertEvent', run: (db) => insertAlertEvent(db, { alert_id: ID, what: 'prompted', tier: 'resident', person_id: null, detail: '' }) },
  { name: 'lockAlert', run: (db) => db.transaction().execute((trx) => lockAlert(trx, ID)) },
  { name: 'markEscalated', run: (db) => markEscalated(db, ID, 'family_captain') },
  { name: 'familyCanBeReached', run: (db) => familyCanBeReached(db, ID) },
  { name: 'setAlertTier', run: (db) => setAlertTier(db, ID, 'family_captain') },
  { name: 'takeOpenAlert', run: (db) => takeOpenAlert(db, ID, OTHER) },
  { name: 'closeLiveAlert', run: (db) => closeLiveAlert(db, ID, { status: 'resolved', outcome: 'fine', note: '', personId: OTHER }) },
  { name: 'findHomeAlert', run: (db) => findHomeAlert(db, ID, OTHER) },
  { name: 'liveAlertsOfHomes', run: (db) => liveAlertsOfHomes(db, [ID]) },
  { name: 'liveAlertsOfHomes — silent homes only', run: (db) => liveAlertsOfHomes(db, [ID], 'silent') },
  { name: 'liveDeviceAlerts', run: (db) => liveDeviceAlerts(db, [ID]) },
  { name: 'alertToAnnounce', run: (db) => alertToAnnounce(db, ID) },
  { name: 'alertRows — live, as a 班長 and volunteer sees them', run: (db) => alertRows(db, { associationId: OTHER, live: true, visibleTo: { officer: false, household: null, family: [], captainOf: [ID], volunteer: true } }) },
  { name: 'alertRows — one alert, unscoped', run: (db) => alertRows(db, { associationId: OTHER, ids: [ID] }) },
  { name: 'alertRows — a home’s, closed', run: (db) => alertRows(db, { associationId: OTHER, householdIds: [ID], live: false }) },
  { name: 'alertEvents', run: (db) => alertEvents(db, [ID]) },
];
