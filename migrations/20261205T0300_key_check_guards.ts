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
 * insert would miss the deletion. So those statements are now refused at any other level
 * (tonari uses no other) by a BEFORE statement trigger, instead of assuming it.
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

/** The statements whose checks and cascades (0200, 0300) need READ COMMITTED: each is refused first at any other level. */
const needReadCommitted: [trigger: string, event: string, table: string][] = [
  ['drill_targets_insert_read_committed', 'insert', 'drill_targets'],
  ['circular_recipients_insert_read_committed', 'insert', 'circular_recipients'],
  ['households_delete_read_committed', 'delete', 'households'],
];

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

    create function key_checks_read_committed() returns trigger language plpgsql as $$
    begin
      if current_setting('transaction_isolation') <> 'read committed' then
        raise exception '% on %: the statement-level key check needs READ COMMITTED, not %', tg_op, tg_table_name, current_setting('transaction_isolation')
          using errcode = 'feature_not_supported';
      end if;
      return null;
    end $$;
    ${needReadCommitted.map(([trigger, event, table]) => `
    create trigger ${trigger} before ${event} on ${table} for each statement execute function key_checks_read_committed();`).join('')}
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
    ${needReadCommitted.map(([trigger, , table]) => `drop trigger ${trigger} on ${table};`).join('\n    ')}
    drop function key_checks_read_committed();
  `,
    )
    .execute(db);
}
