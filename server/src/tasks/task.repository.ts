import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { riskFlagsOf } from '../common/risk.repository.js';

/** The SQL of a 班長's tasks (captain_tasks): households to visit for a circular they have not read. */

/**
 * Tasks of an association with their household and circular, in 班 and household order
 * (`blockIds`: only these 班; `circularId`: only this circular's). At most `limit` (1,000 by
 * default, a page a person reads); `null` is every one, for a step that must cover them all.
 */
export function findTasks(
  db: Db,
  filter: { associationId: string; blockIds?: string[]; status?: 'open' | 'done'; id?: string; circularId?: string; limit?: number | null },
) {
  return db
    .selectFrom('captain_tasks as t')
    .innerJoin('households as h', 'h.id', 't.household_id')
    .innerJoin('blocks as b', 'b.id', 't.block_id')
    .leftJoin('circulars as c', 'c.id', 't.circular_id')
    .select([
      't.id', 't.kind', 't.status', 't.created_at', 'c.id as circular_id', 'c.title as circular_title', 'c.due_at',
      'h.id as household_id', 'h.household_number', 'h.name', 'h.address', 'h.channels', 'h.responder_notes', 'b.name as block_name',
    ])
    .where('t.association_id', '=', filter.associationId)
    .$if(!!filter.blockIds, (q) => q.where(isAnyOf('t.block_id', filter.blockIds!)))
    .$if(!!filter.status, (q) => q.where('t.status', '=', filter.status!))
    .$if(!!filter.id, (q) => q.where('t.id', '=', filter.id!))
    .$if(!!filter.circularId, (q) => q.where('t.circular_id', '=', filter.circularId!))
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .orderBy('t.created_at')
    .$if(filter.limit !== null, (q) => q.limit(filter.limit ?? 1000))
    .execute();
}

/** Marks a task done with a note; a task resolved again keeps its first time. */
export function markTaskDone(db: Db, id: string, note: string, personId: string) {
  return db
    .updateTable('captain_tasks')
    .set({ status: 'done', note, resolved_at: sql`coalesce(resolved_at, now())`, resolved_by: personId })
    .where('id', '=', id)
    .execute();
}

/**
 * A task for every household that has not read the circular, in one INSERT … SELECT; a
 * household that already has one gets no second (a re-run creates nothing). Returns the new ones.
 */
export function insertUnreadCircularTasks(db: Db, circularId: string) {
  return db
    .insertInto('captain_tasks')
    .columns(['association_id', 'block_id', 'household_id', 'kind', 'circular_id'])
    .expression((eb) =>
      eb
        .selectFrom('circular_recipients')
        .select(['association_id', 'block_id', 'household_id', eb.val('circular_unread').as('kind'), 'circular_id'])
        .where('circular_id', '=', circularId)
        .where('acknowledged_at', 'is', null),
    )
    .onConflict((oc) => oc.columns(['kind', 'circular_id', 'household_id']).doNothing())
    .returning(['id', 'block_id'])
    .execute();
}

/** Closes the open tasks of a circular (of one household, when given) with a note. */
/** Closes a circular's open tasks: of these households, or (withdrawn) of every household. */
export function closeCircularTasks(db: Db, circularId: string, note: string, householdIds?: readonly string[]) {
  return db
    .updateTable('captain_tasks')
    .set({ status: 'done', note, resolved_at: new Date() })
    .where('circular_id', '=', circularId)
    .$if(householdIds !== undefined, (q) => q.where(isAnyOf('household_id', householdIds!)))
    .where('status', '=', 'open')
    .execute();
}

/** The households of a 班長's phone list with their risk flags (the one rule, common/risk.repository), only those of these 班 (`blockIds`; officers: undefined) and this association: the scope is in the query. */
export function captainHouseholds(db: Db, filter: { associationId: string; householdIds: readonly string[]; blockIds?: readonly string[] }) {
  return db
    .selectFrom('households as h')
    .innerJoin('blocks as b', 'b.id', 'h.block_id')
    .select(['h.id', 'h.household_number', 'h.name', 'h.address', 'h.block_id', 'b.name as block_name', 'b.sort_order', 'h.channels', 'h.responder_notes'])
    .select(riskFlagsOf('h').as('risk'))
    .where('h.association_id', '=', filter.associationId)
    .where(isAnyOf('h.id', filter.householdIds))
    .$if(!!filter.blockIds, (q) => q.where(isAnyOf('h.block_id', filter.blockIds!)))
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  // Every optional clause at once: a captain's 班 (officers: none), a status (a list) or an id (one task).
  { name: 'findTasks', run: (db) => findTasks(db, { associationId: ID, blockIds: [OTHER], status: 'open', id: OTHER }) },
  { name: 'findTasks — every open task of a circular in these 班 (a bulk sign-off)', run: (db) => findTasks(db, { associationId: ID, blockIds: [OTHER], status: 'open', circularId: ID, limit: null }) },
  { name: 'markTaskDone', run: (db) => markTaskDone(db, ID, '訪問しました', OTHER) },
  { name: 'insertUnreadCircularTasks', run: (db) => insertUnreadCircularTasks(db, ID) },
  { name: 'captainHouseholds — a 班長: their 班', run: (db) => captainHouseholds(db, { associationId: ID, householdIds: [OTHER], blockIds: [ID] }) },
  { name: 'closeCircularTasks — a household acknowledged (withdrawn: every household’s)', run: (db) => closeCircularTasks(db, ID, '既読 (speaker)', [OTHER]) },
];
