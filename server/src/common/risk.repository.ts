import { sql, type RawBuilder } from 'kysely';
import type { SqlExample } from '../platform/db/sql-snapshot.js';

/**
 * A household's risk flags, as one rule: a drill's targets carry them (drills/target.repository.ts,
 * insertTargets) and a 班長's phone list orders by them (tasks/task.repository.ts,
 * captainHouseholds), so both read this one SQL expression. Lives alone: at most one member
 * living there (family living elsewhere do not count); speaker only; paper only (neither app
 * nor speaker). The flags come in this order.
 */
export type RiskFlag = 'lives_alone' | 'speaker_only' | 'paper_only';

/** The risk flags (text[]) of the household row `alias` (a table alias of `households` in the query). */
export function riskFlagsOf(alias: string): RawBuilder<RiskFlag[]> {
  const id = sql.ref(`${alias}.id`);
  const channels = sql.ref(`${alias}.channels`);
  return sql<RiskFlag[]>`array_remove(array[
    case when (select count(*) from people p where p.household_id = ${id} and not p.lives_elsewhere) <= 1 then 'lives_alone' end,
    case when ${channels} = '{speaker}' then 'speaker_only' end,
    case when not ('app' = any(${channels})) and not ('speaker' = any(${channels})) then 'paper_only' end
  ], null)::text[]`;
}

/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [{ name: 'riskFlagsOf', run: (db) => db.selectFrom('households as h').select(['h.id', riskFlagsOf('h').as('risk')]).execute() }];
