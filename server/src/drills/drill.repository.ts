import { sql, type Insertable, type Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { DrillAnswerTable, DrillTable } from './drill.tables.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf, NO_ID } from '../platform/db/sql.js';
import { heldToday } from '../common/people.repository.js';
import type { DrillReport } from '../contracts/drills.js';

/**
 * The SQL of safety confirmation, for the drills themselves, their timeline (drill_events),
 * the answer history and the people they reach. The households' targets of a drill are in
 * target.repository.ts.
 */

export function findDrill(db: Db, id: string) {
  return db.selectFrom('drills').selectAll().where('id', '=', id).executeTakeFirst();
}

export type DrillRow = NonNullable<Awaited<ReturnType<typeof findDrill>>>;

/** Locked: an officer ending the drill waits for the step that holds it, or the step finds it ended. */
export function lockDrill(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('drills').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function insertDrill(trx: Transaction<Database>, drill: Insertable<DrillTable>) {
  return trx.insertInto('drills').values(drill).returningAll().executeTakeFirstOrThrow();
}

/** Ends it if it is still active: of two officers ending at once, one gets the row. */
export function endActiveDrill(trx: Transaction<Database>, id: string, endedBy: string) {
  return trx
    .updateTable('drills')
    .set({ status: 'ended', ended_at: new Date(), ended_by: endedBy })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

export function saveReport(trx: Transaction<Database>, id: string, report: DrillReport) {
  return trx.updateTable('drills').set({ report: JSON.stringify(report) }).where('id', '=', id).execute();
}

/**
 * Which drills a list shows (drill.policy.ts, listScope): every one of the association, or
 * the active ones for helpers, those that reached the household or its 班長's 班, and for a
 * 班長 also the ended ones that reached their 班 (for their 班's report).
 */
export function drillsInScope(
  db: Db,
  scope: { associationId: string; everything: boolean; anyActive: boolean; householdId: string | null; captainOf: string[] },
) {
  return db
    .selectFrom('drills')
    .selectAll()
    .where('association_id', '=', scope.associationId)
    .$if(!scope.everything, (q) =>
      q.where((eb) => {
        // Two probes: the household down the targets' primary key (drill, household); the 班 in
        // the drill's kept per-班 counts (a row per drill and 班), not in its 100,000 targets.
        const targets = () => eb.selectFrom('drill_targets').select(sql`1`.as('one')).whereRef('drill_targets.drill_id', '=', 'drills.id');
        const blockCounts = () =>
          eb.selectFrom('drill_block_counts').select(sql`1`.as('one')).whereRef('drill_block_counts.drill_id', '=', 'drills.id').where('drill_block_counts.total', '>', 0);
        const reached = (blocksOnly: boolean) =>
          eb.or([
            ...(blocksOnly ? [] : [eb.exists(targets().where('drill_targets.household_id', '=', scope.householdId ?? NO_ID))]),
            eb.exists(blockCounts().where(isAnyOf('drill_block_counts.block_id', scope.captainOf))),
          ]);
        return eb.or([
          scope.anyActive ? eb('status', '=', 'active') : eb.and([eb('status', '=', 'active'), reached(false)]),
          ...(scope.captainOf.length ? [eb.and([eb('status', '=', 'ended'), reached(true)])] : []),
        ]);
      }),
    )
    .orderBy('started_at', 'desc')
    .limit(100)
    .execute();
}

/** The active drills addressed to a household, newest first. */
export function activeDrillsOf(db: Db, associationId: string, householdId: string) {
  return db
    .selectFrom('drills')
    .innerJoin('drill_targets', 'drill_targets.drill_id', 'drills.id')
    .selectAll('drills')
    .where('drills.association_id', '=', associationId)
    .where('drills.status', '=', 'active')
    .where('drill_targets.household_id', '=', householdId)
    .orderBy('drills.started_at', 'desc')
    .execute();
}

/** The five ended drills before this one; with `blocks`, only those that reached these 班. */
export function earlierDrills(db: Db, drill: { id: string; association_id: string; started_at: Date }, blocks?: readonly string[]) {
  return db
    .selectFrom('drills')
    .selectAll()
    .where('association_id', '=', drill.association_id)
    .where('status', '=', 'ended')
    .where('id', '!=', drill.id)
    .where('started_at', '<', drill.started_at)
    .$if(!!blocks, (q) =>
      // From the kept per-班 counts: a 班 the drill had targets in has a row with households.
      q.where((eb) =>
        eb.exists(
          eb.selectFrom('drill_block_counts').select(sql`1`.as('one')).whereRef('drill_block_counts.drill_id', '=', 'drills.id').where(isAnyOf('drill_block_counts.block_id', blocks!)).where('drill_block_counts.total', '>', 0),
        ),
      ),
    )
    .orderBy('started_at', 'desc')
    .limit(5)
    .execute();
}

/**
 * A step's once-only marker (or a moment of the timeline), written in the step's own
 * transaction: the row is unique per (drill, step), so a second run of the step waits for the
 * first's transaction and then finds it. True when this call wrote it.
 */
export async function addEvent(db: Db, drillId: string, what: string): Promise<boolean> {
  const inserted = await db
    .insertInto('drill_events')
    .values({ drill_id: drillId, what })
    .onConflict((oc) => oc.columns(['drill_id', 'what']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!inserted;
}

export function drillEvents(db: Db, drillId: string) {
  return db.selectFrom('drill_events').select(['at', 'what']).where('drill_id', '=', drillId).orderBy('at').execute();
}

/** Every answer is kept, in order: the history behind a target's latest status. */
export function insertAnswer(db: Db, answer: Insertable<DrillAnswerTable>) {
  return db.insertInto('drill_answers').values(answer).execute();
}

/** Which of these 班 are the association's (a drill's scope must be). */
export function blocksOf(db: Db, associationId: string, blockIds: readonly string[]) {
  return db.selectFrom('blocks').select('id').where('association_id', '=', associationId).where(isAnyOf('id', blockIds)).execute();
}

export async function blockNames(db: Db, blockIds: readonly string[]) {
  if (!blockIds.length) return [];
  return (await db.selectFrom('blocks').select('name').where(isAnyOf('id', blockIds)).orderBy('sort_order').execute()).map((b) => b.name);
}

export function householdOf(db: Db, householdId: string) {
  return db.selectFrom('households').select(['name', 'block_id']).where('id', '=', householdId).executeTakeFirst();
}

/** Who hears at once that a household needs help: the association's officers and its 班's 班長. */
export async function captainAndOfficers(db: Db, associationId: string, blockId: string) {
  const people = await db
    .selectFrom('role_assignments')
    .select('person_id')
    .distinct()
    .where('association_id', '=', associationId)
    .where((eb) => eb.or([eb('role', '=', 'officer'), eb.and([eb('role', '=', 'captain'), eb('block_id', '=', blockId)])]))
    .where(heldToday)
    .execute();
  return people.map((p) => p.person_id);
}

/** Who holds one of these roles today; with `blockIds`, only in these 班 (the 班長 of a tier). */
export async function peopleInRoles(db: Db, associationId: string, roles: ('captain' | 'volunteer' | 'welfare_commissioner' | 'officer')[], blockIds?: readonly string[]) {
  const people = await db
    .selectFrom('role_assignments')
    .select('person_id')
    .distinct()
    .where('association_id', '=', associationId)
    .where('role', 'in', roles)
    .$if(!!blockIds, (q) => q.where(isAnyOf('block_id', blockIds!)))
    .where(heldToday)
    .execute();
  return people.map((p) => p.person_id);
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const inTransaction = <T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(work);
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'findDrill', run: (db) => findDrill(db, ID) },
  { name: 'lockDrill', run: (db) => inTransaction(db, (trx) => lockDrill(trx, ID)) },
  {
    name: 'insertDrill',
    run: (db) => inTransaction(db, (trx) => insertDrill(trx, { association_id: ID, kind: 'drill', title: '訓練', message: '', announced: false, target_block_ids: null, deadline_at: '2026-12-01T10:00:00Z', started_by: OTHER })),
  },
  { name: 'endActiveDrill', run: (db) => inTransaction(db, (trx) => endActiveDrill(trx, ID, OTHER)) },
  { name: 'saveReport', run: (db) => inTransaction(db, (trx) => saveReport(trx, ID, { counts: {} } as DrillReport)) },
  { name: 'drillsInScope — officers: every drill', run: (db) => drillsInScope(db, { associationId: ID, everything: true, anyActive: true, householdId: null, captainOf: [] }) },
  { name: 'drillsInScope — a 班長 with a household', run: (db) => drillsInScope(db, { associationId: ID, everything: false, anyActive: false, householdId: OTHER, captainOf: [OTHER] }) },
  { name: 'drillsInScope — a volunteer without a household', run: (db) => drillsInScope(db, { associationId: ID, everything: false, anyActive: true, householdId: null, captainOf: [] }) },
  { name: 'activeDrillsOf', run: (db) => activeDrillsOf(db, ID, OTHER) },
  { name: 'earlierDrills — the association', run: (db) => earlierDrills(db, { id: ID, association_id: OTHER, started_at: new Date('2026-12-01T09:00:00Z') }) },
  { name: 'earlierDrills — a 班長: their 班', run: (db) => earlierDrills(db, { id: ID, association_id: OTHER, started_at: new Date('2026-12-01T09:00:00Z') }, [OTHER]) },
  { name: 'addEvent', run: (db) => addEvent(db, ID, 'deadline') },
  { name: 'drillEvents', run: (db) => drillEvents(db, ID) },
  { name: 'insertAnswer', run: (db) => insertAnswer(db, { drill_id: ID, household_id: OTHER, status: 'safe', location: 'home', note: '', channel: 'app', recorded_by: OTHER }) },
  { name: 'blocksOf', run: (db) => blocksOf(db, ID, [OTHER]) },
  { name: 'blockNames', run: (db) => blockNames(db, [ID, OTHER]) },
  { name: 'householdOf', run: (db) => householdOf(db, ID) },
  { name: 'captainAndOfficers', run: (db) => captainAndOfficers(db, ID, OTHER) },
  { name: 'peopleInRoles — the 班長 of these 班', run: (db) => peopleInRoles(db, ID, ['captain'], [OTHER]) },
  { name: 'peopleInRoles — volunteers', run: (db) => peopleInRoles(db, ID, ['volunteer', 'welfare_commissioner']) },
];
