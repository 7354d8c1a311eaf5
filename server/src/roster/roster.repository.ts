import { sql, type ExpressionBuilder, type Insertable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { HouseholdPasscodeTable, HouseholdTable, PersonTable } from './roster.tables.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import type { HouseholdScope } from '../common/access.js';
import { heldToday } from '../common/people.repository.js';
import { canBeReached } from '../common/reachability.repository.js';

/**
 * The SQL of the roster: 班, households, people, captains' terms and the issuing of join
 * passcodes. The import's set-based statements are in roster-import.repository.ts.
 */

/** Restricts a households query to what the scope allows. */
function inScope(scope: HouseholdScope) {
  return (eb: ExpressionBuilder<Database, 'households'>) => {
    const sameAssociation = eb('households.association_id', '=', scope.associationId);
    if (scope.kind === 'association') return sameAssociation;
    const own = scope.householdIds.length ? [isAnyOf('households.id', scope.householdIds)] : [];
    if (scope.kind === 'blocks') return eb.and([sameAssociation, eb.or([isAnyOf('households.block_id', scope.blockIds), ...own])]);
    return own.length ? eb.and([sameAssociation, ...own]) : eb.val(false);
  };
}

const householdColumns = [
  'households.id',
  'households.association_id',
  'households.household_number',
  'households.name',
  'households.address',
  'households.block_id',
  'blocks.name as block_name',
  'households.channels',
  'households.responder_notes',
] as const;

export async function listHouseholds(
  db: Db,
  scope: HouseholdScope,
  filter: { blockId?: string; q?: string; limit: number; offset: number },
) {
  const base = db
    .selectFrom('households')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .where(inScope(scope))
    .$if(filter.blockId !== undefined, (q) => q.where('households.block_id', '=', filter.blockId!))
    .$if(!!filter.q, (q) => {
      const like = `%${filter.q!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return q.where((eb) =>
        eb.or([
          eb('households.name', 'ilike', like),
          eb('households.address', 'ilike', like),
          eb('households.household_number', 'ilike', like),
          eb.exists(
            eb
              .selectFrom('people')
              .whereRef('people.household_id', '=', 'households.id')
              .where((p) => p.or([p('people.name', 'ilike', like), p('people.kana', 'ilike', like)]))
              .select(sql`1`.as('one')),
          ),
        ]),
      );
    });
  const [items, total] = await Promise.all([
    base
      .select(householdColumns)
      .select((eb) =>
        eb.selectFrom('people').whereRef('people.household_id', '=', 'households.id').select(eb.fn.countAll<number>().as('n')).as('member_count'),
      )
      .orderBy('blocks.sort_order')
      .orderBy('blocks.name')
      .orderBy('households.household_number')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export function findHousehold(db: Db, id: string) {
  return db
    .selectFrom('households')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .select(householdColumns)
    .where('households.id', '=', id)
    .executeTakeFirst();
}

export async function findPeople(db: Db, where: { associationId: string; householdId?: string; personIds?: string[]; q?: string; withoutHousehold?: boolean }) {
  const people = await db
    .selectFrom('people')
    .select(['id', 'name', 'kana', 'phone', 'email', 'preferred_language', 'household_id', 'password_hash', 'lives_elsewhere'])
    .select((eb) =>
      eb
        .selectFrom('role_assignments')
        .whereRef('role_assignments.person_id', '=', 'people.id')
        .where(heldToday)
        .select(sql<string[]>`coalesce(array_agg(distinct role), '{}')`.as('roles'))
        .as('roles'),
    )
    .where('association_id', '=', where.associationId)
    .$if(where.householdId !== undefined, (q) => q.where('household_id', '=', where.householdId!))
    .$if(where.personIds !== undefined, (q) => q.where(isAnyOf('id', where.personIds!)))
    .$if(where.withoutHousehold === true, (q) => q.where('household_id', 'is', null))
    .$if(!!where.q, (q) => {
      const like = `%${where.q!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return q.where((eb) => eb.or([eb('name', 'ilike', like), eb('kana', 'ilike', like), eb('phone', 'ilike', like), eb('email', 'ilike', like)]));
    })
    .orderBy('kana')
    .orderBy('name')
    .limit(500)
    .execute();
  return people.map((p) => ({
    id: p.id,
    name: p.name,
    kana: p.kana,
    phone: p.phone,
    email: p.email,
    preferredLanguage: p.preferred_language,
    hasAccount: p.password_hash !== null,
    livesElsewhere: p.lives_elsewhere,
    householdId: p.household_id,
    roles: [...(p.roles ?? []), ...(p.household_id ? ['member'] : [])],
  }));
}

export async function listBlocks(db: Db, associationId: string, onlyIds?: string[]) {
  const blocks = await db
    .selectFrom('blocks')
    .select(['blocks.id', 'blocks.name', 'blocks.sort_order'])
    .select((eb) =>
      eb.selectFrom('households').whereRef('households.block_id', '=', 'blocks.id').select(eb.fn.countAll<number>().as('n')).as('household_count'),
    )
    .where('blocks.association_id', '=', associationId)
    .$if(onlyIds !== undefined, (q) => q.where(isAnyOf('blocks.id', onlyIds!)))
    .orderBy('blocks.sort_order')
    .orderBy('blocks.name')
    .execute();
  const captains = blocks.length
    ? await db
        .selectFrom('role_assignments')
        .innerJoin('people', 'people.id', 'role_assignments.person_id')
        .select(['role_assignments.block_id', 'people.id', 'people.name'])
        .where('role_assignments.role', '=', 'captain')
        .where(isAnyOf('role_assignments.block_id', blocks.map((b) => b.id)))
        .where(heldToday)
        .execute()
    : [];
  return blocks.map((b) => ({
    id: b.id,
    name: b.name,
    sortOrder: b.sort_order,
    householdCount: Number(b.household_count ?? 0),
    captains: captains.filter((c) => c.block_id === b.id).map((c) => ({ personId: c.id, name: c.name })),
  }));
}

export function findBlock(db: Db, id: string) {
  return db.selectFrom('blocks').select(['id', 'association_id', 'name']).where('id', '=', id).executeTakeFirst();
}

export function findBlockByName(db: Db, associationId: string, name: string) {
  return db.selectFrom('blocks').select('id').where('association_id', '=', associationId).where('name', '=', name).executeTakeFirst();
}

/** A new 班 goes last unless the officer says where. */
export async function insertBlock(db: Db, block: { associationId: string; name: string; sortOrder?: number }) {
  const sortOrder =
    block.sortOrder ??
    Number((await db.selectFrom('blocks').select((eb) => eb.fn.max('sort_order').as('max')).where('association_id', '=', block.associationId).executeTakeFirst())?.max ?? 0) + 1;
  return db.insertInto('blocks').values({ association_id: block.associationId, name: block.name, sort_order: sortOrder }).returning('id').executeTakeFirstOrThrow();
}

export function updateBlockRow(db: Db, id: string, changes: { name?: string; sortOrder?: number }) {
  return db
    .updateTable('blocks')
    .set({ ...(changes.name !== undefined && { name: changes.name }), ...(changes.sortOrder !== undefined && { sort_order: changes.sortOrder }) })
    .where('id', '=', id)
    .execute();
}

/** Ends the 班's captain terms that run on `startsOn` or later: they end the day before it (never before they began). */
export function endCaptainTerms(trx: Transaction<Database>, blockId: string, startsOn: string) {
  return trx
    .updateTable('role_assignments')
    .set({ ends_on: sql`greatest(starts_on, ${startsOn}::date - 1)` })
    .where('block_id', '=', blockId)
    .where('role', '=', 'captain')
    .where((w) => w.or([w('ends_on', 'is', null), w('ends_on', '>=', startsOn)]))
    .execute();
}

export function insertCaptainTerms(trx: Transaction<Database>, term: { associationId: string; blockId: string; personIds: string[]; startsOn: string }) {
  return trx
    .insertInto('role_assignments')
    .values(term.personIds.map((personId) => ({ association_id: term.associationId, person_id: personId, role: 'captain' as const, block_id: term.blockId, starts_on: term.startsOn })))
    .execute();
}

/** The household's live speakers, for its detail page. */
export function findHouseholdDevices(db: Db, householdId: string) {
  return db.selectFrom('devices').select(['id', 'label', 'online']).where('household_id', '=', householdId).where('revoked_at', 'is', null).execute();
}

export function insertHousehold(db: Db, household: Insertable<HouseholdTable>) {
  return db.insertInto('households').values(household).returning('id').executeTakeFirstOrThrow();
}

export function updateHouseholdRow(db: Db, id: string, changes: Updateable<HouseholdTable>) {
  return db.updateTable('households').set(changes).where('id', '=', id).execute();
}

export function insertPerson(db: Db, person: Insertable<PersonTable>) {
  return db.insertInto('people').values(person).returning('id').executeTakeFirstOrThrow();
}

export function updatePersonRow(db: Db, id: string, changes: Updateable<PersonTable>) {
  return db.updateTable('people').set(changes).where('id', '=', id).execute();
}

/**
 * The households of a passcode sheet or invitation letters: a 班's, or the ones named, in the
 * order of the printed sheet; `blockIds` limits them to a 班長's 班, `unregisteredOnly` to
 * homes where nobody can be reached through the app yet (letters never go to a registered home).
 */
export function findPasscodeHouseholds(
  db: Db,
  associationId: string,
  which: { blockId?: string; householdIds?: string[]; blockIds?: string[]; unregisteredOnly?: boolean },
) {
  return db
    .selectFrom('households')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .select(['households.id', 'households.block_id', 'households.household_number', 'households.name', 'households.address', 'households.channels', 'blocks.name as block_name'])
    .where('households.association_id', '=', associationId)
    .$if(!!which.blockId, (q) => q.where('households.block_id', '=', which.blockId!))
    .$if(!!which.householdIds?.length, (q) => q.where(isAnyOf('households.id', which.householdIds!)))
    .$if(which.blockIds !== undefined, (q) => q.where(isAnyOf('households.block_id', which.blockIds!)))
    .$if(which.unregisteredOnly === true, (q) => q.where((eb) => eb.not(eb.exists(reachableMembers(eb)))))
    .orderBy('blocks.sort_order')
    .orderBy('households.household_number')
    .execute();
}

/**
 * The household's own members who can be reached through the app (the one rule,
 * common/reachability): family living elsewhere who joined do not make the home registered,
 * so its letter is still printed.
 */
function reachableMembers(eb: ExpressionBuilder<Database, 'households'>) {
  return eb
    .selectFrom('people')
    .select(sql`1`.as('one'))
    .whereRef('people.household_id', '=', 'households.id')
    .where('people.lives_elsewhere', '=', false)
    .where(canBeReached);
}

/** Voids the unused codes of these households (a new sheet replaces a lost one). */
export function expireUnusedPasscodes(trx: Transaction<Database>, householdIds: string[]) {
  return trx.updateTable('household_passcodes').set({ expires_at: new Date() }).where(isAnyOf('household_id', householdIds)).where('used_at', 'is', null).execute();
}

/** How many of the household's members have a login (the join's limit counts these). */
export async function countHouseholdLogins(db: Db, householdId: string) {
  const row = await db
    .selectFrom('people')
    .select((eb) => eb.fn.countAll<string>().as('logins'))
    .where('household_id', '=', householdId)
    .where('password_hash', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.logins);
}

export function insertPasscodes(trx: Transaction<Database>, passcodes: Insertable<HouseholdPasscodeTable>[]) {
  return trx.insertInto('household_passcodes').values(passcodes).execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const inTransaction = (run: (trx: Transaction<Database>) => Promise<unknown>) => (db: Db) => db.transaction().execute(run);
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'listHouseholds — an officer: the association, searched', run: (db) => listHouseholds(db, { kind: 'association', associationId: ID }, { q: '山田', limit: 50, offset: 0 }) },
  { name: 'listHouseholds — a 班長: their 班 and own households, in one 班', run: (db) => listHouseholds(db, { kind: 'blocks', associationId: ID, blockIds: [ID2], householdIds: [ID] }, { blockId: ID2, limit: 50, offset: 0 }) },
  { name: 'listHouseholds — a member: their own household', run: (db) => listHouseholds(db, { kind: 'households', associationId: ID, householdIds: [ID] }, { limit: 50, offset: 0 }) },
  { name: 'findHousehold', run: (db) => findHousehold(db, ID) },
  { name: 'findPeople — by household', run: (db) => findPeople(db, { associationId: ID, householdId: ID }) },
  { name: 'findPeople — by ids, searched, outside households', run: (db) => findPeople(db, { associationId: ID, personIds: [ID, ID2], q: '花子', withoutHousehold: true }) },
  { name: 'listBlocks — every 班', run: (db) => listBlocks(db, ID) },
  { name: 'listBlocks — these 班', run: (db) => listBlocks(db, ID, [ID2]) },
  { name: 'findBlock', run: (db) => findBlock(db, ID) },
  { name: 'findBlockByName', run: (db) => findBlockByName(db, ID, '1班') },
  { name: 'insertBlock — last', run: (db) => insertBlock(db, { associationId: ID, name: '3班' }) },
  { name: 'insertBlock — where the officer says', run: (db) => insertBlock(db, { associationId: ID, name: '3班', sortOrder: 2 }) },
  { name: 'updateBlockRow', run: (db) => updateBlockRow(db, ID, { name: '一班', sortOrder: 1 }) },
  { name: 'endCaptainTerms', run: inTransaction((trx) => endCaptainTerms(trx, ID, '2026-04-01')) },
  { name: 'insertCaptainTerms', run: inTransaction((trx) => insertCaptainTerms(trx, { associationId: ID, blockId: ID2, personIds: [ID], startsOn: '2026-04-01' })) },
  { name: 'findHouseholdDevices', run: (db) => findHouseholdDevices(db, ID) },
  { name: 'insertHousehold', run: (db) => insertHousehold(db, { association_id: ID, block_id: ID2, household_number: '101', name: '山田家', address: '京田辺市 101', channels: ['app'], responder_notes: '' }) },
  { name: 'updateHouseholdRow', run: (db) => updateHouseholdRow(db, ID, { name: '山田家', channels: ['app', 'speaker'], updated_at: new Date(0) }) },
  { name: 'insertPerson', run: (db) => insertPerson(db, { association_id: ID, household_id: ID2, name: '山田 花子', kana: 'やまだ はなこ', phone: null, email: null, preferred_language: 'ja' }) },
  { name: 'updatePersonRow', run: (db) => updatePersonRow(db, ID, { name: '山田 花子', phone: '09012345678' }) },
  { name: 'findPasscodeHouseholds — a 班', run: (db) => findPasscodeHouseholds(db, ID, { blockId: ID2 }) },
  { name: 'findPasscodeHouseholds — these households', run: (db) => findPasscodeHouseholds(db, ID, { householdIds: [ID2] }) },
  { name: 'findPasscodeHouseholds — invitation letters: unregistered homes of a 班長\'s 班', run: (db) => findPasscodeHouseholds(db, ID, { blockId: ID2, blockIds: [ID2], unregisteredOnly: true }) },
  { name: 'expireUnusedPasscodes', run: inTransaction((trx) => expireUnusedPasscodes(trx, [ID, ID2])) },
  { name: 'countHouseholdLogins', run: (db) => countHouseholdLogins(db, ID) },
  { name: 'insertPasscodes', run: inTransaction((trx) => insertPasscodes(trx, [{ association_id: ID, household_id: ID2, code_hash: 'hash', expires_at: new Date(0) }])) },
];
