import type { Actor } from '../common/access.js';

/**
 * Who may manage an association's speakers (register them, rotate their credentials, revoke
 * them, see their state): its officers. Pure, and asked the same way from every door.
 */
export function canManageDevices(actor: Actor, associationId: string): boolean {
  return actor.officer && actor.associationId === associationId;
}
