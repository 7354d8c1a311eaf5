import { inTransaction } from '../platform/db/transaction.js';
import { requireVisible, type Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import { claimRequestKey, requestKey } from '../platform/http/idempotency.js';
import { rooms } from '../contracts/socket.js';
import type { Answer, Question } from '../contracts/circulars.js';
import type { Channel } from '../roster/roster.tables.js';
import { findCircular, recordRead, type CircularRow } from './circular.repository.js';
import { acknowledgeFirst, recipientOf, saveAnswer } from './recipient.repository.js';
import { closeCircularTasks } from '../tasks/task.repository.js';
import { circularPolicy } from './circular.policy.js';
import type { CircularContext } from './circular-access.service.js';
import { getCircular } from './circular-view.service.js';

/** A household has read a circular (既読) by app, speaker or paper, and answers its question. */

/**
 * Records a household's acknowledgement (既読). The first one wins: its time, who and the
 * channel stay; acknowledging again changes nothing. An open captain task for it closes.
 */
export async function acknowledge(ctx: CircularContext, input: { circularId: string; householdId: string; personId: string | null; channel: Channel }) {
  const circular = await findCircular(ctx.db, input.circularId);
  if (!circular || circular.status === 'draft' || circular.status === 'scheduled') throw HttpError.notFound('circular');
  const [first] = await acknowledgeFirstOf(ctx, { ...input, householdIds: [input.householdId] });
  // Not addressed to this household: refused before anything is recorded as read.
  const existing = first ? undefined : await recipientOf(ctx.db, input.circularId, input.householdId);
  requireVisible(!!first || !!existing, 'circular');
  // Read again: the person has seen it (the first time is recorded with the acknowledgement).
  if (!first && input.personId) await recordRead(ctx.db, input.circularId, input.personId);
  if (first) return { acknowledgedAt: first.acknowledged_at!.toISOString(), channel: input.channel, first: true };
  return { acknowledgedAt: existing!.acknowledged_at!.toISOString(), channel: existing!.acknowledged_channel!, first: false };
}

/**
 * The first acknowledgement of each of these recipient households (a bulk paper sign-off: one
 * statement for the rows, one for their tasks), each announced to its 班 and the officers.
 * The caller has checked that the circular is published and the households are its recipients.
 */
export async function acknowledgeFirstOf(ctx: CircularContext, input: { circularId: string; householdIds: readonly string[]; personId: string | null; channel: Channel }) {
  const firsts = await acknowledgeFirst(ctx.db, input);
  if (!firsts.length) return firsts;
  if (input.personId) await recordRead(ctx.db, input.circularId, input.personId);
  await closeCircularTasks(ctx.db, input.circularId, `既読 (${input.channel})`, firsts.map((f) => f.household_id));
  for (const first of firsts) {
    ctx.realtime.emit([rooms.officers(first.association_id), rooms.block(first.block_id)], 'circular:acknowledged', {
      circularId: input.circularId, householdId: first.household_id, blockId: first.block_id, channel: input.channel, acknowledgedAt: first.acknowledged_at!.toISOString(),
    });
  }
  return firsts;
}

/**
 * The circular as addressed to the actor's household, with its recipient row: only a circular
 * addressed to the household exists for it (another 班's is 404, not even "withdrawn").
 */
async function addressedCircular(ctx: CircularContext, actor: Actor, circularId: string) {
  if (!actor.householdId) throw HttpError.notFound('circular');
  const circular = await findCircular(ctx.db, circularId);
  const householdId = circular ? circularPolicy.answeringHousehold(actor, { associationId: circular.association_id }) : null;
  const recipient = householdId ? await recipientOf(ctx.db, circularId, householdId) : undefined;
  requireVisible(!!recipient, 'circular');
  return { circular: circular!, householdId: householdId!, recipient: recipient! };
}

export async function acknowledgeAsMember(ctx: CircularContext, actor: Actor, circularId: string) {
  const { circular, householdId } = await addressedCircular(ctx, actor, circularId);
  if (circular.status === 'withdrawn') throw new HttpError(409, 'circular_withdrawn', 'This circular was withdrawn.');
  return acknowledge(ctx, { circularId, householdId, personId: actor.personId, channel: 'app' });
}

function checkAnswer(question: Question, answer: Answer) {
  if (answer.type !== question.type) throw HttpError.badRequest(`This question takes a ${question.type} answer.`, 'answer.type');
  if ((answer.type === 'single' || answer.type === 'multiple') && 'options' in question) {
    const chosen = answer.type === 'single' ? [answer.option] : answer.options;
    if (chosen.some((o) => o >= question.options.length)) throw HttpError.badRequest('No such option.', answer.type === 'single' ? 'answer.option' : 'answer.options');
    if (answer.type === 'multiple' && new Set(chosen).size !== chosen.length) throw HttpError.badRequest('An option is chosen twice.', 'answer.options');
  }
  if (answer.type === 'attendance' && question.type === 'attendance') {
    if (answer.headcount > question.maxHeadcount) throw HttpError.badRequest(`At most ${question.maxHeadcount} people.`, 'answer.headcount');
    if (answer.attending && answer.headcount < 1) throw HttpError.badRequest('Say how many people will attend.', 'answer.headcount');
  }
}

/** The question of a circular that can still be answered, or the reason it cannot. */
function openQuestion(circular: CircularRow): Question {
  requireVisible(circular.status !== 'draft', 'circular');
  if (circular.status === 'withdrawn') throw new HttpError(409, 'circular_withdrawn', 'This circular was withdrawn.');
  if (!circular.question) throw HttpError.badRequest('This circular has no question.', 'answer');
  if (circular.due_at && circular.due_at <= new Date()) throw new HttpError(409, 'answer_closed', 'The due date has passed; the answer can no longer be changed.');
  return circular.question;
}

/** Answers (or changes the answer) until the due date; every answer stays in the history. */
export async function answer(ctx: CircularContext, actor: Actor, circularId: string, given: Answer, idempotencyKey?: string) {
  const { circular, householdId, recipient } = await addressedCircular(ctx, actor, circularId);
  checkAnswer(openQuestion(circular), given);
  // A retry of the same action (same Idempotency-Key) adds no second history row; what follows
  // the commit runs again, as the first try may have lost the database right after committing.
  await inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
    if (!(await claimRequestKey(trx, requestKey(actor, idempotencyKey, `circular-answer:${circularId}`)))) return;
    await saveAnswer(trx, { circularId, householdId, personId: actor.personId, answer: given });
  });
  // Answering means it was read.
  await acknowledge(ctx, { circularId, householdId, personId: actor.personId, channel: 'app' });
  ctx.realtime.emit([rooms.officers(circular.association_id), rooms.block(recipient.block_id)], 'circular:answered', { circularId, householdId, blockId: recipient.block_id });
  return getCircular(ctx, actor, circularId);
}
