import type { Actor } from '../common/access.js';
import { canManageRoster } from '../roster/roster.policy.js';

/**
 * Who may issue a one-time password reset code for whom. A code lets its holder set the
 * person's password and log in as them, so issuing one is acting with that person's rights:
 * - only those who manage the roster issue codes (officers; a 班長 may not), and only for a
 *   person of their own association;
 * - never for someone with rights the issuer does not hold;
 * - for another officer, only if the issuer holds the association's top role. tonari's roles
 *   (role_assignments.role) have no rank above 役員 and none among officers, so today any
 *   officer is of the top role and may issue one for a fellow officer (who then notices: all
 *   their sessions end, and the audit log names the issuer);
 * - never for oneself: the password page asks for the current password, which a stolen
 *   session does not know, and a code for oneself would step around that question.
 */

/** The roles a person holds today, as the privilege rule compares them. */
export interface HeldRoles {
  officer: boolean;
  captainOf: string[];
  volunteer: boolean;
  welfareCommissioner: boolean;
  watcherOf: string[];
}

export interface ResetTarget {
  id: string;
  associationId: string;
  roles: HeldRoles;
}

/** The association's top role: 役員 is the highest role there is (see the rule above). */
export function holdsTopRole(actor: Pick<Actor, 'officer'>): boolean {
  return actor.officer;
}

/**
 * Whether every right `target` holds is also the actor's: an officer's rights cover the whole
 * association (README's role table); anyone else covers only the roles they hold themselves
 * (the same 班 as captain, the same households as watcher).
 */
export function holdsNoMoreRightsThan(target: HeldRoles, actor: HeldRoles): boolean {
  if (actor.officer) return true;
  if (target.officer) return false;
  return (
    target.captainOf.every((block) => actor.captainOf.includes(block)) &&
    (!target.volunteer || actor.volunteer) &&
    (!target.welfareCommissioner || actor.welfareCommissioner) &&
    target.watcherOf.every((household) => actor.watcherOf.includes(household))
  );
}

export function canIssueResetCode(actor: Actor, target: ResetTarget): boolean {
  if (!canManageRoster(actor, actor.associationId) || target.associationId !== actor.associationId) return false;
  if (target.id === actor.personId) return false;
  if (!holdsNoMoreRightsThan(target.roles, actor)) return false;
  return !target.roles.officer || holdsTopRole(actor);
}
