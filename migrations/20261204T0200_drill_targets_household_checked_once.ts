import { sql, type Kysely } from 'kysely';

/**
 * A drill's targets name their household through a statement-level check, not a per-row foreign
 * key, and drill_targets loses its household index.
 *
 * Why: a city's start writes 100,000 targets in one INSERT … SELECT, and the foreign key
 * (household_id, association_id) → households ran one SPI lookup and took one KEY SHARE row lock
 * per target: about 2.4 s of the start's 5.5 s of backend CPU (measured on the drill bench's
 * 100,000 homes), and its index (household_id), read by nothing else that the primary key
 * (drill_id, household_id) cannot serve, cost a further 0.3 s of index upkeep. Locking the
 * 100,000 households set-based instead still cost 0.4–1.5 s (one lock record per tuple), so the
 * check serializes with deletions per association instead of per household.
 *
 * What keeps the integrity the constraint gave (all of it in the statement's transaction):
 * - every statement that inserts targets takes a shared transaction-level advisory lock per
 *   association it names, in key order, then checks with a fresh snapshot that every
 *   (household, association) it wrote exists, and fails with foreign_key_violation when one does
 *   not (another association's household, or none); a target's household and association never
 *   change afterwards (refused);
 * - every statement that deletes households takes the same locks exclusively, then deletes their
 *   targets (the cascade): a deletion waits for a start writing targets in that association to
 *   commit, and then sees and deletes them; a start that waited for a deletion sees it and fails;
 * - a household's id and association never change (refused, as the foreign key's NO ACTION did
 *   for a referenced one).
 * Like the drill's statement check (20261203T0610), the fresh snapshots are READ COMMITTED's,
 * the only isolation level tonari uses.
 */
const lockAssociations = (rows: string, mode: 'shared' | 'exclusive') => `
      perform ${mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(20261204, hashtext(a.association_id::text))
      from (select distinct association_id from ${rows}) a order by a.association_id;`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    alter table drill_targets drop constraint drill_targets_household_id_association_id_fkey;
    drop index drill_targets_household_idx;

    create function drill_targets_household_checked() returns trigger language plpgsql as $$
    begin
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
    create trigger drill_targets_household_checked_insert after insert on drill_targets
      referencing new table as new_rows for each statement execute function drill_targets_household_checked();
    -- A target's household and association are its key (written once, by the insert), as a household's id and association are.
    create function household_key_kept() returns trigger language plpgsql as $$
    begin
      raise exception '%: a household''s key and association do not change', tg_table_name
        using errcode = 'foreign_key_violation', table = tg_table_name, constraint = 'drill_targets_household_checked';
    end $$;
    create trigger drill_targets_keep_household before update of household_id, association_id on drill_targets
      for each row when (old.household_id is distinct from new.household_id or old.association_id is distinct from new.association_id)
      execute function household_key_kept();

    -- The drills of the deleted households' associations, then each target by its primary key.
    create function households_delete_targets() returns trigger language plpgsql as $$
    begin
      ${lockAssociations('old_rows', 'exclusive')}
      delete from drill_targets t using old_rows o, drills d
      where d.association_id = o.association_id and t.drill_id = d.id and t.household_id = o.id;
      return null;
    end $$;
    create trigger households_delete_targets after delete on households
      referencing old table as old_rows for each statement execute function households_delete_targets();

    create trigger households_keep_key before update of id, association_id on households
      for each row when (old.id is distinct from new.id or old.association_id is distinct from new.association_id) execute function household_key_kept();
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger households_keep_key on households;
    drop trigger households_delete_targets on households;
    drop trigger drill_targets_keep_household on drill_targets;
    drop trigger drill_targets_household_checked_insert on drill_targets;
    drop function household_key_kept(), households_delete_targets(), drill_targets_household_checked();
    create index drill_targets_household_idx on drill_targets (household_id);
    delete from drill_targets t where not exists (select from households h where h.id = t.household_id and h.association_id = t.association_id);
    alter table drill_targets add constraint drill_targets_household_id_association_id_fkey
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade;
  `.execute(db);
}
