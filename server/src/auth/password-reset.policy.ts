import type { Actor } from '../common/access.js';
import { canManageRoster } from '../roster/roster.policy.js';

/**
 * Who may issue a one-time password reset code for whom. A code lets its holder set the
 * person's password and log in as them, so the rule is plain:
 * - officers (those who manage the roster; a 班長 may not) may issue one for anyone of their
 *   own association who has a login, fellow officers included, but never for themselves (the
 *   password page asks for the current password; a code for oneself would step around it);
 * - each issue asks the officer to re-enter their own current password (checked in the
 *   service, rate-limited like a password change), so a stolen session alone issues nothing;
 * - each issue is audited, and ends nothing until the code is redeemed: the person's sessions
 *   and password stay as they are until then.
 */

export interface ResetTarget {
  id: string;
  associationId: string;
}

export function canIssueResetCode(actor: Actor, target: ResetTarget): boolean {
  if (!canManageRoster(actor, actor.associationId) || target.associationId !== actor.associationId) return false;
  return target.id !== actor.personId;
}
