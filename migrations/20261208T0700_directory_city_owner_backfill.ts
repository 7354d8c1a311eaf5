import { sql, type Kysely } from 'kysely';

/**
 * The city's entries of a directory from before 20261208T0400 (a kept database, as a demo's:
 * the demo is seeded only into an empty one): an entry nobody keeps (no association, no city)
 * whose served areas all lie under exactly one city becomes that city's, so the city's editor
 * can keep it; its organisation too, when every one of its services is that city's. Entries
 * serving wider areas (a prefecture, the nation: the national lines) or areas of two cities stay
 * unowned. Data only: down leaves the owners set (20261208T0400's down drops the columns).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    with recursive up as (
      select a.id as area_id, a.id, a.parent_id, a.kind, 0 as depth from directory_areas a
      union all
      select u.area_id, p.id, p.parent_id, p.kind, u.depth + 1 from directory_areas p join up u on p.id = u.parent_id where u.depth < 10
    ), city_of as (
      select area_id, id as city_id from up where kind = 'city'
    ), owned as (
      select s.id, min(c.city_id::text)::uuid as city_id
      from directory_services s
      join directory_service_areas sa on sa.service_id = s.id
      left join city_of c on c.area_id = sa.area_id
      where s.created_by_association_id is null and s.owner_area_id is null
      group by s.id
      having count(*) = count(c.city_id) and count(distinct c.city_id) = 1
    )
    update directory_services s set owner_area_id = owned.city_id from owned where owned.id = s.id
  `.execute(db);
  await sql`
    update directory_organisations o set owner_area_id = kept.city_id
    from (
      select organisation_id, min(owner_area_id::text)::uuid as city_id from directory_services
      group by organisation_id
      having count(*) = count(owner_area_id) and count(distinct owner_area_id) = 1
    ) kept
    where kept.organisation_id = o.id and o.created_by_association_id is null and o.owner_area_id is null
  `.execute(db);
}

export async function down(): Promise<void> {}
