import { sql, type Kysely } from 'kysely';

/**
 * The insert path of drill_targets' kept counts (20261203T0300_drill_counts), leaner: the same
 * rows raised by the same amounts, in the same order (the per-minute rows, then the per-班 rows,
 * each in key order), but the per-班 counts are one aggregate of the inserted rows, and only the
 * rows inserted with a time (none at a start) are joined to their drill for the per-minute counts.
 * The old function copied the statement's rows into a shared CTE, aggregated them through a sum
 * of signs, and joined all of them — a city's 100,000 at its start — to the drill and to two
 * moments each before throwing the empty ones away. The function is replaced, the trigger stays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function drill_targets_counted_insert() returns trigger language plpgsql as $$
    begin
      insert into drill_minute_counts as c (drill_id, block_id, minute, accounted, answered)
      select n.drill_id, n.block_id, floor(extract(epoch from m.at - d.started_at) / 60)::int,
             count(*) filter (where m.kind = 'accounted')::int, count(*) filter (where m.kind = 'answered')::int
      from (select * from new_rows where accounted_at is not null or first_answered_at is not null) n
      join drills d on d.id = n.drill_id
      cross join lateral (values ('accounted', n.accounted_at), ('answered', n.first_answered_at)) m(kind, at)
      where m.at is not null
      group by 1, 2, 3 order by 1, 2, 3
      on conflict (drill_id, block_id, minute) do update set accounted = c.accounted + excluded.accounted, answered = c.answered + excluded.answered;

      insert into drill_block_counts as c (drill_id, block_id, total, safe, needs_help, injured, unanswered, accounted, answered)
      select drill_id, block_id, count(*)::int,
             count(*) filter (where status = 'safe')::int, count(*) filter (where status = 'needs_help')::int,
             count(*) filter (where status = 'injured')::int, count(*) filter (where status is null)::int,
             count(accounted_at)::int, count(first_answered_at)::int
      from new_rows group by 1, 2 order by 1, 2
      on conflict (drill_id, block_id) do update set
        total = c.total + excluded.total, safe = c.safe + excluded.safe, needs_help = c.needs_help + excluded.needs_help,
        injured = c.injured + excluded.injured, unanswered = c.unanswered + excluded.unanswered,
        accounted = c.accounted + excluded.accounted, answered = c.answered + excluded.answered;
      return null;
    end $$;
  `.execute(db);
}

export async function down(_db: Kysely<any>): Promise<void> {
  // Nothing to undo: the function raises the same rows by the same amounts as the one it
  // replaced, in the same order, on the same tables, so it is correct for the schema before too.
}
