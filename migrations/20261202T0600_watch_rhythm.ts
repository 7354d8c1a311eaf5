import { sql, type Kysely } from 'kysely';

/**
 * A home's daily rhythm (docs/watch-rhythm.md): the hour by which it is usually active, learned
 * from its hourly activity, and whether its rhythm check is on; and faster defaults. The fixed
 * silence threshold becomes the fallback, 12 h instead of 24 h; the resident's prompt and each
 * later tier wait 15 min instead of 30. Homes still at the old defaults (never chosen by anyone:
 * a changed rule moves at least one of them) take the new ones; homes whose rules were set keep them.
 * A home's next check is left as it is: its next sign of life reschedules it on the new rules,
 * which respect quiet hours. Pulling every check earlier here would make every home silent for
 * 12–24 h due at once, in the middle of the night if that is when the deploy runs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table watch_settings
      add column rhythm_enabled boolean not null default true,
      add column rhythm_grace_seconds integer not null default 7200 check (rhythm_grace_seconds between 60 and 43200),
      add column rhythm_usual_hour smallint check (rhythm_usual_hour between 1 and 23),
      add column rhythm_days smallint not null default 0,
      add column rhythm_learned_at timestamptz,
      alter column inactivity_seconds set default 43200,
      alter column prompt_wait_seconds set default 900,
      alter column tier_wait_seconds set default 900;
    update watch_settings set inactivity_seconds = 43200, prompt_wait_seconds = 900, tier_wait_seconds = 900
      where inactivity_seconds = 86400 and prompt_wait_seconds = 1800 and tier_wait_seconds = 1800;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    update watch_settings set inactivity_seconds = 86400, prompt_wait_seconds = 1800, tier_wait_seconds = 1800
      where inactivity_seconds = 43200 and prompt_wait_seconds = 900 and tier_wait_seconds = 900;
    alter table watch_settings
      alter column inactivity_seconds set default 86400,
      alter column prompt_wait_seconds set default 1800,
      alter column tier_wait_seconds set default 1800,
      drop column rhythm_enabled, drop column rhythm_grace_seconds, drop column rhythm_usual_hour, drop column rhythm_days, drop column rhythm_learned_at;
  `.execute(db);
}
