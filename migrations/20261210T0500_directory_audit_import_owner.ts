import { sql, type Kysely } from 'kysely';

/**
 * 変更履歴 shows a CSV import as one row. An import is about no single entry (its audit row has
 * no subject), so the row names whose entries it wrote: the owner columns of directory-owner.ts
 * (an association's, or a city's), set on import rows only. Existing import rows get their
 * owner from their actor (an officer's association; a city editor's city), indexed for the
 * history's newest-first pages, and an officer's
 * import from before officers' edits reached `directory_audit` (20261209T0200) is copied from
 * `audit_log`, each once. Down drops the columns and the copied rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table directory_audit
      add column created_by_association_id uuid references associations (id) on delete cascade,
      add column owner_area_id uuid references directory_areas (id),
      add column copied_from_audit_log boolean not null default false,
      add constraint directory_audit_one_owner check (owner_area_id is null or created_by_association_id is null);
    -- 変更履歴 reads an owner's imports newest first (directory-history.repository.ts); the
    -- association's index also serves the cascade when an association is deleted.
    create index directory_audit_import_association_idx on directory_audit (created_by_association_id, at desc, id desc) where created_by_association_id is not null;
    create index directory_audit_import_area_idx on directory_audit (owner_area_id, at desc, id desc) where owner_area_id is not null;

    update directory_audit a set created_by_association_id = p.association_id
    from people p
    where a.action = 'directory.imported' and a.actor_person_id = p.id;

    update directory_audit a set owner_area_id = d.area_id
    from directory_accounts d
    where a.action = 'directory.imported' and a.actor_account_id = d.id and d.role = 'city_editor';

    insert into directory_audit (at, actor_person_id, action, detail, created_by_association_id, copied_from_audit_log)
    select l.at, l.actor_person_id, l.action, l.detail, l.association_id, true
    from audit_log l
    where l.action = 'directory.imported'
      and not exists (
        select 1 from directory_audit a
        where a.action = l.action and a.at = l.at and a.created_by_association_id = l.association_id
      )
    order by l.at;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from directory_audit where copied_from_audit_log;
    drop index directory_audit_import_association_idx, directory_audit_import_area_idx;
    alter table directory_audit drop column created_by_association_id, drop column owner_area_id, drop column copied_from_audit_log;
  `.execute(db);
}
