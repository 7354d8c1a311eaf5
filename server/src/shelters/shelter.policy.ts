import type { Actor } from '../common/access.js';
import { canManageRoster } from '../roster/roster.policy.js';

/**
 * Who may do what with shelters. Everyone in the association sees the listed ones (a resident
 * needs to know where to go); officers also see the unlisted, import, list, unlist and delete.
 * Nothing crosses associations: every query is scoped by the actor's association.
 */
export const shelterPolicy = {
  canManage(actor: Actor): boolean {
    return canManageRoster(actor, actor.associationId);
  },
  /** Officers see every shelter of the association; everyone else the listed ones. */
  listedOnly(actor: Actor): boolean {
    return !shelterPolicy.canManage(actor);
  },
};
