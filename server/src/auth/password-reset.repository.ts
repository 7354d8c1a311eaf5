import { sql, type Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { heldToday } from '../common/people.repository.js';

/**
 * The SQL of one-time password reset codes: the person a code is issued for, issuing and
 * voiding codes, and spending one.
 */

/** A person of this association (no other is found), and whether they have a login. */
export function findResetTarget(db: Db, associationId: string, personId: string) {
  return db
    .selectFrom('people')
    .select(['people.id', 'people.association_id', 'people.name'])
    .select((eb) => eb('people.password_hash', 'is not', null).as('has_login'))
    .where('people.association_id', '=', associationId)
    .where('people.id', '=', personId)
    .executeTakeFirst();
}

/**
 * Locks the person's row for the rest of the transaction: two officers issuing at once take
 * turns, so the second voids the first's code and exactly one usable code remains. (No key
 * update: rows that merely reference the person are not held up.)
 */
export function lockResetTarget(trx: Transaction<Database>, associationId: string, personId: string) {
  return trx.selectFrom('people').select('id').where('association_id', '=', associationId).where('id', '=', personId).forNoKeyUpdate().executeTakeFirst();
}

/** Voids the person's unused codes (their expiry becomes now): only the newest code works. */
export function voidUnusedResetCodes(trx: Transaction<Database>, personId: string) {
  return trx
    .updateTable('password_reset_codes')
    .set({ expires_at: sql<Date>`now()` })
    .where('person_id', '=', personId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .execute();
}

export function insertResetCode(
  trx: Transaction<Database>,
  code: { associationId: string; personId: string; codeHash: string; issuedBy: string; expiresAt: Date },
) {
  return trx
    .insertInto('password_reset_codes')
    .values({ association_id: code.associationId, person_id: code.personId, code_hash: code.codeHash, issued_by: code.issuedBy, expires_at: code.expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * The unused, unexpired code with this hash, locked: two redemptions of one code at the same
 * moment get one row between them. Only a person who still has a login is found, and only
 * while the officer who issued the code is still an officer of that association today: a
 * code outlives no officer's term.
 */
export function lockUsableResetCode(trx: Transaction<Database>, codeHash: string) {
  return trx
    .selectFrom('password_reset_codes')
    .innerJoin('people', (join) =>
      join.onRef('people.id', '=', 'password_reset_codes.person_id').onRef('people.association_id', '=', 'password_reset_codes.association_id'),
    )
    .select(['password_reset_codes.id', 'password_reset_codes.person_id', 'password_reset_codes.association_id', 'password_reset_codes.issued_by', 'people.email', 'people.phone'])
    .where('password_reset_codes.code_hash', '=', codeHash)
    .where('password_reset_codes.used_at', 'is', null)
    .where('password_reset_codes.expires_at', '>', sql<Date>`now()`)
    .where('people.password_hash', 'is not', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignments')
          .select(sql`1`.as('one'))
          .whereRef('role_assignments.person_id', '=', 'password_reset_codes.issued_by')
          .whereRef('role_assignments.association_id', '=', 'password_reset_codes.association_id')
          .where('role_assignments.role', '=', 'officer')
          .where(heldToday),
      ),
    )
    .forUpdate('password_reset_codes')
    .executeTakeFirst();
}

export function markResetCodeUsed(trx: Transaction<Database>, id: string) {
  return trx.updateTable('password_reset_codes').set({ used_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const inTransaction = (run: (trx: Transaction<Database>) => Promise<unknown>) => (db: Db) => db.transaction().execute(run);
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'findResetTarget', run: (db) => findResetTarget(db, ID, ID2) },
  { name: 'lockResetTarget', run: inTransaction((trx) => lockResetTarget(trx, ID, ID2)) },
  { name: 'voidUnusedResetCodes', run: inTransaction((trx) => voidUnusedResetCodes(trx, ID)) },
  { name: 'insertResetCode', run: inTransaction((trx) => insertResetCode(trx, { associationId: ID, personId: ID2, codeHash: 'hash', issuedBy: ID, expiresAt: new Date(0) })) },
  { name: 'lockUsableResetCode', run: inTransaction((trx) => lockUsableResetCode(trx, 'hash')) },
  { name: 'markResetCodeUsed', run: inTransaction((trx) => markResetCodeUsed(trx, ID)) },
];
