import { randomBytes } from 'node:crypto';
import type { Db } from '../../../server/src/platform/db/database.js';
import type { AssignedRole, Channel } from '../../../server/src/roster/roster.tables.js';
import { insertBlock, insertHousehold, insertPerson } from '../../../server/src/roster/roster.repository.js';
import { insertRoles } from '../../../server/src/roster/roster-import.repository.js';

/**
 * Roster rows for service-tier tests, inserted through the roster's own repositories (so a
 * factory breaks when the schema or a repository does). Each returns the ids a test needs.
 */

const unique = () => randomBytes(3).toString('hex');

/** An association (no repository owns associations yet: the one direct insert). */
export async function makeAssociation(db: Db, name = `テスト自治会 ${unique()}`) {
  return db.insertInto('associations').values({ name, slug: `test-${unique()}` }).returning(['id', 'name']).executeTakeFirstOrThrow();
}

export async function makeBlock(db: Db, associationId: string, name = `${unique()}班`) {
  const { id } = await insertBlock(db, { associationId, name });
  return { id, associationId, name };
}

export async function makeHousehold(
  db: Db,
  block: { id: string; associationId: string },
  fields: { householdNumber?: string; name?: string; channels?: Channel[] } = {},
) {
  const householdNumber = fields.householdNumber ?? unique();
  const { id } = await insertHousehold(db, {
    association_id: block.associationId, block_id: block.id, household_number: householdNumber, name: fields.name ?? `${householdNumber}家`,
    address: `京田辺市 ${householdNumber}`, channels: fields.channels ?? ['app'],
  });
  return { id, associationId: block.associationId, blockId: block.id, householdNumber };
}

type RoleGrant =
  | { role: Exclude<AssignedRole, 'captain' | 'family_watcher'> }
  | { role: 'captain'; blockId: string }
  | { role: 'family_watcher'; householdId: string };

/** A person (in a household or outside any) holding these roles from today. */
export async function makePerson(
  db: Db,
  associationId: string,
  fields: { name?: string; householdId?: string | null; email?: string; passwordHash?: string; roles?: RoleGrant[] } = {},
) {
  const { id } = await insertPerson(db, {
    association_id: associationId, household_id: fields.householdId ?? null, name: fields.name ?? `住民 ${unique()}`,
    email: fields.email ?? null, password_hash: fields.passwordHash ?? null,
  });
  const roles = fields.roles ?? [];
  if (roles.length) {
    await insertRoles(
      db,
      roles.map((grant) => ({
        association_id: associationId, person_id: id, role: grant.role,
        block_id: grant.role === 'captain' ? grant.blockId : null, household_id: grant.role === 'family_watcher' ? grant.householdId : null,
      })),
    );
  }
  return { id, associationId };
}
