import { sql, type Kysely } from 'kysely';

/**
 * A drill's targets name their drill through a statement-level check, not a per-row foreign key.
 *
 * Why: the start writes a city's 100,000 targets in one INSERT … SELECT, and the foreign key
 * (drill_id, association_id) → drills checked the same drill row 100,000 times (one SPI lookup
 * and one KEY SHARE lock per row: about a third of the start, measured with auto_explain's
 * trigger times). The household's foreign key stays (it carries the cascade when a household
 * is removed, and each row names a different household).
 *
 * What keeps the integrity the constraint gave:
 * - every statement that inserts or updates targets locks the drills it names, once each and in
 *   key order, FOR KEY SHARE (as the foreign key did: no concurrent delete or re-key until it
 *   commits), and fails with foreign_key_violation when one of them is missing or belongs to
 *   another association;
 * - deleting drills deletes their targets (the cascade), in the same statement's transaction;
 * - a drill's id and association never change (refused, as the foreign key's NO ACTION did).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table drill_targets drop constraint drill_targets_drill_id_association_id_fkey;

    create function drill_targets_drill_checked() returns trigger language plpgsql as $$
    begin
      perform 1 from drills d where d.id in (select distinct drill_id from new_rows) order by d.id for key share;
      if exists (
        select 1 from (select distinct drill_id, association_id from new_rows) n
        where not exists (select 1 from drills d where d.id = n.drill_id and d.association_id = n.association_id)
      ) then
        raise exception 'drill_targets: a row names a drill that does not exist in its association'
          using errcode = 'foreign_key_violation', table = 'drill_targets', constraint = 'drill_targets_drill_checked';
      end if;
      return null;
    end $$;
    create trigger drill_targets_drill_checked_insert after insert on drill_targets
      referencing new table as new_rows for each statement execute function drill_targets_drill_checked();
    create trigger drill_targets_drill_checked_update after update on drill_targets
      referencing new table as new_rows for each statement execute function drill_targets_drill_checked();

    create function drills_delete_targets() returns trigger language plpgsql as $$
    begin
      delete from drill_targets t using old_rows o where t.drill_id = o.id;
      return null;
    end $$;
    create trigger drills_delete_targets after delete on drills
      referencing old table as old_rows for each statement execute function drills_delete_targets();

    create function drills_keep_key() returns trigger language plpgsql as $$
    begin
      raise exception 'drills: a drill''s id and association do not change'
        using errcode = 'foreign_key_violation', table = 'drills', constraint = 'drill_targets_drill_checked';
    end $$;
    create trigger drills_keep_key before update of id, association_id on drills
      for each row when (old.id is distinct from new.id or old.association_id is distinct from new.association_id) execute function drills_keep_key();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger drills_keep_key on drills;
    drop trigger drills_delete_targets on drills;
    drop trigger drill_targets_drill_checked_update on drill_targets;
    drop trigger drill_targets_drill_checked_insert on drill_targets;
    drop function drills_keep_key(), drills_delete_targets(), drill_targets_drill_checked();
    delete from drill_targets t where not exists (select from drills d where d.id = t.drill_id and d.association_id = t.association_id);
    alter table drill_targets add constraint drill_targets_drill_id_association_id_fkey
      foreign key (drill_id, association_id) references drills(id, association_id) on delete cascade;
  `.execute(db);
}
