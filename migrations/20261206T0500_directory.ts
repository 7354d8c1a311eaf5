import { sql, type Kysely } from 'kysely';

/**
 * The local support directory (お悩みハンドブック), deployment-wide: areas (prefecture → city →
 * ward → school district → association), organisations, their services and the areas each
 * serves (a service serving an area serves every association under it). A service shows in
 * search only when published and confirmed within its reconfirm period (decided in the query).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table directory_areas (
      id uuid primary key default gen_random_uuid(),
      parent_id uuid references directory_areas(id) on delete restrict,
      kind text not null check (kind in ('prefecture', 'city', 'ward', 'school_district', 'association')),
      code text not null unique check (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      name text not null check (length(name) between 1 and 100),
      association_id uuid unique references associations(id) on delete cascade,
      check ((kind = 'association') = (association_id is not null))
    );
    create index directory_areas_parent_idx on directory_areas (parent_id);

    create table directory_organisations (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      kind text not null default '' check (length(kind) <= 100),
      web text not null default '' check (length(web) <= 500),
      created_by_association_id uuid references associations(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table directory_services (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references directory_organisations(id) on delete cascade,
      name text not null check (length(name) between 1 and 200),
      description text not null default '' check (length(description) <= 2000),
      worries text[] not null check (cardinality(worries) between 1 and 20),
      age_groups text[] not null default '{}',
      languages text[] not null default '{ja}',
      address text not null default '' check (length(address) <= 300),
      lat double precision check (lat between -90 and 90),
      lon double precision check (lon between -180 and 180),
      phone text not null default '' check (length(phone) <= 30),
      hours text not null default '' check (length(hours) <= 300),
      walk_in boolean not null default false,
      web text not null default '' check (length(web) <= 500),
      cost text not null default '' check (length(cost) <= 200),
      status text not null default 'draft' check (status in ('draft', 'published', 'stale', 'hidden')),
      last_confirmed_on date not null default current_date,
      reconfirm_months integer not null default 6 check (reconfirm_months between 1 and 24),
      created_by_association_id uuid references associations(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (phone <> '' or web <> '' or address <> '')
    );
    create index directory_services_worries_idx on directory_services using gin (worries) where status = 'published';

    create table directory_service_areas (
      service_id uuid not null references directory_services(id) on delete cascade,
      area_id uuid not null references directory_areas(id) on delete restrict,
      primary key (service_id, area_id)
    );
    create index directory_service_areas_area_idx on directory_service_areas (area_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table directory_service_areas, directory_services, directory_organisations, directory_areas`.execute(db);
}
