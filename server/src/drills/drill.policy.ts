import { followUpBlocks, type Actor } from '../common/access.js';
import type { VisitFilter } from './target.repository.js';
import { canManageRoster } from '../roster/roster.policy.js';

type Tier = 'none' | 'captain' | 'volunteers' | 'officers';

/**
 * Who may do what in a safety confirmation: pure functions of the actor and the row's ids,
 * asked the same way from every door (routes, the speaker's uplink, jobs, exports). A drill
 * or household that is not the actor's answers 404 like one that does not exist; a role the
 * actor lacks answers 403. The row scoping of lists, reports and CSV stays in the queries,
 * from the scopes these functions return.
 */
export const drillPolicy = {
  /** Officers of the association start and end safety confirmations. */
  canManage(actor: Actor): boolean {
    return canManageRoster(actor, actor.associationId);
  },

  /** A drill of another association does not exist for the actor. */
  canSee(actor: Actor, drill: { associationId: string }): boolean {
    return drill.associationId === actor.associationId;
  },

  /** A member answers for their own household, and only for it (null: they have none). */
  ownHousehold(actor: Actor): string | null {
    return actor.householdId;
  },

  /**
   * "Confirmed in person" by someone else: officers, the household's 班長, volunteers and
   * 民生委員, or a neighbour (a member of a household in the same 班).
   */
  canAnswerByProxy(actor: Actor, target: { blockId: string }, actorsBlockId: string | null): boolean {
    const neighbour = actorsBlockId !== null && actorsBlockId === target.blockId;
    return actor.officer || actor.captainOf.includes(target.blockId) || actor.volunteer || actor.welfareCommissioner || neighbour;
  },

  /** Who may act on a silent household's task (take it, record a visit): its 班長, and volunteers and officers once it has reached them. */
  canHandleTask(actor: Actor, target: { blockId: string; tier: Tier }): boolean {
    if (actor.officer) return true;
    if (actor.captainOf.includes(target.blockId)) return true;
    return (actor.volunteer || actor.welfareCommissioner) && (target.tier === 'volunteers' || target.tier === 'officers');
  },

  /**
   * The 班 whose households an actor follows on the dashboard, in the report and the CSV:
   * undefined for officers (every 班), a 班長's own 班; anyone else is refused (403).
   */
  followUpBlocks(actor: Actor, what: 'follow a safety confirmation' | 'export a safety confirmation'): string[] | undefined {
    return followUpBlocks(actor, what);
  },

  /**
   * Which targets of a drill an actor's visit list holds: every one for officers; their own
   * 班 for a 班長; for volunteers and 民生委員, any 班 once the task has been escalated to
   * them. Nobody else has a visit list (undefined).
   */
  visitScope(actor: Actor): VisitFilter | undefined {
    if (actor.officer) return {};
    const helper = actor.volunteer || actor.welfareCommissioner;
    if (!actor.captainOf.length && !helper) return undefined;
    return { blocks: actor.captainOf, escalatedToVolunteers: helper };
  },

  /**
   * Which drills an actor's list shows: officers every one; volunteers and 民生委員 help
   * with any running one; members and 班長 see the active ones that reached them, and a
   * 班長 also the ended ones that reached their 班 (for their 班's report).
   */
  listScope(actor: Actor) {
    return {
      associationId: actor.associationId,
      everything: actor.officer,
      anyActive: actor.volunteer || actor.welfareCommissioner,
      householdId: actor.householdId,
      captainOf: actor.captainOf,
    };
  },
};
