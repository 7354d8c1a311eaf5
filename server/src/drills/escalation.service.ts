import { HttpError } from '../platform/http/errors.js';
import { inTransaction, type Tx } from '../platform/db/transaction.js';
import { requireVisible, type Actor } from '../common/access.js';
import { rooms } from '../contracts/socket.js';
import { addEvent, lockDrill, peopleInRoles, type DrillRow } from './drill.repository.js';
import { handSilentToCaptains, moveUntakenUp, takeTarget, type Reach } from './target.repository.js';
import { reachableRoleHolders, TIER_ROLES, tierIsReachable } from '../common/reachability.repository.js';
import type { Db } from '../platform/db/database.js';
import { drillPolicy } from './drill.policy.js';
import { targetOf, visibleDrill, type DrillContext } from './summary.service.js';

type Tier = 'captain' | 'volunteers' | 'officers';

/**
 * A step of the escalation, done once: in one transaction, with the drill locked (an officer
 * ending it waits for the step, or the step finds it ended) and the step's once-only marker.
 * The marker's row is unique per (drill, step), so a second run of the step (a retried job,
 * another instance) waits for the first's transaction and then finds the marker; if the
 * first died, its marker rolled back with its work and the second does the whole step.
 */
function onceWhileActive(ctx: DrillContext, drillId: string, step: string, work: (tx: Tx, drill: DrillRow) => Promise<number>) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const drill = await lockDrill(tx.db, drillId);
    if (!drill || drill.status !== 'active') {
      ctx.log.info({ drillId, step }, 'drill step skipped: the drill has ended or is gone');
      return 0;
    }
    if (!(await addEvent(tx.db, drillId, step))) {
      ctx.log.info({ drillId, step }, 'drill step skipped: already done (its marker is present)');
      return 0;
    }
    return work(tx, drill);
  });
}

/**
 * Who can be reached now (common/reachability.repository.ts): the 班 with a 班長 who can,
 * and whether any volunteer or 民生委員 can. Asked inside the step's transaction.
 */
export async function reachNow(db: Db, associationId: string): Promise<Reach> {
  const [captains, volunteers] = await Promise.all([reachableRoleHolders(db, associationId, TIER_ROLES.captain), tierIsReachable(db, associationId, 'volunteers')]);
  return { captainBlocks: [...new Set(captains.map((c) => c.block_id!))], volunteers };
}

/**
 * At the deadline every silent household becomes a task for its 班長, or, when its 班長
 * cannot be reached, at once for the volunteers (the officers, when no volunteer can be
 * reached either): one statement for all, which also records each 班's skip as an event.
 * The hand-over, its marker and both later tiers' jobs are one transaction, so a crash
 * anywhere in the step leaves either all of them or none (and the job's retry does it
 * all); the people of each tier are told after the commit.
 */
export async function deadline(ctx: DrillContext, drillId: string) {
  return onceWhileActive(ctx, drillId, 'deadline', async (tx, drill) => {
    const handed = await handSilentToCaptains(tx.db, drillId, await reachNow(tx.db, drill.association_id));
    const at = (seconds: number) => new Date(drill.deadline_at.getTime() + seconds * 1000);
    await ctx.jobs.send(tx.db, 'drill-escalate', { drillId, tier: 'volunteers' }, { startAfter: at(drill.volunteers_after_seconds), singletonKey: `${drillId}:volunteers` });
    await ctx.jobs.send(tx.db, 'drill-escalate', { drillId, tier: 'officers' }, { startAfter: at(drill.officers_after_seconds), singletonKey: `${drillId}:officers` });
    tx.afterCommit(() => notifyEach(ctx, drill, handed));
    ctx.log.info({ drillId, step: 'deadline', handedTo: handed }, 'drill deadline: silent households handed to their 班長 (or past an unreachable one)');
    return handed.length;
  });
}

/**
 * Tasks nobody has taken move up a tier (past the volunteers at once when none of them can
 * be reached): the move, its events and its marker are one transaction; people are told after it.
 */
export async function escalate(ctx: DrillContext, drillId: string, tier: 'volunteers' | 'officers') {
  const step = `escalated:${tier}`;
  return onceWhileActive(ctx, drillId, step, async (tx, drill) => {
    const volunteersReachable = tier === 'officers' || (await tierIsReachable(tx.db, drill.association_id, 'volunteers'));
    const moved = await moveUntakenUp(tx.db, drillId, tier, volunteersReachable);
    tx.afterCommit(() => notifyEach(ctx, drill, moved));
    ctx.log.info({ drillId, step, movedTo: moved }, 'drill escalation: untaken tasks moved up a tier');
    return moved.length;
  });
}

/**
 * Each tier handed households is told. Live: one drill:updated for every screen whose lists
 * changed — the 班長 of the 班 handed on, the volunteers when they were, the officers — in one
 * emit (one adapter round trip, not one per 班); `householdId` and `blockId` are '' (many at
 * once: refetch). Then a push to the people of each tier (the 班長 of these 班).
 */
export async function notifyEach(ctx: DrillContext, drill: DrillRow, handed: { block_id: string; tier: Tier }[]) {
  if (!handed.length) return;
  const captainBlocks = [...new Set(handed.filter((h) => h.tier === 'captain').map((h) => h.block_id))];
  ctx.realtime.emit(
    [...captainBlocks.map(rooms.block), ...(handed.some((h) => h.tier === 'volunteers') ? [rooms.volunteers(drill.association_id)] : []), rooms.officers(drill.association_id)],
    'drill:updated',
    { drillId: drill.id, householdId: '', blockId: '' },
  );
  for (const tier of ['captain', 'volunteers', 'officers'] as const) {
    await pushTier(ctx, drill, tier, handed.filter((h) => h.tier === tier).map((h) => h.block_id));
  }
}

/** A push to the people of the tier (the 班長 of these 班). */
async function pushTier(ctx: DrillContext, drill: DrillRow, tier: Tier, blockIds: string[]) {
  if (!blockIds.length) return;
  const people =
    tier === 'captain'
      ? await peopleInRoles(ctx.db, drill.association_id, ['captain'], blockIds)
      : await peopleInRoles(ctx.db, drill.association_id, tier === 'volunteers' ? ['volunteer', 'welfare_commissioner'] : ['officer']);
  await ctx.reach.people(people, {
    title: `【安否確認】応答のない世帯があります`,
    body: '訪問が必要な世帯の一覧を確認してください。',
    // Volunteers and officers find the list on their home page; a 班長 on the drill's visit list.
    url: tier === 'captain' ? `${ctx.publicUrl}/drills/${drill.id}/tasks` : `${ctx.publicUrl}/`,
  });
}

/** "I'm going": the household's escalation stops while someone is on the way. */
export async function takeTask(ctx: DrillContext, actor: Actor, drillId: string, householdId: string) {
  const drill = await visibleDrill(ctx, actor, drillId);
  if (drill.status !== 'active') throw new HttpError(409, 'drill_ended', 'This safety confirmation has ended.');
  const target = await targetOf(ctx, drillId, householdId);
  requireVisible(drillPolicy.canHandleTask(actor, { blockId: target.block_id, tier: target.tier }), 'household');
  const taken = await takeTarget(ctx.db, drillId, householdId, actor.personId);
  if (!taken) throw new HttpError(409, 'household_taken', 'Someone else is already on their way to this household.');
  ctx.realtime.emit([rooms.officers(drill.association_id), rooms.block(target.block_id), rooms.volunteers(drill.association_id)], 'drill:updated', {
    drillId, householdId, blockId: target.block_id,
  });
  return { ok: true as const };
}
