import { sql, type Kysely } from 'kysely';

/**
 * The city's own editing of the directory (issue 14):
 * - `directory_accounts.area_id`: the city (a `directory_areas` row of kind 'city') a city
 *   editor keeps. A city editor's review queue, entries and imports are that area and the areas
 *   under it. A city editor from before this migration has none: refused (403, naming the CLI)
 *   until `npm run directory:city-editor` names their city; there is no deployment-wide editor.
 * - `directory_services.owner_area_id`, `directory_organisations.owner_area_id`: an entry (and
 *   organisation) the city keeps, not an association (`created_by_association_id` stays null).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table directory_accounts add column area_id uuid references directory_areas (id);
    alter table directory_services add column owner_area_id uuid references directory_areas (id);
    alter table directory_services add constraint directory_services_one_owner_check
      check (owner_area_id is null or created_by_association_id is null);
    create index directory_services_owner_area_idx on directory_services (owner_area_id) where owner_area_id is not null;
    alter table directory_organisations add column owner_area_id uuid references directory_areas (id);
    create index directory_organisations_owner_area_idx on directory_organisations (owner_area_id) where owner_area_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table directory_organisations drop column owner_area_id;
    alter table directory_services drop constraint directory_services_one_owner_check;
    alter table directory_services drop column owner_area_id;
    alter table directory_accounts drop column area_id;
  `.execute(db);
}
