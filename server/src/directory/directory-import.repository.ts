import { sql, type Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { editorSelect, ensureAssociationArea, type EditorRow, type NewService } from './directory.repository.js';
import { ownedBy, ownerColumns, type Owner } from './directory-owner.js';
import './directory-import.tables.js';

/**
 * The SQL of the directory's CSV import and export: set-based reads and writes of an
 * owner's entries (a city's list of a few hundred services is a handful of statements): an
 * association's (`created_by_association_id`) or a city's (`owner_area_id`), as for their editors.
 */

/**
 * One directory import at a time in the deployment, until the transaction ends: external ids
 * are deployment-wide, so two associations importing the same id at once cannot both take it.
 */
export function lockDirectoryImport(trx: Transaction<Database>) {
  return sql`select pg_advisory_xact_lock(hashtext('directory-import'))`.execute(trx);
}

/** The association's own area (added at the top of the hierarchy if it has none yet), with its name. */
export async function associationArea(db: Db, associationId: string) {
  const { id } = await ensureAssociationArea(db, associationId);
  return db.selectFrom('directory_areas').select(['id', 'code', 'name']).where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Every entry the owner keeps (an association's, a city's) as its editors see it
 * (directory.repository.ts editorSelect), with the areas it serves, in the export's order.
 */
export async function ownServices(db: Db, owner: Owner) {
  const { rows } = await sql<EditorRow & { areas: { id: string; code: string; name: string }[] }>`
    select e.*,
      coalesce((select json_agg(json_build_object('id', a.id, 'code', a.code, 'name', a.name) order by a.code)
        from directory_service_areas sa join directory_areas a on a.id = sa.area_id where sa.service_id = e.id), '[]') as areas
    from (${editorSelect} where ${ownedBy(owner)}) e
    order by e.organisation, e.name, e.external_id`.execute(db);
  return rows;
}

/** Which of `externalIds` entries of another owner (another association, a city, or none: a national line) hold. */
export async function externalIdsHeldElsewhere(db: Db, owner: Owner, externalIds: string[]) {
  if (externalIds.length === 0) return new Set<string>();
  const rows = await db.selectFrom('directory_services as s').select('s.external_id')
    .where('s.external_id', '=', sql<string>`any(${externalIds}::text[])`)
    .where(sql<boolean>`not coalesce(${ownedBy(owner)}, false)`)
    .execute();
  return new Set(rows.map((r) => r.external_id));
}

/** The owner's organisations of these names (added where missing): name → id. */
export async function organisationsNamed(db: Db, owner: Owner, names: string[]) {
  const unique = [...new Set(names)];
  if (unique.length === 0) return new Map<string, string>();
  const columns = ownerColumns(owner);
  await sql`
    insert into directory_organisations (name, created_by_association_id, owner_area_id)
    select n.name, ${columns.created_by_association_id}::uuid, ${columns.owner_area_id}::uuid from unnest(${unique}::text[]) as n(name)
    where not exists (select 1 from directory_organisations o where ${ownedBy(owner, 'o')} and o.name = n.name)`.execute(db);
  const rows = await db.selectFrom('directory_organisations as o').select(['o.id', 'o.name'])
    .where(ownedBy(owner, 'o')).where('o.name', '=', sql<string>`any(${unique}::text[])`)
    .orderBy('o.created_at').orderBy('o.id').execute();
  const byName = new Map<string, string>();
  for (const r of rows) if (!byName.has(r.name)) byName.set(r.name, r.id);
  return byName;
}

export type ImportedService = Omit<NewService, 'status'> & { status: 'draft' | 'published' | 'stale' | 'hidden'; external_id: string };

/**
 * Adds the new entries and changes the association's own ones, matched by external id (an
 * entry of another association is never changed: the conflict's update is scoped to this one).
 * The ids and external ids written.
 */
export async function upsertServices(db: Db, owner: Owner, services: ImportedService[]) {
  if (services.length === 0) return [];
  return db.insertInto('directory_services')
    .values(services.map((s) => ({ ...s, ...ownerColumns(owner) })))
    .onConflict((oc) => oc.column('external_id').doUpdateSet((eb) => ({
      organisation_id: eb.ref('excluded.organisation_id'), name: eb.ref('excluded.name'), description: eb.ref('excluded.description'),
      worries: eb.ref('excluded.worries'), age_groups: eb.ref('excluded.age_groups'), languages: eb.ref('excluded.languages'),
      address: eb.ref('excluded.address'), lat: eb.ref('excluded.lat'), lon: eb.ref('excluded.lon'), phone: eb.ref('excluded.phone'),
      hours: eb.ref('excluded.hours'), walk_in: eb.ref('excluded.walk_in'), web: eb.ref('excluded.web'), cost: eb.ref('excluded.cost'),
      status: eb.ref('excluded.status'), last_confirmed_on: eb.ref('excluded.last_confirmed_on'), updated_at: sql`now()`,
      // Published again (a stale entry the file confirms): no longer on its way to being hidden.
      stale_since: sql`case when excluded.status = 'published' then null else directory_services.stale_since end`,
    })).where(ownedBy(owner, 'directory_services')))
    .returning(['id', 'external_id'])
    .execute();
}

/** The areas each of these services serves, replaced by `pairs`. */
export async function replaceServiceAreas(db: Db, serviceIds: string[], pairs: { service_id: string; area_id: string }[]) {
  if (serviceIds.length === 0) return;
  await db.deleteFrom('directory_service_areas').where('service_id', '=', sql<string>`any(${serviceIds}::uuid[])`).execute();
  if (pairs.length) await db.insertInto('directory_service_areas').values(pairs).execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'lockDirectoryImport', run: (db) => db.transaction().execute((trx) => lockDirectoryImport(trx)) },
  { name: 'associationArea', run: (db) => associationArea(db, ID) },
  { name: 'ownServices', run: (db) => ownServices(db, { associationId: ID }) },
  { name: 'externalIdsHeldElsewhere', run: (db) => externalIdsHeldElsewhere(db, { associationId: ID }, ['kyotanabe-001', 'kyotanabe-002']) },
  { name: 'organisationsNamed', run: (db) => organisationsNamed(db, { cityAreaId: ID }, ['社会福祉協議会', 'ふれあいサロン']) },
  {
    name: 'upsertServices',
    run: (db) => upsertServices(db, { associationId: ID }, [{
      external_id: 'kyotanabe-001', organisation_id: ID2, name: '介護の相談', description: '', worries: ['care'], age_groups: [], languages: ['ja'],
      address: '', lat: null, lon: null, phone: '0774-00-0000', hours: '', walk_in: false, web: '', cost: '', status: 'published', last_confirmed_on: '2026-12-01',
    }]),
  },
  { name: 'replaceServiceAreas', run: (db) => replaceServiceAreas(db, [ID], [{ service_id: ID, area_id: ID2 }]) },
];
