import { sql, type Kysely } from 'kysely';

/**
 * The directory's own logins, apart from residents: an organisation's account (it edits only
 * its organisation's services, and its changes wait for review) and a city editor's
 * (deployment-wide; approves any organisation's change). Their sessions are their own table
 * and cookie, so no association route ever sees them. Pending changes are kept with their
 * review; every change, approval and rejection is written to directory_audit (deployment-wide:
 * an organisation belongs to no association). Every association gets its directory area now,
 * so that reading the directory never writes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- The day the freshness job found the entry past its reconfirm period; reconfirming clears it.
    alter table directory_services add column stale_since date;

    create table directory_accounts (
      id uuid primary key default gen_random_uuid(),
      role text not null check (role in ('organisation', 'city_editor')),
      organisation_id uuid references directory_organisations(id) on delete cascade,
      name text not null check (length(name) between 1 and 200),
      login text not null unique check (length(login) between 3 and 200),
      password_hash text,
      invitation_hash text unique,
      invitation_expires_at timestamptz,
      invited_by_association_id uuid references associations(id) on delete set null,
      created_at timestamptz not null default now(),
      check ((role = 'organisation') = (organisation_id is not null))
    );

    create table directory_sessions (
      id text primary key,
      account_id uuid not null references directory_accounts(id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index directory_sessions_account_idx on directory_sessions (account_id);

    create table directory_changes (
      id uuid primary key default gen_random_uuid(),
      service_id uuid not null references directory_services(id) on delete cascade,
      account_id uuid references directory_accounts(id) on delete set null,
      fields jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
      reason text not null default '' check (length(reason) <= 500),
      reviewed_by_person_id uuid references people(id) on delete set null,
      reviewed_by_account_id uuid references directory_accounts(id) on delete set null,
      created_at timestamptz not null default now(),
      reviewed_at timestamptz
    );
    -- One pending change per service: an organisation's next edit adds to it.
    create unique index directory_changes_pending_idx on directory_changes (service_id) where status = 'pending';

    create table directory_audit (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor_account_id uuid references directory_accounts(id) on delete set null,
      actor_person_id uuid references people(id) on delete set null,
      action text not null,
      subject uuid,
      detail jsonb not null default '{}'
    );
    create index directory_audit_subject_idx on directory_audit (subject, at);

    insert into directory_areas (kind, code, name, association_id)
    select 'association',
      case when exists (select 1 from directory_areas t where t.code = s.slug) then left(s.slug, 50) || '-' || left(s.id::text, 8) else s.slug end,
      s.name, s.id
    from associations s
    where not exists (select 1 from directory_areas a where a.association_id = s.id)
      and s.slug ~ '^[a-z0-9][a-z0-9-]{1,62}$';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table directory_audit, directory_changes, directory_sessions, directory_accounts; alter table directory_services drop column stale_since`.execute(db);
}
