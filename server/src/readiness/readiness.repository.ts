import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';

/**
 * Readiness's own SQL: the registration rate per 班 over time. Who can
 * be reached is not decided here: that is common/reachability.repository.ts.
 */

/**
 * Registered households per 班 at the end of each of the last `count` weeks or months (in
 * `timeZone`): a household counts from the day its first member who still has a login got it.
 * One statement: each household's first login (looked up per household of the association
 * through people.household_id), counted per 班 and period, summed up over the periods.
 */
export async function registrationSeries(
  db: Db,
  associationId: string,
  options: { period: 'week' | 'month'; count: number; timeZone: string; blockIds?: readonly string[] },
) {
  const { period, count, timeZone, blockIds } = options;
  const step = `1 ${period}`;
  const inBlocks = (column: string) => (blockIds ? sql`and ${isAnyOf(column, blockIds)}` : sql``);
  const { rows } = await sql<{ block_id: string; starts: string; registered: number }>`
    with periods as (
      select generate_series(
        date_trunc(${period}, now() at time zone ${timeZone}) - ${count - 1}::int * ${step}::interval,
        date_trunc(${period}, now() at time zone ${timeZone}),
        ${step}::interval
      ) as starts
    ), registered as (
      select h.block_id, first_login.since
      from households h
      cross join lateral (
        select min(p.login_since) as since from people p where p.household_id = h.id and p.password_hash is not null
      ) first_login
      where h.association_id = ${associationId} and first_login.since is not null ${inBlocks('h.block_id')}
    ), bucketed as (
      -- Each home in the period it registered in (earlier ones in the first period shown).
      select block_id, greatest(date_trunc(${period}, since at time zone ${timeZone}), (select min(starts) from periods)) as starts, count(*) as homes
      from registered
      group by 1, 2
    )
    select b.id as block_id, to_char(pe.starts, 'YYYY-MM-DD') as starts,
      (sum(coalesce(k.homes, 0)) over (partition by b.id order by pe.starts))::int as registered
    from blocks b
    cross join periods pe
    left join bucketed k on k.block_id = b.id and k.starts = pe.starts
    where b.association_id = ${associationId} ${inBlocks('b.id')}
    order by b.sort_order, b.name, b.id, pe.starts`.execute(db);
  return rows;
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'registrationSeries — by week, one 班', run: (db) => registrationSeries(db, ID, { period: 'week', count: 12, timeZone: 'Asia/Tokyo', blockIds: [OTHER] }) },
];
