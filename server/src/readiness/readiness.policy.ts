import { followUpBlocks, requireRole, type Actor } from '../common/access.js';

/** Who sees readiness, and of which 班. */
export const readinessPolicy = {
  /**
   * The 班 whose readiness an actor sees: every 班 for officers (undefined), their own for a
   * 班長 (they close their 班's gaps); anyone else is refused (403).
   */
  viewBlocks(actor: Actor): string[] | undefined {
    return followUpBlocks(actor, 'see readiness');
  },
  /** Whether the actor may ask for this one 班 (a 班長 only their own; an unseen 班 is a 404). */
  mayViewBlock(actor: Actor, blockId: string): boolean {
    return actor.officer || actor.captainOf.includes(blockId);
  },
  /** Whether the association-wide tiers (volunteers, officers, with names) are shown: officers only. */
  seesTiers(actor: Actor): boolean {
    return actor.officer;
  },
  /** The preflight before a drill or circular: officers, who start and publish them. */
  preflight(actor: Actor): void {
    requireRole(actor.officer);
  },
};
