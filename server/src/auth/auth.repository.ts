import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { Language } from '../roster/roster.tables.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';

/**
 * The SQL of logins and joining: finding a login by identifier, passwords, preferred
 * language, and redeeming a household's one-time passcode. Sessions are in
 * session.repository.ts, attempt counters in rate-limit.repository.ts.
 */

/** A person with a login whose email (case-blind) or phone number (any of its stored spellings) is this. */
export function findLoginPerson(db: Db, identity: { email: string } | { phones: string[] }) {
  const query = db.selectFrom('people').select(['id', 'association_id', 'password_hash']).where('password_hash', 'is not', null);
  if ('email' in identity) return query.where(sql`lower(email)`, '=', identity.email).executeTakeFirst();
  return query.where('phone', 'in', identity.phones).executeTakeFirst();
}

export function findPasswordHash(db: Db, personId: string) {
  return db.selectFrom('people').select('password_hash').where('id', '=', personId).executeTakeFirst();
}

export function setPasswordHash(db: Db, personId: string, passwordHash: string) {
  return db.updateTable('people').set({ password_hash: passwordHash }).where('id', '=', personId).execute();
}

export function setPreferredLanguage(db: Db, personId: string, language: Language) {
  return db.updateTable('people').set({ preferred_language: language }).where('id', '=', personId).execute();
}

/** An unused, unexpired passcode with the names its sheet shows. */
export function findUsablePasscode(db: Db, codeHash: string) {
  return db
    .selectFrom('household_passcodes')
    .innerJoin('households', 'households.id', 'household_passcodes.household_id')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .select([
      'household_passcodes.id',
      'household_passcodes.household_id',
      'household_passcodes.association_id',
      'households.name as household_name',
      'blocks.name as block_name',
    ])
    .where('household_passcodes.code_hash', '=', codeHash)
    .where('household_passcodes.used_at', 'is', null)
    .where('household_passcodes.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Locks the passcode row while it is still unused: two redemptions at once get one row between them. */
export function lockUnusedPasscode(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('household_passcodes').select('id').where('id', '=', id).where('used_at', 'is', null).forUpdate().executeTakeFirst();
}

export function markPasscodeUsed(trx: Transaction<Database>, id: string, personId: string) {
  return trx.updateTable('household_passcodes').set({ used_at: new Date(), used_by: personId }).where('id', '=', id).execute();
}

/** Locks the household's row: joins to one household take their places one at a time. */
export function lockHousehold(trx: Transaction<Database>, householdId: string) {
  return trx.selectFrom('households').select('id').where('id', '=', householdId).forUpdate().executeTakeFirst();
}

/** The members of a household, oldest first, and whether each has a login. */
export function householdMembers(db: Db, householdId: string) {
  return db.selectFrom('people').select(['id', 'name', 'password_hash']).where('household_id', '=', householdId).orderBy('created_at').execute();
}

interface NewLogin {
  passwordHash: string;
  email: string | null;
  phone: string | null;
  preferredLanguage: Language;
}

/** Gives a member of the household who has none a login; undefined when the person is not such a member. */
export function giveMemberLogin(trx: Transaction<Database>, member: { personId: string; householdId: string }, login: NewLogin) {
  return trx
    .updateTable('people')
    .set({ password_hash: login.passwordHash, email: login.email, phone: login.phone, preferred_language: login.preferredLanguage })
    .where('id', '=', member.personId)
    .where('household_id', '=', member.householdId)
    .where('password_hash', 'is', null)
    .returning('id')
    .executeTakeFirst();
}

export function insertMemberWithLogin(
  trx: Transaction<Database>,
  member: { associationId: string; householdId: string; name: string; livesElsewhere: boolean },
  login: NewLogin,
) {
  return trx
    .insertInto('people')
    .values({
      association_id: member.associationId,
      household_id: member.householdId,
      name: member.name,
      lives_elsewhere: member.livesElsewhere,
      email: login.email,
      phone: login.phone,
      preferred_language: login.preferredLanguage,
      password_hash: login.passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Logins (other than `exceptPersonId`'s) that already use this email (case-blind) or one of these phone spellings. */
export function findLoginsWithContact(db: Db, contact: { email: string | null; phones: string[] }, exceptPersonId?: string) {
  return db
    .selectFrom('people')
    .select(['id', 'email', 'phone'])
    .where('password_hash', 'is not', null)
    .where((eb) => eb.or([...(contact.email ? [eb(sql`lower(email)`, '=', contact.email)] : []), ...(contact.phones.length ? [eb('phone', 'in', contact.phones)] : []), eb.lit(false)]))
    .$if(exceptPersonId !== undefined, (q) => q.where('id', '!=', exceptPersonId!))
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const login: NewLogin = { passwordHash: 'hash', email: 'hanako@example.jp', phone: null, preferredLanguage: 'ja' };
const inTransaction = (run: (trx: Transaction<Database>) => Promise<unknown>) => (db: Db) => db.transaction().execute(run);
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'findLoginPerson — by email', run: (db) => findLoginPerson(db, { email: 'officer@example.jp' }) },
  { name: 'findLoginPerson — by phone', run: (db) => findLoginPerson(db, { phones: ['09012345678', '+819012345678'] }) },
  { name: 'findPasswordHash', run: (db) => findPasswordHash(db, ID) },
  { name: 'setPasswordHash', run: (db) => setPasswordHash(db, ID, 'hash') },
  { name: 'setPreferredLanguage', run: (db) => setPreferredLanguage(db, ID, 'en') },
  { name: 'findUsablePasscode', run: (db) => findUsablePasscode(db, 'hash') },
  { name: 'lockUnusedPasscode', run: inTransaction((trx) => lockUnusedPasscode(trx, ID)) },
  { name: 'markPasscodeUsed', run: inTransaction((trx) => markPasscodeUsed(trx, ID, ID2)) },
  { name: 'householdMembers', run: (db) => householdMembers(db, ID) },
  { name: 'giveMemberLogin', run: inTransaction((trx) => giveMemberLogin(trx, { personId: ID, householdId: ID2 }, login)) },
  { name: 'insertMemberWithLogin', run: inTransaction((trx) => insertMemberWithLogin(trx, { associationId: ID, householdId: ID2, name: '山田 花子', livesElsewhere: true }, login)) },
  { name: 'lockHousehold', run: inTransaction((trx) => lockHousehold(trx, ID)) },
  { name: 'findLoginsWithContact — email and phone, another person', run: (db) => findLoginsWithContact(db, { email: 'hanako@example.jp', phones: ['09012345678', '+819012345678'] }, ID) },
  { name: 'findLoginsWithContact — neither', run: (db) => findLoginsWithContact(db, { email: null, phones: [] }) },
];
