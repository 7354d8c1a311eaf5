import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { heldToday } from '../common/people.repository.js';

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

export function findLiveSession(db: Db, id: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'person_id', 'association_id', 'csrf_token', 'expires_at'])
    .where('id', '=', id)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

export function deleteSession(db: Db, id: string) {
  return db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** The roles a person holds today, with the names the web app shows. */
export async function findActorRoles(db: Db, personId: string) {
  const [person, roles] = await Promise.all([
    db
      .selectFrom('people')
      .leftJoin('households', 'households.id', 'people.household_id')
      .innerJoin('associations', 'associations.id', 'people.association_id')
      .select([
        'people.id',
        'people.name',
        'people.preferred_language',
        'people.association_id',
        'people.household_id',
        'households.name as household_name',
        'associations.name as association_name',
      ])
      .where('people.id', '=', personId)
      .executeTakeFirst(),
    db
      .selectFrom('role_assignments')
      .leftJoin('blocks', 'blocks.id', 'role_assignments.block_id')
      .leftJoin('households', 'households.id', 'role_assignments.household_id')
      .select([
        'role_assignments.role',
        'role_assignments.block_id',
        'blocks.name as block_name',
        'role_assignments.household_id',
        'households.name as household_name',
      ])
      .where('role_assignments.person_id', '=', personId)
      .where(heldToday)
      .orderBy('blocks.sort_order')
      .execute(),
  ]);
  return person ? { person, roles } : undefined;
}
