import { followUpBlocks, type Actor } from '../common/access.js';
import type { CircularStatus } from './circular.tables.js';
import { canManageRoster } from '../roster/roster.policy.js';

/**
 * Who may do what with circulars: pure rules of the actor and the circular's ids, asked the
 * same way by every door (the routes, the speaker's acknowledgement, the paper sign-offs).
 * A circular that is not the actor's answers 404 like one that does not exist.
 */

export interface CircularRef {
  associationId: string;
  status: CircularStatus;
}

/** The recipient rows that make a circular someone's: their household, the households they watch, the 班 they captain. */
export interface ReaderScope {
  householdIds: string[];
  blockIds: string[];
}

/** A circular not yet published (a draft, or scheduled) exists only for its officers. */
const isReleased = (status: CircularStatus) => status === 'published' || status === 'withdrawn';

export const circularPolicy = {
  /** Officers compose, edit, publish, correct and withdraw circulars and their attachments. */
  canCompose(actor: Actor): boolean {
    return canManageRoster(actor, actor.associationId);
  },

  /** A circular of the actor's association (others' do not exist for them). */
  inAssociation(actor: Actor, associationId: string): boolean {
    return associationId === actor.associationId;
  },

  /**
   * Which circulars an actor reads: undefined for officers (every circular of their
   * association), otherwise the published ones that reached one of these rows.
   */
  readerScope(actor: Actor): ReaderScope | undefined {
    if (actor.officer) return undefined;
    return { householdIds: [actor.householdId, ...actor.watcherOf].filter((id): id is string => id !== null), blockIds: actor.captainOf };
  },

  /**
   * Whether the actor sees this circular: officers see every one of their association; others
   * see a published (or withdrawn) one only if it reached their readerScope ('if-reached':
   * the caller looks for such a recipient row).
   */
  canSee(actor: Actor, circular: CircularRef): 'yes' | 'no' | 'if-reached' {
    if (circular.associationId !== actor.associationId) return 'no';
    if (actor.officer) return 'yes';
    return isReleased(circular.status) ? 'if-reached' : 'no';
  },

  /**
   * The household an actor acknowledges or answers for: their own, and only for a circular of
   * their association (whether it was addressed to it is the recipient row's to say).
   */
  answeringHousehold(actor: Actor, circular: { associationId: string }): string | null {
    return actor.householdId && circular.associationId === actor.associationId ? actor.householdId : null;
  },

  /**
   * The 班 whose read state and answers an actor follows up (progress, the unread, paper
   * sign-offs, the print sheet): every 班 for officers (undefined), a 班長's own; anyone else 403.
   */
  followUpBlocks(actor: Actor): string[] | undefined {
    return followUpBlocks(actor, 'see who has read a circular');
  },

  /** Whether the actor follows up this 班 (officers: every 班; a 班長: their own). */
  followsUpBlock(actor: Actor, blockId: string): boolean {
    return actor.officer || actor.captainOf.includes(blockId);
  },

  /**
   * The read rate shown in a list of circulars: every 班's for officers (undefined), a
   * 班長's own 班's; nobody else sees one (an empty list: no counts).
   */
  listProgressBlocks(actor: Actor): string[] | undefined {
    return actor.officer ? undefined : actor.captainOf;
  },
};
