import { sql, type Selectable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import type { DirectoryServiceTable } from './directory.tables.js';
import { areaTree, ownedBy, ownerColumns, type Owner } from './directory-owner.js';

/** An area and every area under it, the area first, then by kind and name. */
export async function areasUnder(db: Db, rootId: string) {
  const { rows } = await sql<{ id: string; code: string; name: string; kind: string }>`
    select a.id, a.code, a.name, a.kind from directory_areas a where a.id in ${areaTree(rootId)}
    order by a.id = ${rootId} desc, array_position(array['prefecture', 'city', 'ward', 'school_district', 'association'], a.kind), a.name, a.code`.execute(db);
  return rows;
}
import { entryToday } from './directory-time.js';

/**
 * The directory's SQL. Whether an entry may show is decided here, in the query: published and
 * confirmed within its reconfirm period (in the time zone of the association that added it), so a
 * stale entry never shows as current, whether or not a job has marked it yet.
 */

/** An association's area and its ancestors, most local first (depth 0 = the association). */
export async function areaChain(db: Db, code: string | undefined) {
  const { rows } = await sql<{ id: string; code: string; name: string; kind: string; depth: number; time_zone: string }>`
    with recursive start as (
      select a.id from directory_areas a join associations s on s.id = a.association_id
      where a.kind = 'association' ${code === undefined ? sql`` : sql`and a.code = ${code}`}
      order by s.created_at, a.code limit 1
    ), chain as (
      select a.id, a.parent_id, 0 as depth from directory_areas a join start on start.id = a.id
      union all
      select p.id, p.parent_id, c.depth + 1 from directory_areas p join chain c on p.id = c.parent_id where c.depth < 10
    )
    select a.id, a.code, a.name, a.kind, c.depth,
      coalesce((select s.time_zone from associations s where s.id = (select association_id from directory_areas where id = (select id from start))), 'Asia/Tokyo') as time_zone
    from chain c join directory_areas a on a.id = c.id
    order by c.depth`.execute(db);
  return rows;
}

/**
 * The association's area, added at the top of the hierarchy (code = the association's slug)
 * if it has none yet; the demo and a city editor later place it under its school district.
 */
export async function ensureAssociationArea(db: Db, associationId: string) {
  await sql`
    insert into directory_areas (kind, code, name, association_id)
    select 'association',
      -- An area (a city, say) may already use the slug as its code: then the slug and the association's id.
      case when exists (select 1 from directory_areas t where t.code = s.slug) then left(s.slug, 50) || '-' || left(s.id::text, 8) else s.slug end,
      s.name, s.id
    from associations s where s.id = ${associationId}
    on conflict do nothing`.execute(db);
  return db.selectFrom('directory_areas').select(['id', 'code']).where('association_id', '=', associationId).executeTakeFirstOrThrow();
}

const current = sql<boolean>`(s.status = 'published' and s.last_confirmed_on > (${entryToday()} - make_interval(months => s.reconfirm_months)))`;

/**
 * Published, current services serving any of `areaIds` (most local first) and helping with any
 * of `worries`: most worries matched first, then the most local area served, then the name.
 */
export async function searchServices(db: Db, input: { areaIds: string[]; worries: string[]; limit?: number }) {
  const { rows } = await sql<ServiceRow & { organisation: string; matched: number; serves_area: string }>`
    with chain as (select id, depth from unnest(${input.areaIds}::uuid[]) with ordinality as c(id, depth))
    select s.*, o.name as organisation,
      cardinality(array(select unnest(s.worries) intersect select unnest(${input.worries}::text[])))::int as matched,
      best.name as serves_area
    from directory_services s
    join directory_organisations o on o.id = s.organisation_id
    cross join lateral (
      select a.name, c.depth from directory_service_areas sa
      join chain c on c.id = sa.area_id join directory_areas a on a.id = sa.area_id
      where sa.service_id = s.id order by c.depth limit 1
    ) best
    where ${current} and s.worries && ${input.worries}::text[]
    order by matched desc, best.depth, s.name, s.id
    limit ${input.limit ?? 50}`.execute(db);
  return rows;
}

type ServiceRow = Selectable<DirectoryServiceTable>;

export type EditorRow = ServiceRow & { organisation: string; organisation_login: string | null; current: boolean; area_codes: string[]; confirm_by: string; days_left: number };

/**
 * A service as its editors see it (EditorRow): with its organisation, whether it is current,
 * and the areas it serves. Callers add a where clause on `s` and `o` (the CSV export,
 * directory-import.repository.ts, reads it as a subquery).
 */
export const editorSelect = sql`
  select s.*, o.name as organisation, ${current} as current,
    (select d.login from directory_accounts d where d.organisation_id = s.organisation_id and d.role = 'organisation' order by d.created_at, d.id limit 1) as organisation_login,
    to_char(s.last_confirmed_on + make_interval(months => s.reconfirm_months), 'YYYY-MM-DD') as confirm_by,
    ((s.last_confirmed_on + make_interval(months => s.reconfirm_months))::date - ${entryToday()}) as days_left,
    array(select a.code from directory_service_areas sa join directory_areas a on a.id = sa.area_id where sa.service_id = s.id order by a.code) as area_codes
  from directory_services s
  join directory_organisations o on o.id = s.organisation_id`;

/** Every service (any status) serving any of `areaIds`, for the editors. */
export async function servicesServing(db: Db, input: { areaIds: string[] }) {
  const { rows } = await sql<EditorRow>`
    ${editorSelect}
    where exists (select 1 from directory_service_areas sa where sa.service_id = s.id and sa.area_id = any(${input.areaIds}::uuid[]))
    order by s.name, s.id`.execute(db);
  return rows;
}

/** One service its owner's editors may change (an association's officers, a city's editors), locked, or undefined. */
export async function ownedService(db: Db, owner: Owner, id: string) {
  const { rows } = await sql<EditorRow>`
    ${editorSelect}
    where s.id = ${id} and ${ownedBy(owner)}
    for update of s`.execute(db);
  return rows[0];
}

/** Every service the owner keeps (any status), for its editors. */
export async function ownedServices(db: Db, owner: Owner) {
  const { rows } = await sql<EditorRow>`
    ${editorSelect}
    where ${ownedBy(owner)}
    order by s.name, s.id`.execute(db);
  return rows;
}

/** Every service of an organisation (any status), for its own login. */
export async function servicesOfOrganisation(db: Db, organisationId: string) {
  const { rows } = await sql<EditorRow>`
    ${editorSelect}
    where s.organisation_id = ${organisationId}
    order by s.name, s.id`.execute(db);
  return rows;
}

/** One service of an organisation (another organisation's is undefined), locked. */
export async function organisationService(db: Db, organisationId: string, id: string) {
  const { rows } = await sql<EditorRow>`
    ${editorSelect}
    where s.id = ${id} and s.organisation_id = ${organisationId}
    for update of s`.execute(db);
  return rows[0];
}

/** The cities (areas of kind 'city') whose code or name is `word` (a city editor's city, named on the CLI). */
export function citiesNamed(db: Db, word: string) {
  return db.selectFrom('directory_areas').select(['id', 'code', 'name']).where('kind', '=', 'city')
    .where((eb) => eb.or([eb('code', '=', word), eb('name', '=', word)])).orderBy('code').execute();
}

/** The association's directory area (made with the association; see the 20261207T0200 migration), if any: reading never writes. */
export function associationArea(db: Db, associationId: string) {
  return db.selectFrom('directory_areas').select(['id', 'code']).where('association_id', '=', associationId).executeTakeFirst();
}

/** The owner's organisation of this name, if any. */
export async function ownOrganisationNamed(db: Db, owner: Owner, name: string) {
  const found = await db.selectFrom('directory_organisations as o').select('o.id')
    .where(ownedBy(owner, 'o')).where('o.name', '=', name).executeTakeFirst();
  return found?.id;
}

/** A new organisation of the owner's. */
export async function addOrganisation(db: Db, owner: Owner, name: string) {
  const added = await db.insertInto('directory_organisations').values({ name, ...ownerColumns(owner) }).returning('id').executeTakeFirstOrThrow();
  return added.id;
}

/** The owner's organisation of this name, added if missing. */
export async function organisationNamed(db: Db, owner: Owner, name: string) {
  return (await ownOrganisationNamed(db, owner, name)) ?? addOrganisation(db, owner, name);
}

export type NewService = {
  organisation_id: string; name: string; description: string; worries: string[]; age_groups: string[]; languages: string[];
  address: string; lat: number | null; lon: number | null; phone: string; hours: string; walk_in: boolean; web: string; cost: string;
  status: 'draft' | 'published' | 'hidden'; last_confirmed_on: string;
};

/** Adds a service kept by `owner` (null: nobody's, as the national lines) serving `areaIds`. */
export async function insertService(db: Db, owner: Owner | null, areaIds: string | string[], service: NewService) {
  const { id } = await db.insertInto('directory_services').values({ ...service, ...ownerColumns(owner) }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('directory_service_areas').values([areaIds].flat().map((area_id) => ({ service_id: id, area_id }))).execute();
  return id;
}

/** Changes a service its owner keeps (scoped by it); the number of rows changed. */
export async function updateService(db: Db, owner: Owner, id: string, change: Partial<NewService>) {
  // An editor's own choice of whether it shows ends the freshness job's course for it (stale,
  // then hidden): an entry the editor hid stays hidden when its organisation reconfirms.
  const decided = change.status === undefined ? {} : { stale_since: null };
  const result = await db.updateTable('directory_services as s').set({ ...change, ...decided, updated_at: new Date() })
    .where('s.id', '=', id).where(ownedBy(owner)).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

const ID = '11111111-1111-4111-8111-111111111111';
const AREA = '22222222-2222-4222-8222-222222222222';
const example: NewService = {
  organisation_id: ID, name: 'x', description: '', worries: ['care'], age_groups: [], languages: ['ja'], address: '', lat: null, lon: null,
  phone: '0774-00-0000', hours: '', walk_in: false, web: '', cost: '', status: 'draft', last_confirmed_on: '2026-12-01',
};
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'areaChain', run: (db) => areaChain(db, 'demo') },
  { name: 'ensureAssociationArea', run: (db) => ensureAssociationArea(db, ID) },
  { name: 'searchServices', run: (db) => searchServices(db, { areaIds: [AREA, ID], worries: ['care', 'loneliness'] }) },
  { name: 'servicesServing', run: (db) => servicesServing(db, { areaIds: [AREA, ID] }) },
  { name: 'ownedService', run: (db) => ownedService(db, { associationId: ID }, AREA) },
  { name: 'ownedServices', run: (db) => ownedServices(db, { cityAreaId: AREA }) },
  { name: 'areasUnder', run: (db) => areasUnder(db, AREA) },
  { name: 'servicesOfOrganisation', run: (db) => servicesOfOrganisation(db, ID) },
  { name: 'organisationService', run: (db) => organisationService(db, ID, AREA) },
  { name: 'associationArea', run: (db) => associationArea(db, ID) },
  { name: 'citiesNamed', run: (db) => citiesNamed(db, '京田辺市') },
  { name: 'ownOrganisationNamed', run: (db) => ownOrganisationNamed(db, { cityAreaId: ID }, '社会福祉協議会') },
  { name: 'addOrganisation', run: (db) => addOrganisation(db, { cityAreaId: ID }, '社会福祉協議会') },
  { name: 'organisationNamed', run: (db) => organisationNamed(db, { associationId: ID }, '社会福祉協議会') },
  { name: 'insertService', run: (db) => insertService(db, { associationId: ID }, AREA, example) },
  { name: 'updateService', run: (db) => updateService(db, { associationId: ID }, AREA, { hours: '9時〜17時' }) },
];
