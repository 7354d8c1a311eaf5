import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import type { DirectoryAccountRole } from './directory-accounts.tables.js';
import { areaAncestors, areaTree, ownedBy, ownerColumns, type Owner } from './directory-owner.js';
import { entryToday } from './directory-time.js';

/**
 * The SQL of the directory's own logins (organisations, city editors), their sessions, the
 * organisations' pending changes and their review, and the directory's audit. Who may review
 * a change is decided in the query: an officer, the changes to their association's entries;
 * a city editor, the changes to entries of their city (directory-review.service.ts).
 */

/** An officer's: their association's entries; a city editor's: their city's entries and any entry serving an area of the city. */
export type ReviewScope = { associationId: string } | { cityAreaId: string };

const inScope = (scope: ReviewScope) => ('associationId' in scope ? sql`s.created_by_association_id = ${scope.associationId}` : sql`(s.owner_area_id = ${scope.cityAreaId}
  or exists (select 1 from directory_service_areas sa where sa.service_id = s.id and sa.area_id in ${areaTree(scope.cityAreaId)}))`);

/**
 * An invitation for `login` to keep `organisationId`'s entries: a new account, or a fresh code
 * for the same organisation's account (`reinvited`: it had joined, so the code is its password
 * reset). Undefined when the login belongs to someone else.
 */
export async function upsertInvitation(db: Db, input: { organisationId: string; name: string; login: string; invitationHash: string; expiresAt: Date; associationId: string | null }) {
  const { rows } = await sql<{ id: string; reinvited: boolean }>`
    insert into directory_accounts (role, organisation_id, name, login, invitation_hash, invitation_expires_at, invited_by_association_id)
    values ('organisation', ${input.organisationId}, ${input.name}, ${input.login}, ${input.invitationHash}, ${input.expiresAt}, ${input.associationId})
    on conflict (login) do update set invitation_hash = excluded.invitation_hash, invitation_expires_at = excluded.invitation_expires_at
    where directory_accounts.organisation_id = excluded.organisation_id
    returning id, password_hash is not null as reinvited`.execute(db);
  return rows[0];
}

/** The account a live invitation code (by its hash) names, locked; undefined when used or expired. */
export function accountByInvitation(db: Db, invitationHash: string) {
  return db.selectFrom('directory_accounts').select(['id', 'login'])
    .where('invitation_hash', '=', invitationHash).where('invitation_expires_at', '>', sql<Date>`now()`)
    .forUpdate().executeTakeFirst();
}

/**
 * Sets the account's password and spends its invitation. A fresh invitation of a joined
 * account is its password reset: whoever was signed in with the old password is signed out
 * (one statement, so the caller's transaction holds both or neither).
 */
export function setAccountPassword(db: Db, id: string, passwordHash: string) {
  return sql`
    with ended as (delete from directory_sessions where account_id = ${id})
    update directory_accounts set password_hash = ${passwordHash}, invitation_hash = null, invitation_expires_at = null
    where id = ${id}`.execute(db);
}

export function accountByLogin(db: Db, login: string) {
  return db.selectFrom('directory_accounts').select(['id', 'password_hash']).where('login', '=', login).executeTakeFirst();
}

/** A city editor's account for a city (an area of kind 'city'), added or given a new password and city (the CLI and the demo). */
export async function upsertCityEditor(db: Db, input: { name: string; login: string; passwordHash: string; areaId: string }) {
  const { rows } = await sql<{ id: string }>`
    insert into directory_accounts (role, name, login, password_hash, area_id) values ('city_editor', ${input.name}, ${input.login}, ${input.passwordHash}, ${input.areaId})
    on conflict (login) do update set password_hash = excluded.password_hash, name = excluded.name, area_id = excluded.area_id
    where directory_accounts.role = 'city_editor'
    returning id`.execute(db);
  return rows[0]?.id;
}

export function insertDirectorySession(db: Db, session: { id: string; accountId: string; csrfToken: string; expiresAt: Date }) {
  return db.insertInto('directory_sessions').values({ id: session.id, account_id: session.accountId, csrf_token: session.csrfToken, expires_at: session.expiresAt }).execute();
}

export function deleteDirectorySession(db: Db, id: string) {
  return db.deleteFrom('directory_sessions').where('id', '=', id).execute();
}

/** A live session's account, with its organisation. */
export function sessionAccount(db: Db, sessionId: string) {
  return db.selectFrom('directory_sessions as ds')
    .innerJoin('directory_accounts as a', 'a.id', 'ds.account_id')
    .leftJoin('directory_organisations as o', 'o.id', 'a.organisation_id')
    .select(['ds.id as session_id', 'ds.csrf_token', 'a.id', 'a.role', 'a.name', 'a.login', 'a.organisation_id', 'o.name as organisation_name', 'a.area_id'])
    .where('ds.id', '=', sessionId).where('ds.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** An organisation an editor may invite: the owner's by name, or the organisation of one of the owner's entries. */
export async function invitableOrganisation(db: Db, owner: Owner, name: string) {
  const { rows } = await sql<{ id: string }>`
    select o.id from directory_organisations o
    where o.name = ${name} and (${ownedBy(owner, 'o')}
      or exists (select 1 from directory_services s where s.organisation_id = o.id and ${ownedBy(owner, 's')}))
    order by o.created_at limit 1`.execute(db);
  return rows[0]?.id;
}

/** A city-owned organisation of this name whose city holds the association's area (its invitation is the city's). */
export async function cityOrganisationServing(db: Db, associationId: string, name: string) {
  const { rows } = await sql<{ id: string }>`
    select o.id from directory_organisations o
    where o.name = ${name} and o.owner_area_id is not null
      and o.owner_area_id in ${areaAncestors(associationId)}
    order by o.created_at limit 1`.execute(db);
  return rows[0]?.id;
}

export type ChangeRow = { id: string; service_id: string; fields: Record<string, unknown>; created_at: Date };

/**
 * Where an organisation's new service belongs: the association and area of its first service,
 * else the association that added the organisation and that association's area; undefined if neither.
 */
export async function organisationHome(db: Db, organisationId: string) {
  const { rows } = await sql<{ association_id: string | null; owner_area_id: string | null; area_id: string }>`
    (select s.created_by_association_id as association_id, s.owner_area_id, sa.area_id from directory_services s
      join directory_service_areas sa on sa.service_id = s.id
      where s.organisation_id = ${organisationId} order by s.created_at, s.id, sa.area_id limit 1)
    union all
    (select o.created_by_association_id, o.owner_area_id, a.id from directory_organisations o
      join directory_areas a on a.association_id = o.created_by_association_id or a.id = o.owner_area_id
      where o.id = ${organisationId} limit 1)
    limit 1`.execute(db);
  return rows[0];
}

/** The pending change of a service, locked, if any. */
export async function pendingChange(db: Db, serviceId: string) {
  return db.selectFrom('directory_changes').select(['id', 'service_id', 'fields', 'created_at'])
    .where('service_id', '=', serviceId).where('status', '=', 'pending').forUpdate().executeTakeFirst() as Promise<ChangeRow | undefined>;
}

/** Stores `fields` as the service's pending change (added to the one already waiting). */
export async function savePendingChange(db: Db, serviceId: string, accountId: string, fields: Record<string, unknown>) {
  const { rows } = await sql<{ id: string }>`
    insert into directory_changes (service_id, account_id, fields) values (${serviceId}, ${accountId}, ${JSON.stringify(fields)}::jsonb)
    on conflict (service_id) where status = 'pending'
    do update set fields = directory_changes.fields || excluded.fields, account_id = excluded.account_id, created_at = now()
    returning id`.execute(db);
  return rows[0]!.id;
}

/** The pending and the last reviewed change of each service. */
export async function changesOf(db: Db, serviceIds: string[]) {
  if (!serviceIds.length) return [];
  const { rows } = await sql<{ id: string; service_id: string; status: 'pending' | 'approved' | 'rejected'; fields: Record<string, unknown>; reason: string; created_at: Date; reviewed_at: Date | null }>`
    select distinct on (service_id, status = 'pending') id, service_id, status, fields, reason, created_at, reviewed_at
    from directory_changes where service_id = any(${serviceIds}::uuid[])
    order by service_id, status = 'pending', coalesce(reviewed_at, created_at) desc`.execute(db);
  return rows;
}

/** Pending changes the scope may review, oldest first, with the service's published values. */
export async function reviewQueue(db: Db, scope: ReviewScope) {
  const { rows } = await sql<{ id: string; service_id: string; fields: Record<string, unknown>; created_at: Date; service: Record<string, unknown>; organisation: string; submitted_by: string }>`
    select c.id, c.service_id, c.fields, c.created_at, to_jsonb(s) as service, o.name as organisation, coalesce(a.name, '') as submitted_by
    from directory_changes c
    join directory_services s on s.id = c.service_id
    join directory_organisations o on o.id = s.organisation_id
    left join directory_accounts a on a.id = c.account_id
    where c.status = 'pending' and ${inScope(scope)}
    order by c.created_at, c.id
    limit 200`.execute(db);
  return rows;
}

/**
 * A pending change in the reviewer's scope, locked with its service, and what the service holds
 * now (to check the entry that would show: its contacts and map pin) and the time zone its day is counted in (its
 * association's; a city-wide entry's, the deployment's default).
 */
export async function changeToReview(db: Db, scope: ReviewScope, id: string) {
  const { rows } = await sql<ChangeRow & { service: { status: string; phone: string; web: string; address: string; lat: number | null; lon: number | null }; time_zone: string | null }>`
    select c.id, c.service_id, c.fields, c.created_at,
      jsonb_build_object('status', s.status, 'phone', s.phone, 'web', s.web, 'address', s.address, 'lat', s.lat, 'lon', s.lon) as service,
      (select a.time_zone from associations a where a.id = s.created_by_association_id) as time_zone
    from directory_changes c
    join directory_services s on s.id = c.service_id
    where c.id = ${id} and c.status = 'pending' and ${inScope(scope)}
    for update of c, s`.execute(db);
  return rows[0];
}

export function markReviewed(db: Db, id: string, input: { status: 'approved' | 'rejected'; reason: string; personId: string | null; accountId: string | null }) {
  return db.updateTable('directory_changes').set({
    status: input.status, reason: input.reason, reviewed_by_person_id: input.personId, reviewed_by_account_id: input.accountId, reviewed_at: new Date(),
  }).where('id', '=', id).execute();
}

/** Publishes reviewed values onto the service (scoped by the change already found in scope), confirmed `today`. */
export function publishFields(db: Db, serviceId: string, fields: Record<string, unknown>, today: string) {
  return db.updateTable('directory_services').set({ ...fields, last_confirmed_on: today, updated_at: new Date() }).where('id', '=', serviceId).execute();
}

/** Marks an organisation's service confirmed today in its time zone (scoped by its organisation); the day, undefined if not its. */
export async function confirmOrganisationService(db: Db, organisationId: string, serviceId: string) {
  const { rows } = await sql<{ on: string }>`
    update directory_services s set last_confirmed_on = ${entryToday()}, updated_at = now()
    where s.id = ${serviceId} and s.organisation_id = ${organisationId}
    returning to_char(s.last_confirmed_on, 'YYYY-MM-DD') as on`.execute(db);
  return rows[0]?.on;
}

/** One line of the directory's audit: who (an account or a person), what, to which subject, or (an import) to whose entries. */
export function directoryAudit(db: Db, entry: { accountId?: string | null; personId?: string | null; action: string; subject?: string; owner?: Owner; detail?: unknown }) {
  return db.insertInto('directory_audit').values({
    actor_account_id: entry.accountId ?? null, actor_person_id: entry.personId ?? null, action: entry.action, subject: entry.subject ?? null,
    detail: JSON.stringify(entry.detail ?? {}), ...(entry.owner ? ownerColumns(entry.owner) : {}),
  }).execute();
}

export function countToReview(db: Db, scope: ReviewScope) {
  return sql<{ n: number }>`select count(*)::int as n from directory_changes c join directory_services s on s.id = c.service_id where c.status = 'pending' and ${inScope(scope)}`
    .execute(db).then((r) => r.rows[0]?.n ?? 0);
}

export type { DirectoryAccountRole };

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'upsertInvitation', run: (db) => upsertInvitation(db, { organisationId: ID, name: 'x', login: 'x@example.jp', invitationHash: 'h', expiresAt: new Date(0), associationId: ID }) },
  { name: 'accountByInvitation', run: (db) => accountByInvitation(db, 'h') },
  { name: 'setAccountPassword', run: (db) => setAccountPassword(db, ID, 'p') },
  { name: 'accountByLogin', run: (db) => accountByLogin(db, 'x@example.jp') },
  { name: 'upsertCityEditor', run: (db) => upsertCityEditor(db, { name: 'x', login: 'x@example.jp', passwordHash: 'p', areaId: ID }) },
  { name: 'insertDirectorySession', run: (db) => insertDirectorySession(db, { id: 's', accountId: ID, csrfToken: 'c', expiresAt: new Date(0) }) },
  { name: 'deleteDirectorySession', run: (db) => deleteDirectorySession(db, 's') },
  { name: 'sessionAccount', run: (db) => sessionAccount(db, 's') },
  { name: 'invitableOrganisation', run: (db) => invitableOrganisation(db, { associationId: ID }, 'x') },
  { name: 'cityOrganisationServing', run: (db) => cityOrganisationServing(db, ID, 'x') },
  { name: 'pendingChange', run: (db) => pendingChange(db, ID) },
  { name: 'savePendingChange', run: (db) => savePendingChange(db, ID, OTHER, { hours: '9時〜' }) },
  { name: 'changesOf', run: (db) => changesOf(db, [ID]) },
  { name: 'reviewQueue', run: (db) => reviewQueue(db, { associationId: ID }) },
  { name: 'changeToReview', run: (db) => changeToReview(db, { cityAreaId: OTHER }, ID) },
  { name: 'markReviewed', run: (db) => markReviewed(db, ID, { status: 'approved', reason: '', personId: OTHER, accountId: null }) },
  { name: 'publishFields', run: (db) => publishFields(db, ID, { hours: '9時〜' }, '2026-12-01') },
  { name: 'organisationHome', run: (db) => organisationHome(db, ID) },
  { name: 'confirmOrganisationService', run: (db) => confirmOrganisationService(db, ID, OTHER) },
  { name: 'directoryAudit', run: (db) => directoryAudit(db, { personId: ID, action: 'example', subject: OTHER }) },
  { name: 'countToReview', run: (db) => countToReview(db, { cityAreaId: ID }) },
];
