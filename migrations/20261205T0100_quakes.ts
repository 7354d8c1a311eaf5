import { sql, type Kysely } from 'kysely';

/**
 * Earthquake-triggered safety confirmation (server/src/quakes/): each association's trigger
 * settings; every JMA telegram the feed reader fetched, once (unique on the feed entry's id:
 * several instances handle a telegram once), raw and parsed, or why it was rejected; each
 * association's trigger per quake (JMA EventID) and kind, which starts at most one event; and
 * the decision taken for each telegram that named an association's areas (its log).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table quake_settings (
      association_id uuid primary key references associations(id) on delete cascade,
      area_codes text[] not null default '{}',
      min_intensity text not null default '5-' check (min_intensity in ('1', '2', '3', '4', '5-', '5+', '6-', '6+', '7')),
      hold_off_seconds integer not null default 120 check (hold_off_seconds between 0 and 3600),
      aftershock_seconds integer not null default 21600 check (aftershock_seconds between 0 and 604800),
      drills_from_training boolean not null default false,
      updated_at timestamptz not null default now(),
      updated_by uuid references people(id) on delete set null
    );
    create index quake_settings_areas_idx on quake_settings using gin (area_codes);

    create table quake_telegrams (
      id uuid primary key default gen_random_uuid(),
      entry_id text not null unique,
      url text not null,
      received_at timestamptz not null default now(),
      raw text not null,
      parsed jsonb,
      rejected text,
      event_id text,
      info_type text,
      status text,
      report_at timestamptz
    );
    create index quake_telegrams_received_idx on quake_telegrams (received_at desc);

    create table quake_triggers (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      event_id text not null,
      kind text not null check (kind in ('real', 'drill')),
      status text not null default 'pending' check (status in ('pending', 'started', 'cancelled')),
      intensity text not null,
      area_name text not null,
      fire_at timestamptz not null,
      last_report_at timestamptz not null,
      telegram_ids uuid[] not null default '{}',
      drill_id uuid references drills(id) on delete set null,
      created_at timestamptz not null default now(),
      unique (association_id, event_id, kind)
    );
    create index quake_triggers_recent_idx on quake_triggers (association_id, kind, created_at desc);

    create table quake_decisions (
      id bigint generated always as identity primary key,
      telegram_id uuid not null references quake_telegrams(id) on delete cascade,
      association_id uuid not null references associations(id) on delete cascade,
      action text not null,
      reason text not null,
      intensity text,
      trigger_id uuid references quake_triggers(id) on delete set null,
      at timestamptz not null default now(),
      unique (telegram_id, association_id)
    );
    create index quake_decisions_log_idx on quake_decisions (association_id, at desc);

    create table quake_feed_state (
      url text primary key,
      last_modified text,
      checked_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table quake_feed_state, quake_decisions, quake_triggers, quake_telegrams, quake_settings`.execute(db);
}
