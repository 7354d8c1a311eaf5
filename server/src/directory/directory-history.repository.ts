import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { ownedBy, type Owner } from './directory-owner.js';

/**
 * The SQL of 変更履歴: the directory's audit rows about entries, scoped in the query to the
 * entries the viewer keeps (an association's or a city's by the owner rules of
 * directory-owner.ts; an organisation's, its own services). A row about another owner's entry,
 * or about no entry at all (an import, an invitation, a join), never comes back.
 */

/** Whose entries: an owner's (officers, a city's editors) or an organisation's (its own login). */
export type HistoryScope = Owner | { organisationId: string };

const inScope = (scope: HistoryScope) => ('organisationId' in scope ? sql<boolean>`s.organisation_id = ${scope.organisationId}` : ownedBy(scope, 's'));

export type HistoryRow = {
  id: string; at: Date; action: string; service_id: string; service: string; detail: Record<string, unknown> | null;
  person_name: string | null; account_role: 'organisation' | 'city_editor' | null; account_name: string | null; account_login: string | null;
};

/**
 * A page of the audit of the scope's entries, newest first (by time, then id), older than the
 * row `before` (an audit id: the keyset of the page before). `actions` are the audit's actions shown.
 */
export async function historyPage(db: Db, scope: HistoryScope, page: { actions: readonly string[]; before: string | null; limit: number }) {
  const { rows } = await sql<HistoryRow>`
    select a.id::text as id, a.at, a.action, s.id as service_id, s.name as service, a.detail,
      p.name as person_name, d.role as account_role, d.name as account_name, d.login as account_login
    from directory_audit a
    join directory_services s on s.id = a.subject
    left join people p on p.id = a.actor_person_id
    left join directory_accounts d on d.id = a.actor_account_id
    where ${inScope(scope)} and a.action = any(${page.actions}::text[])
      ${page.before === null ? sql`` : sql`and (a.at, a.id) < (select b.at, b.id from directory_audit b where b.id = ${page.before}::bigint)`}
    order by a.at desc, a.id desc
    limit ${page.limit}`.execute(db);
  return rows;
}

const ID = '11111111-1111-4111-8111-111111111111';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'historyPage', run: (db) => historyPage(db, { associationId: ID }, { actions: ['directory.service.update'], before: null, limit: 31 }) },
  { name: 'historyPage — a city’s, after a cursor', run: (db) => historyPage(db, { cityAreaId: ID }, { actions: ['directory.service.update'], before: '42', limit: 31 }) },
  { name: 'historyPage — an organisation’s', run: (db) => historyPage(db, { organisationId: ID }, { actions: ['directory.service.update'], before: null, limit: 31 }) },
];
