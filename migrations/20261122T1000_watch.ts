import { sql, type Kysely } from 'kysely';

/**
 * Watching (見守り): per-household rules and consent, away periods, hourly activity
 * aggregates, alerts with their timeline, and the access log of watch data.
 *
 * A household's next check is stored (`watch_next_check_at`) and indexed, so finding the
 * homes that have gone silent is an index range scan, not a loop over every device.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table watch_settings (
      household_id uuid primary key,
      association_id uuid not null,
      enabled boolean not null default true,
      inactivity_hours integer not null default 24 check (inactivity_hours between 1 and 168),
      quiet_start time,
      quiet_end time,
      offline_minutes integer not null default 30 check (offline_minutes between 5 and 1440),
      prompt_wait_minutes integer not null default 30 check (prompt_wait_minutes between 5 and 240),
      tier_wait_minutes integer not null default 30 check (tier_wait_minutes between 5 and 240),
      share_with_family boolean not null default true,
      share_with_captain boolean not null default true,
      share_with_volunteers boolean not null default false,
      last_activity_at timestamptz,
      next_check_at timestamptz,
      updated_at timestamptz not null default now(),
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade,
      check ((quiet_start is null) = (quiet_end is null)),
      check (quiet_start is null or quiet_start <> quiet_end)
    );
    create index watch_settings_due_idx on watch_settings (next_check_at) where enabled;

    create table watch_away_periods (
      id uuid primary key default gen_random_uuid(),
      household_id uuid not null,
      association_id uuid not null,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      reason text not null default '',
      created_by uuid references people(id) on delete set null,
      created_at timestamptz not null default now(),
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade,
      check (ends_at > starts_at)
    );
    create index watch_away_household_idx on watch_away_periods (household_id, ends_at);

    create table activity_hourly (
      household_id uuid not null references households(id) on delete cascade,
      hour timestamptz not null,
      presence integer not null default 0,
      buttons integer not null default 0,
      voice integer not null default 0,
      primary key (household_id, hour)
    );

    create table watch_alerts (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null,
      household_id uuid not null,
      device_id uuid references devices(id) on delete set null,
      kind text not null check (kind in ('silent', 'help', 'device_offline')),
      status text not null default 'open' check (status in ('open', 'taken', 'resolved', 'cancelled')),
      tier text not null check (tier in ('resident', 'family_captain', 'volunteers', 'officers')),
      raised_at timestamptz not null default now(),
      taken_at timestamptz,
      taken_by uuid references people(id) on delete set null,
      resolved_at timestamptz,
      resolved_by uuid references people(id) on delete set null,
      outcome text check (outcome in ('fine', 'needs_help', 'hospital', 'away', 'device_fixed', 'false_alarm', 'other')),
      note text not null default '',
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade
    );
    -- At most one live alert of a kind per household: a second scan or a second instance finds it.
    create unique index watch_alerts_live_idx on watch_alerts (household_id, kind) where status in ('open', 'taken');
    create index watch_alerts_association_idx on watch_alerts (association_id, status, raised_at desc);

    create table watch_alert_events (
      id bigserial primary key,
      alert_id uuid not null references watch_alerts(id) on delete cascade,
      at timestamptz not null default now(),
      what text not null,
      tier text,
      person_id uuid references people(id) on delete set null,
      detail text not null default ''
    );
    create index watch_alert_events_alert_idx on watch_alert_events (alert_id, at);

    -- Which scheduled tier steps have run: (alert, tier) once, however many instances try.
    create unique index watch_alert_tier_once_idx on watch_alert_events (alert_id, tier) where what = 'escalated';

    create table watch_access_log (
      id bigserial primary key,
      association_id uuid not null references associations(id) on delete cascade,
      person_id uuid references people(id) on delete set null,
      household_id uuid not null references households(id) on delete cascade,
      what text not null,
      at timestamptz not null default now()
    );
    create index watch_access_log_idx on watch_access_log (association_id, at desc);

    create index device_messages_kind_idx on device_messages (kind, received_at);
    create index devices_last_seen_idx on devices (last_seen_at) where revoked_at is null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index device_messages_kind_idx, devices_last_seen_idx;
    drop table watch_access_log, watch_alert_events, watch_alerts, activity_hourly, watch_away_periods, watch_settings;
  `.execute(db);
}
