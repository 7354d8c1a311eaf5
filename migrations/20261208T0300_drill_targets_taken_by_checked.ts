import { sql, type Kysely } from 'kysely';

/**
 * Who took a drill target ("I'm going", drill_targets.taken_by) is checked by a row trigger that
 * fires only when a person is named, not by a foreign key.
 *
 * Why: a city's start writes 100,000 targets, none of them taken, and the foreign key still queued
 * one after-trigger event per row (PostgreSQL queues an RI check for every inserted row and only
 * then sees the NULL): about 0.3–0.4 s of backend CPU of the start's INSERT (drill bench, 100,000
 * homes, A/B in one window). A row trigger's WHEN clause is evaluated before the event is queued,
 * so rows with no taker cost nothing.
 *
 * What keeps the integrity the constraint gave:
 * - inserting or updating a target that names a taker locks that person FOR KEY SHARE (as the
 *   foreign key did: a concurrent deletion waits until this commits) and fails with
 *   foreign_key_violation when the person does not exist;
 * - deleting people clears taken_by on their targets (ON DELETE SET NULL), once per statement,
 *   through a partial index holding only taken targets (none at a start: nothing to write there);
 *   at READ COMMITTED only (key_checks_read_committed, 20261205T0300), so the clearing sees a
 *   taker committed while the deletion waited for its lock;
 * - TRUNCATE people is refused while drill_targets has rows unless both are truncated together
 *   (truncate_keeps_no_orphans, as for the other replaced keys).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table drill_targets drop constraint drill_targets_taken_by_fkey;
    create index drill_targets_taken_by_idx on drill_targets (taken_by) where taken_by is not null;

    create function drill_targets_taken_by_checked() returns trigger language plpgsql as $$
    begin
      perform 1 from people p where p.id = new.taken_by for key share;
      if not found then
        raise exception 'drill_targets: taken_by names a person who does not exist'
          using errcode = 'foreign_key_violation', table = 'drill_targets', constraint = 'drill_targets_taken_by_checked';
      end if;
      return null;
    end $$;
    create trigger drill_targets_taken_by_checked after insert or update of taken_by on drill_targets
      for each row when (new.taken_by is not null) execute function drill_targets_taken_by_checked();

    create function people_release_drill_targets() returns trigger language plpgsql as $$
    begin
      update drill_targets t set taken_by = null where t.taken_by in (select id from old_rows) and t.taken_by is not null;
      return null;
    end $$;
    create trigger people_release_drill_targets after delete on people
      referencing old table as old_rows for each statement execute function people_release_drill_targets();
    create trigger people_delete_read_committed before delete on people for each statement execute function key_checks_read_committed();
    create trigger people_truncate_keeps_no_orphans after truncate on people for each statement execute function truncate_keeps_no_orphans('drill_targets');
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger people_truncate_keeps_no_orphans on people;
    drop trigger people_delete_read_committed on people;
    drop trigger people_release_drill_targets on people;
    drop trigger drill_targets_taken_by_checked on drill_targets;
    drop function people_release_drill_targets(), drill_targets_taken_by_checked();
    drop index drill_targets_taken_by_idx;
    update drill_targets t set taken_by = null where t.taken_by is not null and not exists (select from people p where p.id = t.taken_by);
    alter table drill_targets add constraint drill_targets_taken_by_fkey foreign key (taken_by) references people(id) on delete set null;
  `.execute(db);
}
