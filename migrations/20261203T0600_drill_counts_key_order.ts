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

export async function down(db: Kysely<any>): Promise<void> {
  // The function as 20261203T0300_drill_counts wrote it (join order).
  await sql`
    create or replace function drill_targets_counted_delete() returns trigger language plpgsql as $$
    begin
      with changes as (select -1 as sign, drill_id, block_id, status, accounted_at, first_answered_at from old_rows),
      block_delta as (
        select drill_id, block_id, sum(sign)::int as total,
               sum(case when status = 'safe' then sign else 0 end)::int as safe,
               sum(case when status = 'needs_help' then sign else 0 end)::int as needs_help,
               sum(case when status = 'injured' then sign else 0 end)::int as injured,
               sum(case when status is null then sign else 0 end)::int as unanswered,
               sum(case when accounted_at is not null then sign else 0 end)::int as accounted,
               sum(case when first_answered_at is not null then sign else 0 end)::int as answered
        from changes group by drill_id, block_id
      ),
      block_write as (
        update drill_block_counts c set total = c.total + d.total, safe = c.safe + d.safe, needs_help = c.needs_help + d.needs_help, injured = c.injured + d.injured,
               unanswered = c.unanswered + d.unanswered, accounted = c.accounted + d.accounted, answered = c.answered + d.answered
        from block_delta d where c.drill_id = d.drill_id and c.block_id = d.block_id
      ),
      moments as (
        select c.drill_id, c.block_id, c.sign, m.kind, floor(extract(epoch from m.at - d.started_at) / 60)::int as minute
        from changes c join drills d on d.id = c.drill_id
        cross join lateral (values ('accounted', c.accounted_at), ('answered', c.first_answered_at)) m(kind, at)
        where m.at is not null
      ),
      minute_delta as (
        select drill_id, block_id, minute, sum(case when kind = 'accounted' then sign else 0 end)::int as accounted,
               sum(case when kind = 'answered' then sign else 0 end)::int as answered
        from moments group by drill_id, block_id, minute
      )
      update drill_minute_counts c set accounted = c.accounted + d.accounted, answered = c.answered + d.answered
      from minute_delta d where c.drill_id = d.drill_id and c.block_id = d.block_id and c.minute = d.minute;
      return null;
    end $$;
  `.execute(db);
}
