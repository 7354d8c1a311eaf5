import { sql, type Kysely } from 'kysely';

/**
 * The association model: association → 班 (block) → household → people and devices.
 * Every row carries association_id, and references between tenant tables are composite
 * (id, association_id) foreign keys, so the database itself refuses a row that points
 * into another association.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create extension if not exists pg_trgm;

    create table federations (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      created_at timestamptz not null default now()
    );

    create table associations (
      id uuid primary key default gen_random_uuid(),
      federation_id uuid references federations(id),
      name text not null check (length(name) between 1 and 200),
      slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      created_at timestamptz not null default now()
    );

    create table blocks (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      name text not null check (length(name) between 1 and 100),
      sort_order integer not null default 0,
      created_at timestamptz not null default now(),
      unique (association_id, name),
      unique (id, association_id)
    );

    create table households (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      block_id uuid not null,
      household_number text not null check (length(household_number) between 1 and 50),
      name text not null check (length(name) between 1 and 100),
      address text not null check (length(address) between 1 and 300),
      channels text[] not null default '{app}'
        check (channels <@ array['app', 'speaker', 'paper']::text[] and cardinality(channels) > 0),
      responder_notes text not null default '',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (association_id, household_number),
      unique (id, association_id),
      foreign key (block_id, association_id) references blocks(id, association_id)
    );
    create index households_block_idx on households (association_id, block_id);

    create table people (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      household_id uuid,
      name text not null check (length(name) between 1 and 100),
      kana text not null default '',
      phone text,
      email text,
      preferred_language text not null default 'ja' check (preferred_language in ('ja', 'ja-easy', 'en')),
      password_hash text,
      created_at timestamptz not null default now(),
      unique (id, association_id),
      foreign key (household_id, association_id) references households(id, association_id) on delete set null (household_id)
    );
    create index people_household_idx on people (household_id);
    -- A login identifier names one account in the whole deployment.
    create unique index people_login_email_idx on people (lower(email)) where password_hash is not null and email is not null;
    create unique index people_login_phone_idx on people (phone) where password_hash is not null and phone is not null;

    create table role_assignments (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      person_id uuid not null,
      role text not null check (role in ('officer', 'captain', 'volunteer', 'welfare_commissioner', 'family_watcher')),
      block_id uuid,
      household_id uuid,
      starts_on date not null default current_date,
      ends_on date,
      created_at timestamptz not null default now(),
      foreign key (person_id, association_id) references people(id, association_id) on delete cascade,
      foreign key (block_id, association_id) references blocks(id, association_id) on delete cascade,
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade,
      check ((role = 'captain') = (block_id is not null)),
      check ((role = 'family_watcher') = (household_id is not null)),
      check (ends_on is null or ends_on >= starts_on)
    );
    create index role_assignments_person_idx on role_assignments (person_id);
    create index role_assignments_block_idx on role_assignments (block_id) where block_id is not null;

    create table household_passcodes (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null,
      household_id uuid not null,
      code_hash text not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      used_by uuid references people(id) on delete set null,
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade
    );

    create table sessions (
      id text primary key,
      person_id uuid not null references people(id) on delete cascade,
      association_id uuid not null references associations(id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index sessions_person_idx on sessions (person_id);

    create table devices (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      household_id uuid,
      label text not null check (length(label) between 1 and 100),
      secret_hash text not null,
      credentials_issued_at timestamptz not null default now(),
      revoked_at timestamptz,
      online boolean not null default false,
      last_seen_at timestamptz,
      last_heartbeat jsonb,
      created_at timestamptz not null default now(),
      unique (id, association_id),
      foreign key (household_id, association_id) references households(id, association_id) on delete set null (household_id)
    );
    create index devices_association_idx on devices (association_id);

    -- Every accepted uplink, once: (device, boot, seq) makes a repeated message a no-op.
    create table device_messages (
      device_id uuid not null references devices(id) on delete cascade,
      boot_id text not null,
      seq bigint not null,
      association_id uuid not null,
      kind text not null,
      sent_at timestamptz not null,
      received_at timestamptz not null default now(),
      payload jsonb not null,
      primary key (device_id, boot_id, seq)
    );
    create index device_messages_received_idx on device_messages (received_at);

    create table audit_log (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      actor_person_id uuid references people(id) on delete set null,
      action text not null,
      subject text,
      detail jsonb not null default '{}',
      at timestamptz not null default now()
    );
    create index audit_log_association_idx on audit_log (association_id, at desc);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table audit_log, device_messages, devices, sessions, household_passcodes,
      role_assignments, people, households, blocks, associations, federations;
  `.execute(db);
}
