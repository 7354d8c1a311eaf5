import { sql, type Kysely } from 'kysely';

/**
 * 変更履歴 reads the directory's audit (`directory_audit`), and an officer's own edits of the
 * directory went only to their association's `audit_log` until now: from here on every edit is
 * written to both. This copies the earlier ones (an entry's create, update and confirm, with
 * their time and officer) into `directory_audit`, each once, for entries their association still
 * keeps. Down removes every officer's edit from `directory_audit` (the code before wrote none;
 * `audit_log` keeps them all): rows by a person, not those whose account was deleted since
 * (its foreign key set null, they have neither actor).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into directory_audit (at, actor_person_id, action, subject, detail)
    select l.at, l.actor_person_id, l.action, s.id, l.detail
    from audit_log l
    join directory_services s on s.id::text = l.subject and s.created_by_association_id = l.association_id
    where l.action in ('directory.service.create', 'directory.service.update', 'directory.service.confirm')
      and not exists (
        select 1 from directory_audit a
        where a.subject = s.id and a.action = l.action and a.at = l.at and a.actor_account_id is null
      )
    order by l.at
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from directory_audit
    where actor_account_id is null and actor_person_id is not null
      and action in ('directory.service.create', 'directory.service.update', 'directory.service.confirm', 'directory.imported')
  `.execute(db);
}
