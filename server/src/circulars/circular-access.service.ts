import type { ServiceContext } from '../common/service-context.js';
import { requireRole, requireVisible, type Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import type { CircularStatus } from './circular.tables.js';
import { findCircular, type CircularRow } from './circular.repository.js';
import { reachesAny } from './recipient.repository.js';
import { circularPolicy } from './circular.policy.js';

/**
 * A circular loaded for an actor, with the access rule of circular.policy.ts applied the same
 * way for every door: each throws 403 or 404 as the rule says, or returns the circular.
 */

export type CircularContext = ServiceContext;

const asRef = (circular: CircularRow) => ({ associationId: circular.association_id, status: circular.status });

/** Officers see every circular of their association; others only what reached their household or 班. */
export async function visibleCircular(ctx: CircularContext, actor: Actor, id: string): Promise<CircularRow> {
  const circular = await findCircular(ctx.db, id);
  const verdict = circular ? circularPolicy.canSee(actor, asRef(circular)) : 'no';
  if (verdict === 'no') throw HttpError.notFound('circular');
  if (verdict === 'if-reached') requireVisible(await reachesAny(ctx.db, id, circularPolicy.readerScope(actor)!), 'circular');
  return circular!;
}

/** A circular its officer changes: 403 for anyone but an officer, 404 for another association's. */
export async function officerCircular(ctx: CircularContext, actor: Actor, id: string): Promise<CircularRow> {
  requireRole(circularPolicy.canCompose(actor), 'officers');
  const circular = await findCircular(ctx.db, id);
  requireVisible(!!circular && circularPolicy.inAssociation(actor, circular.association_id), 'circular');
  return circular!;
}

/**
 * A circular whose readers an officer or 班長 follows up, in a status where that makes sense:
 * 404 for another association's or another status, then 403 for anyone who follows up no 班.
 * `blocks`: the 班 in their scope (undefined: every 班).
 */
export async function followUpCircular(ctx: CircularContext, actor: Actor, id: string, statuses: readonly CircularStatus[]) {
  const circular = await findCircular(ctx.db, id);
  requireVisible(!!circular && circularPolicy.inAssociation(actor, circular.association_id) && statuses.includes(circular.status), 'circular');
  return { circular: circular!, blocks: circularPolicy.followUpBlocks(actor) };
}

export const ANY_STATUS: readonly CircularStatus[] = ['draft', 'scheduled', 'published', 'withdrawn'];
