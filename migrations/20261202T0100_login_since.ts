import { sql, type Kysely } from 'kysely';

/**
 * When a person got their way in: `people.login_since` is set the moment a password is first
 * stored (joining with a household passcode, an officer setting one, a seed), and cleared when
 * it is removed. A trigger keeps it, so every path that writes `password_hash` is covered
 * without touching it; the readiness view draws each 班's registration rate over time from it.
 * Logins that exist already date from when the person was added (the best we know).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table people add column login_since timestamptz;
    update people set login_since = created_at where password_hash is not null;
    create function people_login_since() returns trigger language plpgsql as $$
    begin
      if new.password_hash is null then
        new.login_since := null;
      elsif new.login_since is null or (tg_op = 'UPDATE' and old.password_hash is null) then
        new.login_since := now();
      end if;
      return new;
    end $$;
    create trigger people_login_since before insert or update of password_hash on people
      for each row execute function people_login_since();
    create index devices_household_idx on devices (household_id) where revoked_at is null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index devices_household_idx;
    drop trigger people_login_since on people;
    drop function people_login_since();
    alter table people drop column login_since;
  `.execute(db);
}
