import { sql, type Kysely } from 'kysely';

/**
 * Guards for the statement-level checks that replaced foreign keys (20261203T0500 device_messages →
 * devices, 20261203T0610 drill_targets → drills, 20261204T0200 drill_targets → households,
 * 20261204T0300 circular_recipients → circulars and households).
 *
 * TRUNCATE: a foreign key makes `TRUNCATE households` fail unless its referencing tables are
 * truncated too (or CASCADE adds them); a DELETE trigger does not fire on TRUNCATE, so without
 * a guard the targets, recipients and messages would be left behind, naming nothing. An AFTER
 * TRUNCATE statement trigger on each referenced table fails the TRUNCATE when a referencing
 * table still has rows: PostgreSQL truncates every table of the statement (CASCADE's included)
 * before it fires them, so a TRUNCATE that lists the referencing table too (`TRUNCATE
 * households, drill_targets, circular_recipients …`) passes, as with a foreign key, and one that
 * does not is refused whole, naming the table to add.
 *
 * Isolation: the checks and cascades of 0200 and 0300 rely on each plpgsql statement reading a
 * fresh snapshot after it waited for the association's advisory lock — READ COMMITTED. Under
 * REPEATABLE READ a household's deletion would miss targets committed while it waited, and an
 * insert would miss the deletion. So they now refuse to run at any other level (tonari uses no
 * other), instead of assuming it.
 *
 * Lock order: a statement deleting households takes the association's circular_recipients lock
 * (households_delete_recipients) and then its drill_targets lock (households_delete_targets) —
 * the triggers fire in name order, and "households_delete_recipients" < "households_delete_targets".
 * Inserting recipients takes the first shared, inserting targets the second. A transaction that
 * inserted targets and then inserts recipients of the same association would hold the second
 * while waiting for the first, and deadlock against a deletion: write recipients before targets
 * in one transaction, or keep them in separate transactions (as publishing and starting a drill do).
 */
const guards: [table: string, referencing: string[]][] = [
  ['households', ['drill_targets', 'circular_recipients']],
  ['drills', ['drill_targets']],
  ['circulars', ['circular_recipients']],
  ['devices', ['device_messages']],
];

const readCommitted = `
      if current_setting('transaction_isolation') <> 'read committed' then
        raise exception '%: the statement-level key check needs READ COMMITTED, not %', tg_name, current_setting('transaction_isolation')
          using errcode = 'feature_not_supported';
      end if;`;

const lockAssociations = (rows: string, mode: 'shared' | 'exclusive') => `
      perform ${mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(20261204, hashtext(a.association_id::text))
      from (select distinct association_id from ${rows}) a order by a.association_id;`;

/** The four functions of 0200 and 0300, as they were, with the isolation guard first when `guard`. */
const functions = (guard: boolean) => `
    create or replace function drill_targets_household_checked() returns trigger language plpgsql as $$
    begin${guard ? readCommitted : ''}
      ${lockAssociations('new_rows', 'shared')}
      -- A count, not exists(): planned for every row (a hash join at a city's start), not for a first match.
      if (select count(*) from new_rows n
          where not exists (select 1 from households h where h.id = n.household_id and h.association_id = n.association_id)) > 0
      then
        raise exception 'drill_targets: a row names a household that does not exist in its association'
          using errcode = 'foreign_key_violation', table = 'drill_targets', constraint = 'drill_targets_household_checked';
      end if;
      return null;
    end $$;

    create or replace function households_delete_targets() returns trigger language plpgsql as $$
    begin${guard ? readCommitted : ''}
      ${lockAssociations('old_rows', 'exclusive')}
      delete from drill_targets t using old_rows o, drills d
      where d.association_id = o.association_id and t.drill_id = d.id and t.household_id = o.id;
      return null;
    end $$;

    create or replace function circular_recipients_checked() returns trigger language plpgsql as $$
    begin${guard ? readCommitted : ''}
      perform 1 from circulars c where c.id in (select distinct circular_id from new_rows) order by c.id for key share;
      -- Households: the association's lock, shared (see households_delete_recipients), then the check.
      perform pg_advisory_xact_lock_shared(hashtext('circular_recipients'), hashtext(a::text))
        from (select distinct association_id as a from new_rows order by 1) associations;
      if exists (
        select 1 from (select distinct circular_id, association_id from new_rows) n
        where not exists (select 1 from circulars c where c.id = n.circular_id and c.association_id = n.association_id)
      ) then
        raise exception 'circular_recipients: a row names a circular that does not exist in its association'
          using errcode = 'foreign_key_violation', table = 'circular_recipients', constraint = 'circular_recipients_circular_checked';
      end if;
      if exists (
        select 1 from new_rows n
        where not exists (select 1 from households h where h.id = n.household_id and h.association_id = n.association_id)
      ) then
        raise exception 'circular_recipients: a row names a household that does not exist in its association'
          using errcode = 'foreign_key_violation', table = 'circular_recipients', constraint = 'circular_recipients_household_checked';
      end if;
      return null;
    end $$;

    create or replace function households_delete_recipients() returns trigger language plpgsql as $$
    begin${guard ? readCommitted : ''}
      -- Waits for the association's uncommitted recipient inserts (they hold its lock shared),
      -- then deletes with a snapshot that sees them; inserts after this wait until it commits,
      -- then find the households gone.
      perform pg_advisory_xact_lock(hashtext('circular_recipients'), hashtext(a::text))
        from (select distinct association_id as a from old_rows order by 1) associations;
      delete from circular_recipients r using old_rows o where r.household_id = o.id;
      return null;
    end $$;
`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    create function truncate_keeps_no_orphans() returns trigger language plpgsql as $$
    declare
      referencing text;
      has_rows boolean;
    begin
      foreach referencing in array tg_argv loop
        execute format('select exists (select from %I)', referencing) into strict has_rows;
        if has_rows then
          raise exception 'TRUNCATE %: % names its rows (a statement-level check, not a foreign key); truncate % in the same statement',
            tg_table_name, referencing, referencing
            using errcode = 'feature_not_supported', table = referencing;
        end if;
      end loop;
      return null;
    end $$;
    ${guards.map(([table, referencing]) => `
    create trigger ${table}_truncate_keeps_no_orphans after truncate on ${table}
      for each statement execute function truncate_keeps_no_orphans(${referencing.map((r) => `'${r}'`).join(', ')});`).join('')}
    ${functions(true)}
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    ${guards.map(([table]) => `drop trigger ${table}_truncate_keeps_no_orphans on ${table};`).join('\n    ')}
    drop function truncate_keeps_no_orphans();
    ${functions(false)}
  `,
    )
    .execute(db);
}
