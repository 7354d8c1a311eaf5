import { sql, type Insertable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { HouseholdTable, PersonTable, RoleAssignmentTable } from './roster.tables.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { heldToday } from '../common/people.repository.js';

/**
 * The SQL of the roster import and export: set-based reads and writes of a whole association
 * (a 2,000 household roster is a handful of statements, not thousands of round trips).
 */

/** One import at a time per association, until the transaction ends: two officers importing at once cannot interleave. */
export function lockRosterImport(trx: Transaction<Database>, associationId: string) {
  return sql`select pg_advisory_xact_lock(hashtext(${'roster:' + associationId}))`.execute(trx);
}

export function insertBlocks(db: Db, associationId: string, blocks: { name: string; sortOrder: number }[]) {
  return db
    .insertInto('blocks')
    .values(blocks.map((b) => ({ association_id: associationId, name: b.name, sort_order: b.sortOrder })))
    .returning(['id', 'name'])
    .execute();
}

export function householdsOf(db: Db, associationId: string) {
  return db.selectFrom('households').selectAll().where('association_id', '=', associationId).execute();
}

export function insertHouseholds(db: Db, households: Insertable<HouseholdTable>[]) {
  return db.insertInto('households').values(households).returning(['id', 'household_number']).execute();
}

export function updateImportedHousehold(db: Db, id: string, changes: Updateable<HouseholdTable>) {
  return db.updateTable('households').set(changes).where('id', '=', id).execute();
}

export function peopleOf(db: Db, associationId: string) {
  return db
    .selectFrom('people')
    .select(['id', 'household_id', 'name', 'kana', 'phone', 'email', 'preferred_language', 'password_hash'])
    .where('association_id', '=', associationId)
    .execute();
}

/** Returns the new ids in the order of `people`. */
export function insertPeople(db: Db, people: Insertable<PersonTable>[]) {
  return db.insertInto('people').values(people).returning('id').execute();
}

export function updateImportedPerson(db: Db, id: string, changes: Updateable<PersonTable>) {
  return db.updateTable('people').set(changes).where('id', '=', id).execute();
}

/** The roles held today in the association, with the 班 of each captain. */
export function rolesHeldIn(db: Db, associationId: string) {
  return db
    .selectFrom('role_assignments')
    .leftJoin('blocks', 'blocks.id', 'role_assignments.block_id')
    .select(['role_assignments.person_id', 'role_assignments.role', 'role_assignments.block_id', 'blocks.name as block'])
    .where('role_assignments.association_id', '=', associationId)
    .where(heldToday)
    .execute();
}

export function insertRoles(db: Db, roles: Insertable<RoleAssignmentTable>[]) {
  return db.insertInto('role_assignments').values(roles).execute();
}

/** Every household with its members (a household without members is one row), in the order of the export. */
export function householdRowsForExport(db: Db, associationId: string) {
  return db
    .selectFrom('households')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .leftJoin('people', 'people.household_id', 'households.id')
    .select([
      'blocks.name as block', 'blocks.sort_order', 'households.household_number', 'households.name as household_name', 'households.address',
      'households.channels', 'households.responder_notes', 'people.id as person_id', 'people.name', 'people.kana', 'people.phone',
      'people.email', 'people.preferred_language',
    ])
    .where('households.association_id', '=', associationId)
    .orderBy('blocks.sort_order').orderBy('households.household_number').orderBy('people.created_at')
    .execute();
}

/** The people outside any household (volunteers, welfare commissioners), by kana. */
export function peopleOutsideHouseholds(db: Db, associationId: string) {
  return db
    .selectFrom('people')
    .select(['id as person_id', 'name', 'kana', 'phone', 'email', 'preferred_language'])
    .where('association_id', '=', associationId)
    .where('household_id', 'is', null)
    .orderBy('kana').orderBy('name')
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'lockRosterImport', run: (db) => db.transaction().execute((trx) => lockRosterImport(trx, ID)) },
  { name: 'insertBlocks', run: (db) => insertBlocks(db, ID, [{ name: '3班', sortOrder: 3 }, { name: '4班', sortOrder: 4 }]) },
  { name: 'householdsOf', run: (db) => householdsOf(db, ID) },
  { name: 'insertHouseholds', run: (db) => insertHouseholds(db, [{ association_id: ID, block_id: ID2, household_number: '101', name: '山田家', address: '京田辺市 101', channels: ['app'], responder_notes: '' }]) },
  { name: 'updateImportedHousehold', run: (db) => updateImportedHousehold(db, ID, { name: '山田家', address: '京田辺市 101', block_id: ID2, channels: ['app'], responder_notes: '', updated_at: new Date(0) }) },
  { name: 'peopleOf', run: (db) => peopleOf(db, ID) },
  { name: 'insertPeople', run: (db) => insertPeople(db, [{ association_id: ID, household_id: ID2, name: '山田 花子', kana: 'やまだ はなこ', phone: null, email: null, preferred_language: 'ja' }]) },
  { name: 'updateImportedPerson — a login keeps its email and phone', run: (db) => updateImportedPerson(db, ID, { kana: 'やまだ はなこ', preferred_language: 'ja' }) },
  { name: 'rolesHeldIn', run: (db) => rolesHeldIn(db, ID) },
  { name: 'insertRoles', run: (db) => insertRoles(db, [{ association_id: ID, person_id: ID2, role: 'captain', block_id: ID }]) },
  { name: 'householdRowsForExport', run: (db) => householdRowsForExport(db, ID) },
  { name: 'peopleOutsideHouseholds', run: (db) => peopleOutsideHouseholds(db, ID) },
];
