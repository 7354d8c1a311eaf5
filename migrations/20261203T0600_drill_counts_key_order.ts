import { sql, type Kysely } from 'kysely';

/**
 * The deletion path of drill_targets' kept counts (20261203T0300_drill_counts) in key order.
 * Its UPDATE … FROM lowered the count rows in the join's order, so two deletions spanning
 * several 班 (two households removed at once, a drill and a household) could each hold a row
 * the other waits for: a deadlock. Now it first locks the rows it will lower — the per-minute
 * rows, then the per-班 rows, each in key order, the same order the insert and update paths
 * write them in (their per-minute upsert is the statement, their per-班 upsert the CTE run
 * after it) — and only then lowers them. The function is replaced, the trigger stays.
 */
const lower = (table: string, key: string[], columns: string[], from: string) => `
  perform 1 from ${table} c where (c.drill_id, c.block_id) in (select distinct drill_id, block_id from old_rows)
    order by ${key.map((k) => `c.${k}`).join(', ')} for update;
  update ${table} c set ${columns.map((k) => `${k} = c.${k} + d.${k}`).join(', ')}
    from (${from}) d where ${key.map((k) => `c.${k} = d.${k}`).join(' and ')};`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    create or replace function drill_targets_counted_delete() returns trigger language plpgsql as $$
    begin
      ${lower(
        'drill_minute_counts',
        ['drill_id', 'block_id', 'minute'],
        ['accounted', 'answered'],
        `select o.drill_id, o.block_id, floor(extract(epoch from m.at - d.started_at) / 60)::int as minute,
                -count(*) filter (where m.kind = 'accounted')::int as accounted, -count(*) filter (where m.kind = 'answered')::int as answered
         from old_rows o join drills d on d.id = o.drill_id
         cross join lateral (values ('accounted', o.accounted_at), ('answered', o.first_answered_at)) m(kind, at)
         where m.at is not null group by 1, 2, 3`,
      )}
      ${lower(
        'drill_block_counts',
        ['drill_id', 'block_id'],
        ['total', 'safe', 'needs_help', 'injured', 'unanswered', 'accounted', 'answered'],
        `select drill_id, block_id, -count(*)::int as total,
                -count(*) filter (where status = 'safe')::int as safe, -count(*) filter (where status = 'needs_help')::int as needs_help,
                -count(*) filter (where status = 'injured')::int as injured, -count(*) filter (where status is null)::int as unanswered,
                -count(accounted_at)::int as accounted, -count(first_answered_at)::int as answered
         from old_rows group by 1, 2`,
      )}
      return null;
    end $$;
  `,
    )
    .execute(db);
}

export async function down(_db: Kysely<any>): Promise<void> {
  // Nothing to undo: the key-ordered function lowers the same rows by the same amounts as the
  // one it replaced, on the same tables, so it is correct for the schema before this migration too.
}
