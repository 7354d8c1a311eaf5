import { sql, type Kysely } from 'kysely';

/**
 * Each association's rhythm learning, as a once-only marker (watch/rhythm.service.ts): the
 * watch day of its zone it was last learned on and the zone it was learned by, and while a run
 * is under way the last home learned (the runs go in chunks of homes, each chunk and the marker
 * in one transaction). The hourly `watch-rhythm` job learns an association once its own watch
 * day has rolled over (04:00 by its clock) since this day, or when its zone is no longer the
 * one learned by (an officer changed it: the `watch-rhythm-zone` job).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table watch_rhythm_runs (
      association_id uuid primary key references associations (id) on delete cascade,
      watch_day date,
      time_zone text,
      after uuid,
      learned_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table watch_rhythm_runs`.execute(db);
}
