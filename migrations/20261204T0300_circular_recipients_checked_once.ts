import { sql, type Kysely } from 'kysely';

/**
 * A circular's recipients name their circular and their households through a statement-level
 * check, not two per-row foreign keys.
 *
 * Why: publishing to a town writes one recipient row per household in one INSERT … SELECT, in
 * the publishing transaction, and the live event waits for its commit. The foreign keys
 * (circular_id, association_id) → circulars and (household_id, association_id) → households
 * were two trigger calls per row: the same circular looked up 10,000 times, and one SPI lookup
 * and row lock per household — about 330 ms of a 10,000-household publish's 550 ms in
 * PostgreSQL (EXPLAIN ANALYZE's trigger times); this check takes about 45 ms.
 *
 * What keeps the integrity the constraints gave:
 * - every statement that inserts recipients locks the circulars its rows name, once each and in
 *   key order, FOR KEY SHARE (as the foreign key did), and fails with foreign_key_violation when
 *   a circular or a household is missing or belongs to another association;
 * - households are not locked one by one (10,000 row locks, each a WAL record, were most of the
 *   check's time): the insert takes a transaction-level advisory lock of each association its
 *   rows name, shared, before checking them; deleting households takes it exclusively before
 *   deleting their recipients. So a deletion waits for a publish in flight and then removes what
 *   it wrote (each plpgsql statement reads a fresh snapshot under READ COMMITTED, tonari's
 *   level), and a publish that meets a deletion in flight waits for it and then finds the
 *   household gone (refused: nothing half-written). The two-key form of the lock does not share
 *   keys with pg-boss's or the roster import's one-key locks;
 * - a recipient's circular, household and association never change (refused, so an UPDATE needs
 *   no check: acknowledgements and answers pay nothing for this);
 * - deleting circulars or households deletes their recipients (the cascades), in the deleting
 *   statement's transaction;
 * - a circular's or a household's id and association never change (refused, as the foreign
 *   keys' NO ACTION did).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table circular_recipients drop constraint circular_recipients_circular_id_association_id_fkey;
    alter table circular_recipients drop constraint circular_recipients_household_id_association_id_fkey;

    create function circular_recipients_checked() returns trigger language plpgsql as $$
    begin
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
    create trigger circular_recipients_checked_insert after insert on circular_recipients
      referencing new table as new_rows for each statement execute function circular_recipients_checked();

    create function circular_recipients_keep_key() returns trigger language plpgsql as $$
    begin
      raise exception '%: a key named by circular recipients does not change', tg_table_name
        using errcode = 'foreign_key_violation', table = tg_table_name, constraint = 'circular_recipients_checked';
    end $$;
    create trigger circular_recipients_keep_key before update of circular_id, household_id, association_id on circular_recipients
      for each row when (old.circular_id is distinct from new.circular_id or old.household_id is distinct from new.household_id
        or old.association_id is distinct from new.association_id) execute function circular_recipients_keep_key();
    create trigger circulars_keep_recipients_key before update of id, association_id on circulars
      for each row when (old.id is distinct from new.id or old.association_id is distinct from new.association_id) execute function circular_recipients_keep_key();
    create trigger households_keep_recipients_key before update of id, association_id on households
      for each row when (old.id is distinct from new.id or old.association_id is distinct from new.association_id) execute function circular_recipients_keep_key();

    create function circulars_delete_recipients() returns trigger language plpgsql as $$
    begin
      delete from circular_recipients r using old_rows o where r.circular_id = o.id;
      return null;
    end $$;
    create trigger circulars_delete_recipients after delete on circulars
      referencing old table as old_rows for each statement execute function circulars_delete_recipients();
    create function households_delete_recipients() returns trigger language plpgsql as $$
    begin
      -- Waits for the association's uncommitted recipient inserts (they hold its lock shared),
      -- then deletes with a snapshot that sees them; inserts after this wait until it commits,
      -- then find the households gone.
      perform pg_advisory_xact_lock(hashtext('circular_recipients'), hashtext(a::text))
        from (select distinct association_id as a from old_rows order by 1) associations;
      delete from circular_recipients r using old_rows o where r.household_id = o.id;
      return null;
    end $$;
    create trigger households_delete_recipients after delete on households
      referencing old table as old_rows for each statement execute function households_delete_recipients();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger households_delete_recipients on households;
    drop trigger circulars_delete_recipients on circulars;
    drop function households_delete_recipients(), circulars_delete_recipients();
    drop trigger households_keep_recipients_key on households;
    drop trigger circulars_keep_recipients_key on circulars;
    drop trigger circular_recipients_keep_key on circular_recipients;
    drop trigger circular_recipients_checked_insert on circular_recipients;
    drop function circular_recipients_keep_key(), circular_recipients_checked();
    delete from circular_recipients r where not exists (select from circulars c where c.id = r.circular_id and c.association_id = r.association_id)
      or not exists (select from households h where h.id = r.household_id and h.association_id = r.association_id);
    alter table circular_recipients add constraint circular_recipients_circular_id_association_id_fkey
      foreign key (circular_id, association_id) references circulars(id, association_id) on delete cascade;
    alter table circular_recipients add constraint circular_recipients_household_id_association_id_fkey
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade;
  `.execute(db);
}
