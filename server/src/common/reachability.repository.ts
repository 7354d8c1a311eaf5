import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { heldToday } from './people.repository.js';

/**
 * Who can be reached, as one rule for every capability: an escalation step, a readiness
 * view and a warning before a drill all ask the same question, so they must get the same
 * answer. A person can be reached through the app when they can log in (a password) or
 * have a browser subscribed to push; a role with nobody reachable in it is a gap, and a
 * step must not land there (it goes to the next tier at once).
 */

export type ResponderRole = 'captain' | 'volunteer' | 'welfare_commissioner' | 'officer';

/** The tiers a silent household climbs, and the roles that make each one up. */
export const TIER_ROLES = {
  captain: ['captain'],
  volunteers: ['volunteer', 'welfare_commissioner'],
  officers: ['officer'],
} as const satisfies Record<string, readonly ResponderRole[]>;
export type ResponderTier = keyof typeof TIER_ROLES;

/** This person (a row of `people`) can be reached: they can log in, or a browser of theirs takes push. */
export function canBeReached(eb: ExpressionBuilder<Database, 'people'>) {
  return eb.or([
    eb('people.password_hash', 'is not', null),
    eb.exists(eb.selectFrom('push_subscriptions').select(sql`1`.as('one')).whereRef('push_subscriptions.person_id', '=', 'people.id')),
  ]);
}

/**
 * The people holding one of these roles today who can be reached, with the 班 of the role
 * (for 班長); with `blockIds`, only roles in these 班.
 */
export function reachableRoleHolders(db: Db, associationId: string, roles: readonly ResponderRole[], blockIds?: readonly string[]) {
  return db
    .selectFrom('role_assignments')
    .innerJoin('people', 'people.id', 'role_assignments.person_id')
    .select(['role_assignments.person_id', 'role_assignments.role', 'role_assignments.block_id'])
    .distinct()
    .where('role_assignments.association_id', '=', associationId)
    .where('role_assignments.role', 'in', roles)
    .$if(!!blockIds, (q) => q.where(isAnyOf('role_assignments.block_id', blockIds!)))
    .where(heldToday)
    .where(canBeReached)
    .execute();
}

/** Which of these 班 have a 班長 who can be reached today (the others' steps skip the 班長). */
export async function blocksWithReachableCaptain(db: Db, associationId: string, blockIds: readonly string[]): Promise<Set<string>> {
  if (!blockIds.length) return new Set();
  const holders = await reachableRoleHolders(db, associationId, TIER_ROLES.captain, blockIds);
  return new Set(holders.map((h) => h.block_id!));
}

/** Whether anyone in this association-wide tier (volunteers or officers) can be reached today. */
export async function tierIsReachable(db: Db, associationId: string, tier: 'volunteers' | 'officers'): Promise<boolean> {
  return (await reachableRoleHolders(db, associationId, TIER_ROLES[tier])).length > 0;
}

/**
 * A speaker can reach its home now: not revoked and online, as the devices capability shows
 * it (a status on connect or a heartbeat set it online; its last will sets it offline).
 */
function speakerIsOnline(eb: ExpressionBuilder<Database, 'devices'>) {
  return eb.and([eb('devices.online', '=', true), eb('devices.revoked_at', 'is', null)]);
}

/**
 * The same rule as a set, for set-based statements (a drill's start): the households of the
 * association someone can answer for now — a member (family living elsewhere included: they
 * answer for a parent) who can be reached, or its speaker online — each once. One pass over the
 * association's people and speakers, joined to the households by the caller; a home not in it
 * is reached only at its door.
 */
export function householdsSomeoneCanAnswerFor(db: Db, associationId: string) {
  return db
    .selectFrom('people')
    .select('people.household_id')
    .where('people.association_id', '=', associationId)
    .where('people.household_id', 'is not', null)
    .where(canBeReached)
    .union(
      db
        .selectFrom('devices')
        .select('devices.household_id')
        .where('devices.association_id', '=', associationId)
        .where('devices.household_id', 'is not', null)
        .where(speakerIsOnline),
    );
}

/**
 * Every household of the association (or of these 班) with the channels that can reach it
 * now: `app` (a member who can be reached), `speaker` (a speaker online) and `paper` (a
 * 班長 of its 班 who can be reached walks to the door with the printed circular or for a
 * visit). A household none of them reaches is a home nobody can reach. One statement.
 */
export function householdReach(db: Db, associationId: string, blockIds?: readonly string[]) {
  // Each channel is looked up per household (a lateral join, first match only) through the
  // indexes on people.household_id, devices.household_id and role_assignments.block_id, so the
  // cost follows the association's households, not the deployment's people.
  return db
    .selectFrom('households')
    .leftJoinLateral(
      (eb) => eb.selectFrom('people').select(sql<boolean>`true`.as('ok')).whereRef('people.household_id', '=', 'households.id').where(canBeReached).limit(1).as('app'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) => eb.selectFrom('devices').select(sql<boolean>`true`.as('ok')).whereRef('devices.household_id', '=', 'households.id').where(speakerIsOnline).limit(1).as('speaker'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('role_assignments')
          .innerJoin('people', 'people.id', 'role_assignments.person_id')
          .select(sql<boolean>`true`.as('ok'))
          .whereRef('role_assignments.block_id', '=', 'households.block_id')
          .where('role_assignments.role', '=', 'captain')
          .where(heldToday)
          .where(canBeReached)
          .limit(1)
          .as('paper'),
      (join) => join.onTrue(),
    )
    .select([
      'households.id', 'households.block_id', 'households.household_number', 'households.name', 'households.address',
      sql<boolean>`app.ok is not null`.as('app'),
      sql<boolean>`speaker.ok is not null`.as('speaker'),
      sql<boolean>`paper.ok is not null`.as('paper'),
    ])
    .where('households.association_id', '=', associationId)
    .$if(!!blockIds, (q) => q.where(isAnyOf('households.block_id', blockIds!)))
    .orderBy('households.household_number')
    .execute();
}

/**
 * Everyone holding one of these roles today, reachable or not (with `reachable`): for showing
 * who in a tier has a way in and who does not. With `blockIds`, only roles in these 班.
 */
export function roleHolders(db: Db, associationId: string, roles: readonly ResponderRole[], blockIds?: readonly string[]) {
  return db
    .selectFrom('role_assignments')
    .innerJoin('people', 'people.id', 'role_assignments.person_id')
    .select((eb) => ['role_assignments.person_id', 'people.name', 'role_assignments.role', 'role_assignments.block_id', canBeReached(eb).as('reachable')])
    .distinct()
    .where('role_assignments.association_id', '=', associationId)
    .where('role_assignments.role', 'in', roles)
    .$if(!!blockIds, (q) => q.where(isAnyOf('role_assignments.block_id', blockIds!)))
    .where(heldToday)
    .orderBy('people.name')
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'householdsSomeoneCanAnswerFor', run: (db) => householdsSomeoneCanAnswerFor(db, ID).execute() },
  { name: 'canBeReached', run: (db) => db.selectFrom('people').select('id').where(canBeReached).execute() },
  { name: 'reachableRoleHolders — the 班長 of these 班', run: (db) => reachableRoleHolders(db, ID, TIER_ROLES.captain, [OTHER]) },
  { name: 'reachableRoleHolders — volunteers', run: (db) => reachableRoleHolders(db, ID, TIER_ROLES.volunteers) },
  { name: 'blocksWithReachableCaptain', run: (db) => blocksWithReachableCaptain(db, ID, [OTHER]) },
  { name: 'tierIsReachable', run: (db) => tierIsReachable(db, ID, 'officers') },
  { name: 'householdReach — these 班', run: (db) => householdReach(db, ID, [OTHER]) },
  { name: 'roleHolders — every tier', run: (db) => roleHolders(db, ID, ['captain', 'volunteer', 'welfare_commissioner', 'officer']) },
];
