import { sql, type Kysely } from 'kysely';

/**
 * A drill's per-班 count row (drill_block_counts) gets a new version whenever a statement
 * changes any of that 班's targets — not only when the counted columns change (which the
 * counting triggers of 20261203T0300 already write), but also a hand-off, "I'm going", a
 * visit's note or a changed place. So the row versions of a drill's counts (their xmin) change
 * with everything its dashboard shows of its targets, and the dashboard can tell, in one short
 * statement over a few hundred rows, whether the figures it made are still exact
 * (drills/dashboard.repository.ts, dashboardFingerprint).
 *
 * One statement-level trigger after UPDATE: it locks the 班 rows it bumps in key order, as the
 * counting triggers do, and bumps each once per statement. INSERT and DELETE need nothing: their
 * counting trigger always changes the 班 rows they touch (total).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table drill_block_counts add column revision integer not null default 0;

    create function drill_targets_revised() returns trigger language plpgsql as $$
    begin
      perform 1 from drill_block_counts c where (c.drill_id, c.block_id) in (select distinct drill_id, block_id from old_rows)
        order by c.drill_id, c.block_id for update;
      update drill_block_counts c set revision = c.revision + 1
        from (select distinct drill_id, block_id from old_rows) r where c.drill_id = r.drill_id and c.block_id = r.block_id;
      return null;
    end $$;
    create trigger drill_targets_revised after update on drill_targets
      referencing old table as old_rows for each statement execute function drill_targets_revised();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger drill_targets_revised on drill_targets;
    drop function drill_targets_revised();
    alter table drill_block_counts drop column revision;
  `.execute(db);
}
