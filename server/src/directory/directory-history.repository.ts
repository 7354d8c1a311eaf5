import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { ownedBy, type Owner } from './directory-owner.js';

/**
 * The SQL of 変更履歴: the directory's audit rows about entries, scoped in the query to the
 * entries the viewer keeps (an association's or a city's by the owner rules of
 * directory-owner.ts; an organisation's, its own services). A row about another owner's entry,
 * or about no entry at all (an invitation, a join), never comes back. An entry may have moved
 * between organisations: an organisation gets only the rows that are its own (below). A CSV
 * import (one row, no entry) names its owner: that owner's officers or city editors see it; an
 * organisation never does (its counts are of other organisations' entries too).
 */

/** Whose entries: an owner's (officers, a city's editors) or an organisation's (its own login). */
export type HistoryScope = Owner | { organisationId: string };

/** The freshness job's actions: its rows have no actor at all. */
export const JOB_ACTIONS = ['directory.service.stale', 'directory.service.hide_stale', 'directory.service.remind'];

/**
 * An organisation's rows of its entries: those by its own accounts, and those by an officer, a
 * city editor or the job, except a decision on a change another organisation proposed. An entry
 * moved from organisation X keeps X's proposals, their approvals and rejections (with the
 * reason) and X's account's name and login: none of them is the new organisation's. A row whose
 * actor is no longer on record (an account deleted since) may be another organisation's, so
 * it is left out too.
 */
const organisationsOwn = (organisationId: string) => sql<boolean>`s.organisation_id = ${organisationId}
  and (d.organisation_id = ${organisationId}
    or ((a.actor_person_id is not null or d.role = 'city_editor' or (a.actor_account_id is null and a.action = any(${JOB_ACTIONS}::text[])))
      and (a.action not in ('directory.change.approve', 'directory.change.reject')
        or exists (
          select 1 from directory_changes c join directory_accounts ca on ca.id = c.account_id
          where c.id::text = a.detail->>'change' and ca.organisation_id = ${organisationId}))))`;

const IMPORTED = 'directory.imported';

export type HistoryRow = {
  id: string; at: Date; action: string; service_id: string | null; service: string | null; detail: Record<string, unknown> | null;
  by_person: boolean; person_name: string | null; account_role: 'organisation' | 'city_editor' | null; account_name: string | null; account_login: string | null;
};

/**
 * The scope's rows of the history, as a subquery (v) with the columns of a page: the rows about
 * the scope's entries (joined to them, so the entries' owner index drives it, as before imports
 * were shown), and, for an owner, its imports (their own owner columns, through their partial
 * indexes). Two arms of a UNION ALL rather than one OR across both tables, which no index serves.
 */
const visibleRows = (scope: HistoryScope, actions: readonly string[]) => {
  const columns = (service: 'entry' | 'none') => sql`a.id, a.at, a.action, ${service === 'entry' ? sql`s.id as service_id, s.name as service` : sql`null::uuid as service_id, null::text as service`}, a.detail, a.actor_person_id, d.role as account_role, d.name as account_name, d.login as account_login`;
  const entries = sql`
    select ${columns('entry')}
    from directory_audit a
    join directory_services s on s.id = a.subject
    left join directory_accounts d on d.id = a.actor_account_id
    where ${'organisationId' in scope ? organisationsOwn(scope.organisationId) : ownedBy(scope, 's')} and a.action = any(${actions}::text[])`;
  if ('organisationId' in scope || !actions.includes(IMPORTED)) return sql`(${entries}) v`;
  return sql`(${entries}
    union all
    select ${columns('none')}
    from directory_audit a
    left join directory_accounts d on d.id = a.actor_account_id
    where ${ownedBy(scope, 'a')} and a.action = ${IMPORTED}) v`;
};

/** Whether the audit row `before` is one the scope sees (a cursor from a page it was given). */
export async function historyCursorVisible(db: Db, scope: HistoryScope, actions: readonly string[], before: string) {
  const { rows } = await sql<{ visible: boolean }>`
    select exists (select 1 from ${visibleRows(scope, actions)} where v.id = ${before}::bigint) as visible`.execute(db);
  return rows[0]?.visible ?? false;
}

/**
 * A page of the audit of the scope's entries, newest first (by time, then id), older than the
 * row `before` (an audit id: the keyset of the page before, itself looked up in the scope).
 * `actions` are the audit's actions shown.
 */
export async function historyPage(db: Db, scope: HistoryScope, page: { actions: readonly string[]; before: string | null; limit: number }) {
  const { rows } = await sql<HistoryRow>`
    select v.id::text as id, v.at, v.action, v.service_id, v.service, v.detail,
      v.actor_person_id is not null as by_person, (select p.name from people p where p.id = v.actor_person_id) as person_name, v.account_role, v.account_name, v.account_login
    from ${visibleRows(scope, page.actions)}
    ${page.before === null ? sql`` : sql`where (v.at, v.id) < (select v.at, v.id from ${visibleRows(scope, page.actions)} where v.id = ${page.before}::bigint)`}
    order by v.at desc, v.id desc
    limit ${page.limit}`.execute(db);
  return rows;
}

const ID = '11111111-1111-4111-8111-111111111111';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'historyPage', run: (db) => historyPage(db, { associationId: ID }, { actions: ['directory.service.update'], before: null, limit: 31 }) },
  { name: 'historyPage — a city’s, after a cursor', run: (db) => historyPage(db, { cityAreaId: ID }, { actions: ['directory.service.update'], before: '42', limit: 31 }) },
  { name: 'historyPage — an organisation’s', run: (db) => historyPage(db, { organisationId: ID }, { actions: ['directory.service.update'], before: null, limit: 31 }) },
  { name: 'historyPage — with imports', run: (db) => historyPage(db, { associationId: ID }, { actions: ['directory.service.update', 'directory.imported'], before: null, limit: 31 }) },
  { name: 'historyCursorVisible', run: (db) => historyCursorVisible(db, { associationId: ID }, ['directory.service.update'], '42') },
];
