import { sql } from 'kysely';
import './directory-city.tables.js';

/** Who keeps an entry: an association (its officers) or a city (its editors; an area of kind 'city'). */
export type Owner = { associationId: string } | { cityAreaId: string };

/** The owner's columns of a new entry or organisation (null: an entry nobody keeps, as the national lines). */
export const ownerColumns = (owner: Owner | null) =>
  owner && 'cityAreaId' in owner ? { created_by_association_id: null, owner_area_id: owner.cityAreaId } : { created_by_association_id: owner?.associationId ?? null, owner_area_id: null };

/** `alias`'s row is the owner's (a directory_services or directory_organisations row). */
export const ownedBy = (owner: Owner, alias = 's') =>
  'associationId' in owner ? sql<boolean>`${sql.ref(`${alias}.created_by_association_id`)} = ${owner.associationId}` : sql<boolean>`${sql.ref(`${alias}.owner_area_id`)} = ${owner.cityAreaId}`;

/** The ids of an area and of every area under it (a city's wards, school districts and associations), as a subquery. */
export const areaTree = (rootId: string) => sql`(
  with recursive tree as (
    select id, 0 as depth from directory_areas where id = ${rootId}
    union all
    select a.id, t.depth + 1 from directory_areas a join tree t on a.parent_id = t.id where t.depth < 10
  ) select id from tree)`;

/** The ids of an association's area and of every area above it (its school district, ward and city), as a subquery. */
export const areaAncestors = (associationId: string) => sql`(
  with recursive up as (
    select id, parent_id, 0 as depth from directory_areas where association_id = ${associationId}
    union all
    select a.id, a.parent_id, u.depth + 1 from directory_areas a join up u on a.id = u.parent_id where u.depth < 10
  ) select id from up)`;
