import { sql, type Kysely } from 'kysely';

/**
 * The directory's CSV import and export (お悩みハンドブック, issue 14 item 5):
 * - `external_id`: a stable id per service, what a city's list (or an earlier export) calls it,
 *   so a re-import updates rather than duplicates. Deployment-wide unique: an id another
 *   association's entry holds is refused. Entries added in the app get a random one.
 * - An imported row without any contact (no phone, web or address) is kept as a draft: the
 *   table now asks for a contact only of an entry that is not a draft.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table directory_services
      add column external_id text not null default gen_random_uuid()::text
        check (length(external_id) between 1 and 100);
    create unique index directory_services_external_id_idx on directory_services (external_id);
    alter table directory_services drop constraint directory_services_check;
    alter table directory_services add constraint directory_services_contact_check
      check (status = 'draft' or phone <> '' or web <> '' or address <> '');
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from directory_services where status = 'draft' and phone = '' and web = '' and address = '';
    alter table directory_services drop constraint directory_services_contact_check;
    alter table directory_services add constraint directory_services_check check (phone <> '' or web <> '' or address <> '');
    alter table directory_services drop column external_id;
  `.execute(db);
}
