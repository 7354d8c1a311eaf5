import { HttpError } from '../platform/http/errors.js';

/**
 * The base of every access rule: who is asking (`Actor`, loaded from the session by auth),
 * the shapes the rules take (`HouseholdRef`, `HouseholdScope`), and the two ways a door says
 * no (`requireRole` → 403, `requireVisible` → 404). The rules themselves sit beside their
 * capability (`<cap>/<cap>.policy.ts`) as pure functions. A resource that exists but is not
 * the actor's answers 404, like one that does not exist, so ids cannot be probed.
 */

/** The person behind a session, with the roles they hold today. */
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

/**
 * The 班 whose people an actor follows up (who has not read a circular, who is silent in a
 * drill, whose tasks are open): undefined for officers (every 班), a 班長's own 班, and
 * nobody else's.
 */
export function followUpBlocks(actor: Actor, what: string): string[] | undefined {
  if (actor.officer) return undefined;
  if (actor.captainOf.length) return actor.captainOf;
  throw HttpError.forbidden(`Only officers and 班長 can ${what}.`);
}

/** Throws 403 unless the actor holds the role an action needs. */
export function requireRole(allowed: boolean, what = 'officers'): void {
  if (!allowed) throw HttpError.forbidden(`Only ${what} can do this.`);
}

/** Throws 404 unless the actor may see the resource. */
export function requireVisible(allowed: boolean, what: string): void {
  if (!allowed) throw HttpError.notFound(what);
}
