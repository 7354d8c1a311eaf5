import type { Actor, HouseholdRef, HouseholdScope } from '../common/access.js';

/**
 * Who may see and change the roster: pure functions of the actor and the row's ids, asked the
 * same way from every door (routes, jobs, sockets, exports). A household that exists but is
 * not the actor's is answered like one that does not exist (requireVisible), so ids cannot be
 * probed.
 */

export function canViewHousehold(actor: Actor, household: HouseholdRef): boolean {
  if (household.associationId !== actor.associationId) return false;
  return (
    actor.officer ||
    actor.captainOf.includes(household.blockId) ||
    actor.householdId === household.id ||
    actor.watcherOf.includes(household.id)
  );
}

/** Officers edit every household; a household edits its own contact details. */
export function canEditHousehold(actor: Actor, household: HouseholdRef): boolean {
  if (household.associationId !== actor.associationId) return false;
  return actor.officer || actor.householdId === household.id;
}

/** Moving a household to another 班 or renumbering it is the officers'; a household keeps its own notes and channels current. */
export function canMoveOrRenumberHousehold(actor: Actor): boolean {
  return actor.officer;
}

/** Officers edit anyone of the association; a person edits themself; a household edits its own members. */
export function canEditPerson(actor: Actor, person: { id: string }, household: HouseholdRef | undefined): boolean {
  return actor.officer || actor.personId === person.id || (!!household && canEditHousehold(actor, household));
}

export function canViewBlock(actor: Actor, block: { id: string; associationId: string }): boolean {
  return block.associationId === actor.associationId && (actor.officer || actor.captainOf.includes(block.id));
}

export function canManageRoster(actor: Actor, associationId: string): boolean {
  return actor.officer && actor.associationId === associationId;
}

/**
 * What rows of `households` an actor may see, as a filter for list queries: officers the whole
 * association, a 班長 their 班 plus their own and watched households, everyone else only
 * their own and watched households.
 */
export function householdScope(actor: Actor): HouseholdScope {
  const own = [actor.householdId, ...actor.watcherOf].filter((id): id is string => id !== null);
  if (actor.officer) return { kind: 'association', associationId: actor.associationId };
  if (actor.captainOf.length > 0) return { kind: 'blocks', associationId: actor.associationId, blockIds: actor.captainOf, householdIds: own };
  return { kind: 'households', associationId: actor.associationId, householdIds: own };
}
