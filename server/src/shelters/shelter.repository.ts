import { sql, type Insertable, type RawBuilder, type Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { ShelterTable } from './shelter.tables.js';

/** The SQL of shelters: the association's list, the import's upsert, and the headcount per shelter of a drill. */

const columns = ['id', 'source_id', 'name', 'kana', 'address', 'latitude', 'longitude', 'capacity', 'hazards', 'also_evacuation_centre', 'serves', 'listed', 'updated_at'] as const;

/** The association's shelters, by name; `listedOnly` for residents. */
export function sheltersOf(db: Db, associationId: string, listedOnly: boolean) {
  return db
    .selectFrom('shelters')
    .select(columns)
    .where('association_id', '=', associationId)
    .$if(listedOnly, (q) => q.where('listed', '=', true))
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** One import of an association's shelters at a time. */
export function lockShelterImport(trx: Transaction<Database>, associationId: string) {
  return sql`select pg_advisory_xact_lock(hashtext(${'shelters:' + associationId}))`.execute(trx);
}

/**
 * Inserts new shelters and updates those whose source id the association already has, in
 * pages (PostgreSQL takes at most 65,535 parameters a statement). An update keeps the
 * officers' choice of listed or not; only a new row takes the import's.
 */
export async function upsertShelters(trx: Transaction<Database>, rows: Insertable<ShelterTable>[]) {
  for (let i = 0; i < rows.length; i += 1000) {
    await trx
      .insertInto('shelters')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.columns(['association_id', 'source_id']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'), kana: eb.ref('excluded.kana'), address: eb.ref('excluded.address'),
          latitude: eb.ref('excluded.latitude'), longitude: eb.ref('excluded.longitude'), capacity: eb.ref('excluded.capacity'),
          hazards: eb.ref('excluded.hazards'), also_evacuation_centre: eb.ref('excluded.also_evacuation_centre'), serves: eb.ref('excluded.serves'),
          updated_at: sql`now()`,
        })),
      )
      .execute();
  }
}

/** Lists or unlists one of the association's shelters. */
export function setListed(db: Db, associationId: string, id: string, listed: boolean) {
  return db
    .updateTable('shelters')
    .set({ listed, updated_at: new Date() })
    .where('id', '=', id)
    .where('association_id', '=', associationId)
    .returning(columns)
    .executeTakeFirst();
}

export function deleteShelter(db: Db, associationId: string, id: string) {
  return db.deleteFrom('shelters').where('id', '=', id).where('association_id', '=', associationId).returning(['id', 'name', 'source_id']).executeTakeFirst();
}

/** Whether this is a listed shelter of the association (what an answer may name). */
export async function isListedShelter(db: Db, associationId: string, id: string) {
  const row = await db.selectFrom('shelters').select('id').where('id', '=', id).where('association_id', '=', associationId).where('listed', '=', true).executeTakeFirst();
  return !!row;
}

export interface ShelterCount {
  shelterId: string | null;
  name: string | null;
  households: number;
  people: number;
}

/**
 * A drill's evacuated households per shelter, as JSON ([{ shelterId, name, households, people }],
 * "not named" as a null shelter; a shelter deleted since counts as not named), with the people
 * living in them (members not living elsewhere). Reads only the evacuated targets (their
 * partial index, migrations/20261206T0100), not the drill's every row. `drillId` is an SQL
 * expression (the dashboard's `d.id`); `blocks` limits it to these 班.
 */
export function shelterHeadcount(drillId: RawBuilder<unknown>, associationId: string, blocks?: readonly string[]) {
  return sql<ShelterCount[]>`coalesce((
    select json_agg(json_build_object('shelterId', c.shelter_id, 'name', c.name, 'households', c.households, 'people', c.people) order by c.name nulls last, c.shelter_id)
    from (
      select s.id as shelter_id, s.name, sum(x.households)::int as households, sum(x.people)::int as people
      from (
        select t.shelter_id, count(*)::int as households, coalesce(sum(m.n), 0)::int as people
        from drill_targets t
        cross join lateral (select count(*)::int as n from people p where p.household_id = t.household_id and not p.lives_elsewhere) m
        where t.drill_id = ${drillId} and t.location = 'evacuated' ${blocks ? sql`and ${isAnyOf('t.block_id', blocks)}` : sql``}
        group by t.shelter_id
      ) x
      left join shelters s on s.id = x.shelter_id and s.association_id = ${associationId}
      group by s.id, s.name
    ) c
  ), '[]')`;
}

/** The headcount per shelter on its own (the report of an ended drill). */
export async function headcountByShelter(db: Db, drillId: string, associationId: string, blocks?: readonly string[]) {
  const { rows } = await sql<{ shelters: ShelterCount[] }>`select ${shelterHeadcount(sql`${drillId}::uuid`, associationId, blocks)} as shelters`.execute(db);
  return rows[0]!.shelters;
}

/** Each household's named shelter, for the report's rows. */
export async function shelterNames(db: Db, associationId: string, ids: readonly string[]) {
  if (!ids.length) return new Map<string, string>();
  const rows = await db.selectFrom('shelters').select(['id', 'name']).where('association_id', '=', associationId).where(isAnyOf('id', ids)).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'sheltersOf — every one (officers)', run: (db) => sheltersOf(db, ID, false) },
  { name: 'sheltersOf — the listed ones', run: (db) => sheltersOf(db, ID, true) },
  { name: 'lockShelterImport', run: (db) => inTransaction(db, console, ({ db: trx }) => lockShelterImport(trx, ID)) },
  {
    name: 'upsertShelters',
    run: (db) => inTransaction(db, console, ({ db: trx }) => upsertShelters(trx, [{ association_id: ID, source_id: 'E2621100000001', name: '田辺小学校', latitude: 34.8, longitude: 135.76, capacity: null, hazards: ['earthquake'], also_evacuation_centre: true }])),
  },
  { name: 'setListed', run: (db) => setListed(db, ID, OTHER, false) },
  { name: 'deleteShelter', run: (db) => deleteShelter(db, ID, OTHER) },
  { name: 'isListedShelter', run: (db) => isListedShelter(db, ID, OTHER) },
  { name: 'shelterHeadcount — inside a statement (the dashboard\'s head)', run: (db) => sql`select ${shelterHeadcount(sql`${ID}::uuid`, OTHER)} as shelters`.execute(db) },
  { name: 'headcountByShelter — the whole drill', run: (db) => headcountByShelter(db, ID, OTHER) },
  { name: 'headcountByShelter — a 班長: their 班', run: (db) => headcountByShelter(db, ID, OTHER, [ID]) },
  { name: 'shelterNames', run: (db) => shelterNames(db, ID, [OTHER]) },
];
