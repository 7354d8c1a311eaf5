import { HttpError } from '../platform/http/errors.js';
import { claimRequestKey, requestKey, type RequestKey } from '../platform/http/idempotency.js';
import { requireVisible, type Actor } from '../common/access.js';
import { transactionOn } from '../common/unit-of-work.js';
import { rooms } from '../contracts/socket.js';
import type { MyDrill } from '../contracts/drills.js';
import { captainAndOfficers, findDrill, householdOf, insertAnswer } from './drill.repository.js';
import { findTarget, markAbsent, saveAnswer } from './target.repository.js';
import { drillPolicy } from './drill.policy.js';
import { isListedShelter } from '../shelters/shelter.repository.js';
import { householdState, targetOf, visibleDrill, type DrillContext } from './summary.service.js';

type Status = 'safe' | 'needs_help' | 'injured';
type Where = 'home' | 'evacuated' | 'away';

/**
 * Records an answer. The first answer's time and channel stay as they were; the status is
 * the latest, and every answer is kept in the history. "Needs help" or "injured" goes to
 * the 班長 and the officers at once.
 */
export async function recordAnswer(
  ctx: DrillContext,
  input: { drillId: string; householdId: string; status: Status | 'absent'; where: Where | null; note: string; channel: 'app' | 'speaker' | 'proxy' | 'visit'; recordedBy: string | null; shelterId?: string | null },
  /** A retried request (same Idempotency-Key) stores nothing and answers with the current state. */
  key?: RequestKey,
): Promise<MyDrill> {
  const { drillId, householdId } = input;
  const drill = await findDrill(ctx.db, drillId);
  if (!drill) throw HttpError.notFound('drill');
  if (drill.status !== 'active') throw new HttpError(409, 'drill_ended', 'This safety confirmation has ended.');
  const target = await findTarget(ctx.db, drillId, householdId);
  requireVisible(!!target, 'drill');
  const shelterId = input.where === 'evacuated' ? (input.shelterId ?? null) : null;
  if (input.shelterId && input.where !== 'evacuated') throw HttpError.badRequest('a shelter is named only with where = evacuated', 'shelterId');
  if (shelterId && !(await isListedShelter(ctx.db, drill.association_id, shelterId))) {
    throw HttpError.badRequest('must be one of the association’s listed shelters', 'shelterId');
  }
  // Device ingest calls this inside the transaction that stores the speaker's message.
  await transactionOn(ctx.db, async (trx) => {
    // A retry of a stored action writes nothing. It still runs what follows the commit: the
    // first try may have lost the database right after committing (those steps are safe to repeat).
    if (!(await claimRequestKey(trx, key))) return;
    await insertAnswer(trx, { drill_id: drillId, household_id: householdId, status: input.status, location: input.where, note: input.note, channel: input.channel, recorded_by: input.recordedBy, shelter_id: shelterId });
    if (input.status === 'absent') await markAbsent(trx, drillId, householdId, input.note);
    else await saveAnswer(trx, drillId, householdId, { status: input.status, where: input.where, note: input.note, channel: input.channel, shelterId });
  });
  const { block_id: blockId, tier } = target!;
  const escalatedToVolunteers = tier === 'volunteers' || tier === 'officers';
  ctx.realtime.emit(
    [rooms.officers(drill.association_id), rooms.block(blockId), rooms.household(householdId), ...(escalatedToVolunteers ? [rooms.volunteers(drill.association_id)] : [])],
    'drill:updated',
    { drillId, householdId, blockId },
  );
  if (input.status === 'needs_help' || input.status === 'injured') {
    const people = await captainAndOfficers(ctx.db, drill.association_id, blockId);
    const household = await householdOf(ctx.db, householdId);
    await ctx.reach.people(people, {
      title: `【${input.status === 'injured' ? '負傷' : '要支援'}】${household!.name}`,
      body: input.note || '安否確認で支援が必要と回答がありました。',
      url: `${ctx.publicUrl}/drills/${drillId}`,
    });
  }
  return householdState(ctx, drill, householdId);
}

/** The member's own household answers through the app. */
export async function answerAsMember(ctx: DrillContext, actor: Actor, drillId: string, input: { status: Status; where: Where; note: string; shelterId?: string | null }, idempotencyKey?: string) {
  const householdId = drillPolicy.ownHousehold(actor);
  if (!householdId) throw HttpError.notFound('drill');
  await visibleDrill(ctx, actor, drillId);
  return recordAnswer(ctx, { drillId, householdId, ...input, channel: 'app', recordedBy: actor.personId }, requestKey(actor, idempotencyKey, `drill-answer:${drillId}`));
}

/**
 * From the speaker's prompt: 無事 is safe, 助けて needs help. The device door has checked
 * that the speaker belongs to the household it answers for. The speaker is fixed in the home,
 * so a press says someone is at home: whoever goes to help goes there, not to a shelter named
 * earlier in the app.
 */
export async function answerFromSpeaker(ctx: DrillContext, input: { householdId: string; promptId: string; button: 'safe' | 'help' }) {
  return recordAnswer(ctx, {
    drillId: input.promptId, householdId: input.householdId, status: input.button === 'safe' ? 'safe' : 'needs_help', where: 'home', note: '', channel: 'speaker', recordedBy: null,
  });
}

/**
 * "Confirmed in person" by someone else: officers, the household's 班長, volunteers, or a
 * neighbour (a member of a household in the same 班).
 */
export async function answerByProxy(ctx: DrillContext, actor: Actor, drillId: string, input: { householdId: string; status: Status; where: Where; note: string; shelterId?: string | null }, idempotencyKey?: string) {
  await visibleDrill(ctx, actor, drillId);
  const target = await targetOf(ctx, drillId, input.householdId);
  const own = actor.householdId ? await householdOf(ctx.db, actor.householdId) : undefined;
  requireVisible(drillPolicy.canAnswerByProxy(actor, { blockId: target.block_id }, own?.block_id ?? null), 'household');
  return recordAnswer(ctx, { drillId, ...input, channel: 'proxy', recordedBy: actor.personId }, requestKey(actor, idempotencyKey, `drill-proxy:${drillId}:${input.householdId}`));
}

/** The outcome of a visit to a silent household; "absent" keeps it on the list. */
export async function recordVisit(ctx: DrillContext, actor: Actor, drillId: string, input: { householdId: string; outcome: Status | 'absent'; note: string; where?: Where; shelterId?: string | null }, idempotencyKey?: string) {
  await visibleDrill(ctx, actor, drillId);
  const target = await targetOf(ctx, drillId, input.householdId);
  requireVisible(drillPolicy.canHandleTask(actor, { blockId: target.block_id, tier: target.tier }), 'household');
  return recordAnswer(
    ctx,
    {
      drillId, householdId: input.householdId, status: input.outcome, where: input.outcome === 'absent' ? null : (input.where ?? 'home'), note: input.note, channel: 'visit', recordedBy: actor.personId,
      shelterId: input.outcome === 'absent' ? null : (input.shelterId ?? null),
    },
    requestKey(actor, idempotencyKey, `drill-visit:${drillId}:${input.householdId}`),
  );
}
