import type { Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { HttpError } from '../platform/http/errors.js';
import { inTransaction } from '../platform/db/transaction.js';
import { requireRole, type Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import { rooms } from '../contracts/socket.js';
import type { DrillReport, DrillSummary } from '../contracts/drills.js';
import { activeDrillsOf, addEvent, blocksOf, endActiveDrill, insertDrill, drillsInScope, lockDrill, saveReport } from './drill.repository.js';
import { stableJobId } from '../platform/jobs/jobs.js';
import { insertTargets, targetsOf } from './target.repository.js';
import { notifyEach, reachNow } from './escalation.service.js';
import { drillPolicy } from './drill.policy.js';
import { buildReport } from './report.service.js';
import { householdState, summaries, summary, visibleDrill, type DrillContext } from './summary.service.js';

/**
 * Safety confirmation (安否確認), drills and real events: starting, listing and ending one.
 * The other steps have their own services; this module re-exports them, so the routes and
 * the module import one place.
 */
export type { DrillContext } from './summary.service.js';
export { ask } from './ask.service.js';
export { answerAsMember, answerByProxy, answerFromSpeaker, recordAnswer, recordVisit } from './answer.service.js';
export { deadline, escalate, takeTask } from './escalation.service.js';
export { dashboard, tasks } from './dashboard.service.js';
export { report, reportRows } from './report.service.js';

/**
 * Starts a drill or a real event: one target row per household in scope, written by one
 * INSERT … SELECT with each home's risk; paper-only homes go straight onto their 班長's list
 * (past a 班長 who cannot be reached, to the volunteers or the officers, with an event saying so).
 * The asking (push, speakers) and the deadline are durable jobs written in the same
 * transaction.
 */
export async function startDrill(
  ctx: DrillContext,
  actor: Actor,
  input: StartInput,
): Promise<DrillSummary> {
  requireRole(drillPolicy.canManage(actor), 'officers');
  if (Date.parse(input.deadlineAt) <= Date.now()) throw new HttpError(400, 'deadline_in_past', 'The answer deadline is in the past.', 'deadlineAt');
  if (input.targetBlockIds) {
    const found = await blocksOf(ctx.db, actor.associationId, input.targetBlockIds);
    if (found.length !== new Set(input.targetBlockIds).size) throw HttpError.badRequest('Every 班 must be a 班 of this association.', 'targetBlockIds');
  }
  const drill = await inTransaction(ctx.db, ctx.log, async (tx) => {
    const started = await beginDrill(ctx, tx.db, actor.associationId, actor.personId, input);
    tx.afterCommit(() => announceStart(ctx, started));
    return started;
  });
  return summary(ctx.db, drill);
}

export type StartInput = { kind: 'drill' | 'real'; title: string; message: string; targetBlockIds: string[] | null; announced: boolean; deadlineAt: string; volunteersAfterSeconds: number; officersAfterSeconds: number };
export type StartedDrill = Awaited<ReturnType<typeof beginDrill>>;

/**
 * The start's writes, in the caller's transaction: the drill, its targets, its ask and
 * deadline jobs, its timeline and audit. `startedBy` null: the system started it (a JMA
 * telegram, quakes/); `timeline` names why in the report (drill_events).
 */
export async function beginDrill(ctx: DrillContext, trx: Transaction<Database>, associationId: string, startedBy: string | null, input: StartInput, timeline: string[] = []) {
  const drill = await insertDrill(trx, {
    association_id: associationId, kind: input.kind, title: input.title, message: input.message, announced: input.announced,
    target_block_ids: input.targetBlockIds, deadline_at: input.deadlineAt, volunteers_after_seconds: input.volunteersAfterSeconds,
    officers_after_seconds: input.officersAfterSeconds, started_by: startedBy,
  });
  // The start (and why) first in the timeline: the targets' INSERT writes the skips after it.
  await addEvent(trx, drill.id, 'started');
  for (const what of timeline) await addEvent(trx, drill.id, what);
  const written = await insertTargets(trx, drill, await reachNow(trx, associationId));
  if (!written.length) throw new HttpError(400, 'no_households', 'No households in this scope: choose 班 that have households.', 'targetBlockIds');
  await ctx.jobs.send(trx, 'drill-ask', { drillId: drill.id }, { singletonKey: `ask:${drill.id}` });
  await ctx.jobs.send(trx, 'drill-deadline', { drillId: drill.id }, { startAfter: drill.deadline_at, singletonKey: `deadline:${drill.id}` });
  await audit(trx, { associationId, actorPersonId: startedBy, action: `drill.started`, subject: drill.id, detail: { kind: input.kind, ...(timeline.length ? { why: timeline } : {}) } });
  return { ...drill, written };
}

/** After the start's commit: live to everyone in scope, and the visit lists handed at the start told. */
export async function announceStart(ctx: DrillContext, drill: StartedDrill) {
  // Live, at once, to every household in scope, their 班長 and the officers: one emit.
  ctx.realtime.emit(await audience(ctx, drill), 'drill:started', {
    drillId: drill.id, kind: drill.kind, title: drill.title, message: drill.message, deadlineAt: drill.deadline_at.toISOString(),
  });
  // Paper-only homes are on a visit list from the start (their 班長's, or past an unreachable
  // one to the volunteers or officers): each tier handed some is told now, not at the deadline.
  const handed = drill.written.flatMap((w) => (w.tier === 'none' ? [] : [{ block_id: w.block_id, tier: w.tier }]));
  await notifyEach(ctx, drill, handed);
}

/**
 * Who hears that a drill started or ended: every household in scope (their members and
 * watchers), their 班長 and the officers. A drill of the whole association goes to its room
 * (one room: everyone of the association, so also its volunteers, whose lists show every active
 * drill); a drill of some 班 to the rooms of its households, its 班 and the officers.
 */
async function audience(ctx: DrillContext, drill: { id: string; association_id: string; target_block_ids: string[] | null }) {
  if (!drill.target_block_ids) return [rooms.association(drill.association_id)];
  const targets = await targetsOf(ctx.db, drill.id);
  return [...targets.map((t) => rooms.household(t.household_id)), ...drill.target_block_ids.map(rooms.block), rooms.officers(drill.association_id)];
}

/** The drills the actor's list shows (drill.policy.ts, listScope), newest first. */
export async function listDrills(ctx: DrillContext, actor: Actor) {
  const drills = await drillsInScope(ctx.db, drillPolicy.listScope(actor));
  return { items: await summaries(ctx.db, drills) };
}

/** The active confirmations addressed to the caller's household, with its answer so far. */
export async function myDrills(ctx: DrillContext, actor: Actor) {
  const householdId = drillPolicy.ownHousehold(actor);
  if (!householdId) return { items: [] };
  const drills = await activeDrillsOf(ctx.db, actor.associationId, householdId);
  return { items: await Promise.all(drills.map((d) => householdState(ctx, d, householdId))) };
}

/** Ends it and freezes its report. Two officers ending at once: one wins, one report. */
export async function endDrill(ctx: DrillContext, actor: Actor, drillId: string): Promise<DrillReport> {
  requireRole(drillPolicy.canManage(actor), 'officers');
  const drill = await visibleDrill(ctx, actor, drillId);
  const report = await inTransaction(ctx.db, ctx.log, async (tx) => {
    const ended = await endActiveDrill(tx.db, drillId, actor.personId);
    if (!ended) throw new HttpError(409, 'drill_ended', 'This safety confirmation has already ended; its report is ready.');
    await addEvent(tx.db, drillId, 'ended');
    const report = await buildReport({ ...ctx, db: tx.db }, ended);
    await saveReport(tx.db, drillId, report);
    // With the end it records: a drill is never ended without its audit row, nor audited twice.
    await audit(tx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'drill.ended', subject: drillId });
    tx.afterCommit(async () => ctx.realtime.emit(await audience(ctx, drill), 'drill:ended', { drillId }));
    return report;
  });
  return report;
}

/**
 * In the caller's transaction: a line on an active drill's timeline (its report names it) and,
 * with `askAgain`, one more round of asking the households not yet accounted for (a further
 * quake, quakes/). Returns false when the drill has ended (nothing is written then).
 */
export async function addToActiveDrill(ctx: DrillContext, trx: Transaction<Database>, drillId: string, what: string, askAgain: boolean): Promise<boolean> {
  const drill = await lockDrill(trx, drillId);
  if (!drill || drill.status !== 'active') return false;
  const added = await addEvent(trx, drillId, what);
  if (added && askAgain) {
    const id = stableJobId('drill-ask-again', drillId, what);
    await ctx.jobs.send(trx, 'drill-ask', { drillId, round: id }, { id });
  }
  return true;
}
