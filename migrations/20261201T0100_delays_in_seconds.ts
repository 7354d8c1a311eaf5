import { sql, type Kysely } from 'kysely';

/**
 * Escalation delays in seconds. People set them in hours and minutes (the web app still
 * does), but rehearsals and fault tests run a whole drill or silent-home chain in seconds,
 * so the stored unit is the second: drills' tier delays, and a home's silence threshold,
 * prompt wait and tier wait. `inactivity_hours` stays as a read-only view of the threshold
 * (fractional for a threshold of seconds) for readers that think in hours.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table drills
      add column volunteers_after_seconds integer,
      add column officers_after_seconds integer;
    update drills set volunteers_after_seconds = volunteers_after_minutes * 60, officers_after_seconds = officers_after_minutes * 60;
    alter table drills
      alter column volunteers_after_seconds set not null,
      alter column volunteers_after_seconds set default 900,
      alter column officers_after_seconds set not null,
      alter column officers_after_seconds set default 1800,
      add constraint drills_tier_delays check (volunteers_after_seconds > 0 and officers_after_seconds > volunteers_after_seconds),
      drop column volunteers_after_minutes,
      drop column officers_after_minutes;

    alter table watch_settings
      add column inactivity_seconds integer,
      add column prompt_wait_seconds integer,
      add column tier_wait_seconds integer;
    update watch_settings set inactivity_seconds = inactivity_hours * 3600, prompt_wait_seconds = prompt_wait_minutes * 60, tier_wait_seconds = tier_wait_minutes * 60;
    alter table watch_settings
      alter column inactivity_seconds set not null,
      alter column inactivity_seconds set default 86400,
      add constraint watch_settings_inactivity_seconds check (inactivity_seconds between 1 and 604800),
      alter column prompt_wait_seconds set not null,
      alter column prompt_wait_seconds set default 1800,
      add constraint watch_settings_prompt_wait_seconds check (prompt_wait_seconds between 1 and 14400),
      alter column tier_wait_seconds set not null,
      alter column tier_wait_seconds set default 1800,
      add constraint watch_settings_tier_wait_seconds check (tier_wait_seconds between 1 and 14400),
      drop column prompt_wait_minutes,
      drop column tier_wait_minutes,
      drop column inactivity_hours;
    alter table watch_settings add column inactivity_hours double precision generated always as (inactivity_seconds / 3600.0) stored;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table watch_settings drop column inactivity_hours;
    alter table watch_settings
      add column inactivity_hours integer not null default 24 check (inactivity_hours between 1 and 168),
      add column prompt_wait_minutes integer not null default 30 check (prompt_wait_minutes between 5 and 240),
      add column tier_wait_minutes integer not null default 30 check (tier_wait_minutes between 5 and 240);
    update watch_settings set inactivity_hours = least(168, greatest(1, round(inactivity_seconds / 3600.0))),
      prompt_wait_minutes = least(240, greatest(5, round(prompt_wait_seconds / 60.0))), tier_wait_minutes = least(240, greatest(5, round(tier_wait_seconds / 60.0)));
    alter table watch_settings drop column inactivity_seconds, drop column prompt_wait_seconds, drop column tier_wait_seconds;
    alter table drills add column volunteers_after_minutes integer not null default 15, add column officers_after_minutes integer not null default 30;
    update drills set volunteers_after_minutes = greatest(1, round(volunteers_after_seconds / 60.0)), officers_after_minutes = greatest(2, round(officers_after_seconds / 60.0));
    alter table drills drop constraint drills_tier_delays, drop column volunteers_after_seconds, drop column officers_after_seconds;
  `.execute(db);
}
