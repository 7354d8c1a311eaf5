import { sql, type Kysely } from 'kysely';

/**
 * Each association's rhythm learning, as a once-only marker (watch/rhythm.service.ts): the
 * watch day of its zone it was last learned on and the zone it was learned by, and while a run
 * is under way the last home learned (the runs go in chunks of homes, each chunk and the marker
 * in one transaction). The hourly `watch-rhythm` job learns an association once its own watch
 * day has rolled over (04:00 by its clock) since this day, or when its zone is no longer the
 * one learned by (an officer changed it: the `watch-rhythm-zone` job). `replan` is set in the
 * zone change's transaction: whichever run learns next (the hourly one or the zone job) works
 * out every planned next check again, not only those whose rhythm moved, and clears it.
 *
 * And watch_settings by association and home: the zone change and the rhythm's chunks lock an
 * association's homes in id order (rhythm.repository.ts), which without it walked every home's
 * key. Neither column ever changes: whether ingest's update of a home is HOT is as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table watch_rhythm_runs (
      association_id uuid primary key references associations (id) on delete cascade,
      watch_day date,
      time_zone text,
      after uuid,
      learned_at timestamptz,
      replan boolean not null default false
    )`.execute(db);
  await sql`create index watch_settings_association_idx on watch_settings (association_id, household_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index watch_settings_association_idx`.execute(db);
  await sql`drop table watch_rhythm_runs`.execute(db);
}
