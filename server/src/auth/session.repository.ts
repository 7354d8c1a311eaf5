import { sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { heldToday } from '../common/people.repository.js';
import { PREPARED } from '../platform/db/prepared.js';

/** The SQL of sessions (stored by the hash of their token) and of the roles a session's person holds. */

export function insertSession(
  db: Db,
  session: { id: string; personId: string; associationId: string; csrfToken: string; expiresAt: Date },
) {
  return db
    .insertInto('sessions')
    .values({
      id: session.id,
      person_id: session.personId,
      association_id: session.associationId,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt,
    })
    .execute();
}

export function deleteSession(db: Db, id: string) {
  return db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Ends every session of the person but one (theirs, after a password change); returns the ended ids. */
export function deleteOtherSessions(trx: Transaction<Database>, personId: string, keepSessionId: string) {
  return trx.deleteFrom('sessions').where('person_id', '=', personId).where('id', '!=', keepSessionId).returning('id').execute();
}

/** Ends every session of the person (their password was reset by a code); returns the ended ids. */
export function deleteAllSessions(trx: Transaction<Database>, personId: string) {
  return trx.deleteFrom('sessions').where('person_id', '=', personId).returning('id').execute();
}

/**
 * Live sessions with their person, household, association and the roles the person holds
 * today, in ONE statement (a socket handshake, an HTTP request, the sockets' periodic
 * re-read of many sessions at once). Expired sessions are not found. A named prepared
 * statement (platform/db/prepared.ts): every request runs it, and its text does not vary
 * with how many sessions it reads (one array parameter), so it is parsed and planned once per
 * connection, not per request.
 */
export function findSessionActors(db: Db, sessionIds: readonly string[]) {
  return db
    .selectFrom('sessions')
    .innerJoin('people', 'people.id', 'sessions.person_id')
    .leftJoin('households', 'households.id', 'people.household_id')
    .innerJoin('associations', 'associations.id', 'people.association_id')
    .select([
      'sessions.id as session_id',
      'sessions.csrf_token',
      'sessions.expires_at',
      'people.id',
      'people.name',
      'people.preferred_language',
      'people.association_id',
      'people.household_id',
      'households.name as household_name',
      'associations.name as association_name',
      'associations.time_zone as association_time_zone',
    ])
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('role_assignments')
          .leftJoin('blocks', 'blocks.id', 'role_assignments.block_id')
          .leftJoin('households as watched', 'watched.id', 'role_assignments.household_id')
          .select([
            'role_assignments.role',
            'role_assignments.block_id',
            'blocks.name as block_name',
            'role_assignments.household_id',
            'watched.name as household_name',
          ])
          .whereRef('role_assignments.person_id', '=', 'people.id')
          .where(heldToday)
          .orderBy('blocks.sort_order'),
      ).as('roles'),
    )
    .where(sql<boolean>`sessions.id = any(${sessionIds}::text[])`)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .modifyEnd(PREPARED)
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const SESSION = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'insertSession', run: (db) => insertSession(db, { id: SESSION, personId: ID, associationId: ID, csrfToken: 'token', expiresAt: new Date(0) }) },
  { name: 'deleteSession', run: (db) => deleteSession(db, SESSION) },
  { name: 'deleteOtherSessions', run: (db) => db.transaction().execute((trx) => deleteOtherSessions(trx, ID, SESSION)) },
  { name: 'deleteAllSessions', run: (db) => db.transaction().execute((trx) => deleteAllSessions(trx, ID)) },
  { name: 'findSessionActors', run: (db) => findSessionActors(db, [SESSION]) },
];
