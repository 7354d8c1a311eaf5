import { HttpError } from '../platform/http/errors.js';
import { canManageDevices } from '../devices/device.policy.js';

/**
 * Who may do what: the one place that decides. Routes and socket handlers ask here; queries
 * take their row filters from `householdScope`. A resource that exists but is not the
 * actor's answers 404, like one that does not exist, so ids cannot be probed.
 */
export interface Actor {
  sessionId: string;
  personId: string;
  associationId: string;
  officer: boolean;
  /** Blocks (班) this person captains in the current term. */
  captainOf: string[];
  volunteer: boolean;
  welfareCommissioner: boolean;
  /** Households this person watches as family. */
  watcherOf: string[];
  /** The household this person belongs to, if any. */
  householdId: string | null;
}

export interface HouseholdRef {
  id: string;
  associationId: string;
  blockId: string;
}

/** What rows of `households` an actor may see, as a filter for list queries. */
export type HouseholdScope =
  | { kind: 'association'; associationId: string }
  | { kind: 'blocks'; associationId: string; blockIds: string[]; householdIds: string[] }
  | { kind: 'households'; associationId: string; householdIds: string[] };

export const policy = {
  canViewHousehold(actor: Actor, household: HouseholdRef): boolean {
    if (household.associationId !== actor.associationId) return false;
    return (
      actor.officer ||
      actor.captainOf.includes(household.blockId) ||
      actor.householdId === household.id ||
      actor.watcherOf.includes(household.id)
    );
  },

  /** Officers edit every household; a household edits its own contact details. */
  canEditHousehold(actor: Actor, household: HouseholdRef): boolean {
    if (household.associationId !== actor.associationId) return false;
    return actor.officer || actor.householdId === household.id;
  },

  canViewBlock(actor: Actor, block: { id: string; associationId: string }): boolean {
    return block.associationId === actor.associationId && (actor.officer || actor.captainOf.includes(block.id));
  },

  canManageRoster(actor: Actor, associationId: string): boolean {
    return actor.officer && actor.associationId === associationId;
  },

  /** Moved to devices/device.policy.ts; kept here for callers not yet moved. */
  canManageDevices,

  /**
   * The 班 whose people an actor follows up (who has not read a circular, who is silent in a
   * drill, whose tasks are open): undefined for officers (every 班), a 班長's own 班, and
   * nobody else's.
   */
  followUpBlocks(actor: Actor, what: string): string[] | undefined {
    if (actor.officer) return undefined;
    if (actor.captainOf.length) return actor.captainOf;
    throw HttpError.forbidden(`Only officers and 班長 can ${what}.`);
  },

  householdScope(actor: Actor): HouseholdScope {
    const own = [actor.householdId, ...actor.watcherOf].filter((id): id is string => id !== null);
    if (actor.officer) return { kind: 'association', associationId: actor.associationId };
    if (actor.captainOf.length > 0)
      return { kind: 'blocks', associationId: actor.associationId, blockIds: actor.captainOf, householdIds: own };
    return { kind: 'households', associationId: actor.associationId, householdIds: own };
  },
};

/** Throws 403 unless the actor holds the role an action needs. */
export function requireRole(allowed: boolean, what = 'officers'): void {
  if (!allowed) throw HttpError.forbidden(`Only ${what} can do this.`);
}

/** Throws 404 unless the actor may see the resource. */
export function requireVisible(allowed: boolean, what: string): void {
  if (!allowed) throw HttpError.notFound(what);
}
