import { sql, type Kysely } from 'kysely';

/**
 * A system-started event's answer deadline and the delays before its untaken visits go to
 * volunteers, then officers, as each association sets them with its earthquake trigger
 * (defaults as before: 3 hours, 15 and 30 minutes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table quake_settings
      add column deadline_seconds integer not null default 10800 check (deadline_seconds between 600 and 259200),
      add column volunteers_after_seconds integer not null default 900 check (volunteers_after_seconds between 60 and 86400),
      add column officers_after_seconds integer not null default 1800 check (officers_after_seconds between 60 and 86400),
      add constraint quake_settings_tiers_in_order check (officers_after_seconds > volunteers_after_seconds);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table quake_settings
      drop constraint quake_settings_tiers_in_order,
      drop column officers_after_seconds, drop column volunteers_after_seconds, drop column deadline_seconds;
  `.execute(db);
}
