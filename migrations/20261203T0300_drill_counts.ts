import { sql, type Kysely } from 'kysely';

/**
 * A drill's figures kept as its targets change, not recounted per request: per (drill, 班) the
 * households, their latest status and how many are accounted for and have answered; per
 * (drill, 班, minute since the start) how many were accounted for and first answered in that
 * minute (the response curve and the median's minute). Statement-level triggers on
 * drill_targets keep them, from the statement's transition tables, in the transaction of every
 * change — the start's INSERT, an answer, a hand-off, a bulk fix by an operator alike — so they
 * cannot drift from the rows. Rows are per 班, not one per drill, so answers in different 班
 * never wait on the same counter row; each statement updates its rows in key order (no
 * deadlock between two statements that touch several 班). A statement that changes none of
 * the counted columns (a hand-off, "I'm going") writes nothing.
 */

/** The counted columns of the rows in `changes` (sign +1 for new rows, -1 for old ones), applied to both tables. */
function apply(changes: string, upsert: boolean) {
  const blockColumns = ['total', 'safe', 'needs_help', 'injured', 'unanswered', 'accounted', 'answered'];
  const minuteColumns = ['accounted', 'answered'];
  const write = (table: string, key: string[], columns: string[], from: string) =>
    upsert
      ? `insert into ${table} as c (${[...key, ...columns].join(', ')})
         select ${[...key, ...columns].join(', ')} from ${from} d order by ${key.join(', ')}
         on conflict (${key.join(', ')}) do update set ${columns.map((k) => `${k} = c.${k} + excluded.${k}`).join(', ')}`
      : `update ${table} c set ${columns.map((k) => `${k} = c.${k} + d.${k}`).join(', ')}
         from ${from} d where ${key.map((k) => `c.${k} = d.${k}`).join(' and ')}`;
  return `
    with changes as (${changes}),
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
      ${write('drill_block_counts', ['drill_id', 'block_id'], blockColumns, `(select * from block_delta where (${blockColumns.join(', ')}) <> (0, 0, 0, 0, 0, 0, 0))`)}
    ),
    moments as (
      select c.drill_id, c.block_id, c.sign, m.kind, floor(extract(epoch from m.at - d.started_at) / 60)::int as minute
      from changes c join drills d on d.id = c.drill_id
      cross join lateral (values ('accounted', c.accounted_at), ('answered', c.first_answered_at)) m(kind, at)
      where m.at is not null
    ),
    minute_delta as (
      select drill_id, block_id, minute,
             sum(case when kind = 'accounted' then sign else 0 end)::int as accounted,
             sum(case when kind = 'answered' then sign else 0 end)::int as answered
      from moments group by drill_id, block_id, minute
    )
    ${write('drill_minute_counts', ['drill_id', 'block_id', 'minute'], minuteColumns, `(select * from minute_delta where (accounted, answered) <> (0, 0))`)};`;
}

const columns = 'drill_id, block_id, status, accounted_at, first_answered_at';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table drill_block_counts (
      drill_id uuid not null references drills(id) on delete cascade,
      block_id uuid not null,
      total integer not null default 0,
      safe integer not null default 0,
      needs_help integer not null default 0,
      injured integer not null default 0,
      unanswered integer not null default 0,
      accounted integer not null default 0,
      answered integer not null default 0,
      primary key (drill_id, block_id)
    );
    create table drill_minute_counts (
      drill_id uuid not null references drills(id) on delete cascade,
      block_id uuid not null,
      minute integer not null,
      accounted integer not null default 0,
      answered integer not null default 0,
      primary key (drill_id, block_id, minute)
    );
  `.execute(db);
  await sql
    .raw(
      `
    create function drill_targets_counted_insert() returns trigger language plpgsql as $$
    begin
      ${apply(`select 1 as sign, ${columns} from new_rows`, true)}
      return null;
    end $$;
    create function drill_targets_counted_update() returns trigger language plpgsql as $$
    begin
      ${apply(`select 1 as sign, ${columns} from new_rows union all select -1, ${columns} from old_rows`, true)}
      return null;
    end $$;
    -- A deletion only lowers existing rows: a drill being deleted takes its counts with it.
    create function drill_targets_counted_delete() returns trigger language plpgsql as $$
    begin
      ${apply(`select -1 as sign, ${columns} from old_rows`, false)}
      return null;
    end $$;
    create trigger drill_targets_counted_insert after insert on drill_targets
      referencing new table as new_rows for each statement execute function drill_targets_counted_insert();
    create trigger drill_targets_counted_update after update on drill_targets
      referencing old table as old_rows new table as new_rows for each statement execute function drill_targets_counted_update();
    create trigger drill_targets_counted_delete after delete on drill_targets
      referencing old table as old_rows for each statement execute function drill_targets_counted_delete();
  `,
    )
    .execute(db);
  // The per-班 counts no longer read the 班 index, so it need not carry status and accounted_at
  // (less to write for each of a city's 100,000 targets at the start); the follow-up list walks
  // its own index in its order (riskiest first) instead of sorting every household that needs help.
  await sql`
    drop index drill_targets_block_idx;
    create index drill_targets_block_idx on drill_targets (drill_id, block_id);
    drop index drill_targets_follow_up_idx;
    create index drill_targets_follow_up_idx on drill_targets (drill_id, risk_score desc, household_id) where status in ('needs_help', 'injured');
  `.execute(db);
  // The drills already there: counted once, from their rows.
  await sql
    .raw(apply(`select 1 as sign, ${columns} from drill_targets`, true).replace(/;\s*$/, ''))
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index drill_targets_block_idx;
    create index drill_targets_block_idx on drill_targets (drill_id, block_id) include (status, accounted_at);
    drop index drill_targets_follow_up_idx;
    create index drill_targets_follow_up_idx on drill_targets (drill_id) where status in ('needs_help', 'injured');
    drop trigger drill_targets_counted_insert on drill_targets;
    drop trigger drill_targets_counted_update on drill_targets;
    drop trigger drill_targets_counted_delete on drill_targets;
    drop function drill_targets_counted_insert(), drill_targets_counted_update(), drill_targets_counted_delete();
    drop table drill_minute_counts, drill_block_counts;
  `.execute(db);
}
