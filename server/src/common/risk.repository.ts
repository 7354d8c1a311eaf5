import { sql, type RawBuilder } from 'kysely';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import type { Db } from '../platform/db/database.js';

/**
 * A household's risk flags, as one rule: a drill's targets carry them (drills/target.repository.ts,
 * insertTargets) and a 班長's phone list orders by them (tasks/task.repository.ts,
 * captainHouseholds), so both read this one SQL expression. Lives alone: at most one member
 * living there (family living elsewhere do not count); speaker only; paper only (neither app
 * nor speaker). The flags come in this order.
 */
export type RiskFlag = 'lives_alone' | 'speaker_only' | 'paper_only';

/**
 * The risk flags (text[]) of the household row `alias`, given how many members live there
 * (`living`, an SQL expression: see livingMembers).
 */
export function riskFlags(alias: string, living: RawBuilder<number>): RawBuilder<RiskFlag[]> {
  const channels = sql.ref(`${alias}.channels`);
  return sql<RiskFlag[]>`array_remove(array[
    case when ${living} <= 1 then 'lives_alone' end,
    case when ${channels} = '{speaker}' then 'speaker_only' end,
    case when not ('app' = any(${channels})) and not ('speaker' = any(${channels})) then 'paper_only' end
  ], null)::text[]`;
}

/** The members living in the household row `alias` (family living elsewhere do not count), counted for that row. */
function livingMembersOf(alias: string): RawBuilder<number> {
  return sql<number>`(select count(*) from people p where p.household_id = ${sql.ref(`${alias}.id`)} and not p.lives_elsewhere)`;
}

/** The risk flags of the household row `alias`, its members counted for that row (a page of households). */
export function riskFlagsOf(alias: string): RawBuilder<RiskFlag[]> {
  return riskFlags(alias, livingMembersOf(alias));
}

/**
 * The members living in each household of the association, in one pass (a whole association's
 * households at once: a drill's start): `household_id`, `n`. A household without any is absent (0).
 */
export function livingMembers(db: Db, associationId: string) {
  return db
    .selectFrom('people')
    .select(['household_id', sql<number>`count(*)::int`.as('n')])
    .where('association_id', '=', associationId)
    .where('household_id', 'is not', null)
    .where('lives_elsewhere', '=', false)
    .groupBy('household_id');
}

/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'riskFlagsOf', run: (db) => db.selectFrom('households as h').select(['h.id', riskFlagsOf('h').as('risk')]).execute() },
  { name: 'riskFlags — counted in one pass (livingMembers)', run: (db) => db.selectFrom('households as h').leftJoin(livingMembers(db, '11111111-1111-4111-8111-111111111111').as('l'), 'l.household_id', 'h.id').select(['h.id', riskFlags('h', sql<number>`coalesce(l.n, 0)`).as('risk')]).execute() },
  { name: 'livingMembers', run: (db) => livingMembers(db, '11111111-1111-4111-8111-111111111111').execute() },
];
