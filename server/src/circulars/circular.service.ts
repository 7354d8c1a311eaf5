import { inTransaction } from '../platform/db/transaction.js';
import { requireRole, type Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import type { circularInputSchema, CircularDetail } from '../contracts/circulars.js';
import { audit } from '../common/audit.repository.js';
import { plainText, renderMarkdown } from './markdown.js';
import { blocksOf } from '../common/association.repository.js';
import { deleteCircular, findCircular, insertCircular, updateCircular, type CircularRow } from './circular.repository.js';
import { closeCircularTasks } from '../tasks/task.repository.js';
import { circularPolicy } from './circular.policy.js';
import { officerCircular, type CircularContext } from './circular-access.service.js';
import { getCircular } from './circular-view.service.js';
import { emitToRecipients, publishNow } from './delivery.service.js';
import type { z } from 'zod';
import { assertCurrentServices } from '../referrals/help-links.service.js';

/**
 * Circulars (電子回覧板) as their officers write them: compose, edit, publish, correct, withdraw.
 * The other services of the capability are re-exported here, so that the routes and the
 * module see one service.
 */
export type { CircularContext } from './circular-access.service.js';
export { getCircular, listCirculars } from './circular-view.service.js';
export { publishNow, deliver, remind, markOverdue } from './delivery.service.js';
export { acknowledge, acknowledgeAsMember, answer } from './acknowledgement.service.js';
export { progress, unread, recordPaperSignoffs, printSheet } from './progress.service.js';
export { ATTACHMENT_LIMIT, addAttachment, removeAttachment, getAttachment } from './attachment.service.js';

type Input = z.output<typeof circularInputSchema>;

function contentColumns(input: Partial<Input>) {
  const html = input.bodyMarkdown !== undefined ? renderMarkdown(input.bodyMarkdown) : undefined;
  return {
    ...(input.title !== undefined && { title: input.title }),
    ...(input.bodyMarkdown !== undefined && { body_markdown: input.bodyMarkdown, body_html: html!, plain_text: plainText(html!) }),
    ...(input.category !== undefined && { category: input.category }),
    ...(input.targetBlockIds !== undefined && { target_block_ids: input.targetBlockIds }),
    ...(input.publishAt !== undefined && { publish_at: input.publishAt ? new Date(input.publishAt) : null }),
    ...(input.dueAt !== undefined && { due_at: input.dueAt ? new Date(input.dueAt) : null }),
    ...(input.question !== undefined && { question: input.question ? JSON.stringify(input.question) : null }),
    ...(input.easyJapanese !== undefined && { easy_japanese: input.easyJapanese ? JSON.stringify(input.easyJapanese) : null }),
    ...(input.english !== undefined && { english: input.english ? JSON.stringify(input.english) : null }),
    ...(input.reminderHoursBeforeDue !== undefined && { reminder_hours: input.reminderHoursBeforeDue }),
    ...(input.helpServiceIds !== undefined && { help_service_ids: [...new Set(input.helpServiceIds)] }),
    ...(input.helpWorries !== undefined && { help_worries: [...new Set(input.helpWorries)] }),
  };
}

async function assertBlocks(ctx: CircularContext, actor: Actor, blockIds: string[] | null | undefined) {
  if (!blockIds?.length) return;
  const found = await blocksOf(ctx.db, actor.associationId, blockIds);
  if (found.length !== new Set(blockIds).size) throw HttpError.badRequest('Every target 班 must be a 班 of this association.', 'targetBlockIds');
}

export async function createDraft(ctx: CircularContext, actor: Actor, input: Input): Promise<CircularDetail> {
  requireRole(circularPolicy.canCompose(actor));
  await assertBlocks(ctx, actor, input.targetBlockIds);
  await assertCurrentServices(ctx.db, actor.associationId, input.helpServiceIds, 'helpServiceIds');
  const created = await insertCircular(ctx.db, { association_id: actor.associationId, created_by: actor.personId, title: input.title, category: input.category, ...contentColumns(input) });
  return getCircular(ctx, actor, created.id);
}

export async function updateDraft(ctx: CircularContext, actor: Actor, id: string, input: Partial<Input>): Promise<CircularDetail> {
  const circular = await officerCircular(ctx, actor, id);
  if (circular.status !== 'draft' && circular.status !== 'scheduled') {
    throw new HttpError(409, 'circular_state', 'A published circular cannot be edited; publish a correction instead.');
  }
  await assertBlocks(ctx, actor, input.targetBlockIds);
  await assertCurrentServices(ctx.db, actor.associationId, input.helpServiceIds ?? [], 'helpServiceIds');
  if (circular.status === 'scheduled') {
    // Validate the circular as the edit would leave it before writing anything, so a refused
    // edit changes nothing (the check inside the transaction below stays as the last word).
    validateForPublish({
      ...circular,
      ...(input.publishAt !== undefined && { publish_at: input.publishAt ? new Date(input.publishAt) : null }),
      ...(input.dueAt !== undefined && { due_at: input.dueAt ? new Date(input.dueAt) : null }),
      ...(input.english !== undefined && { english: input.english }),
    });
  }
  await inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
    await updateCircular(trx, id, contentColumns(input));
    if (circular.status === 'scheduled') {
      // A rescheduled circular: the job already queued checks the time again when it fires
      // (and does nothing if it is early), so the job for the new time is written with the
      // new time, in the same transaction: a crash cannot leave a circular that never publishes.
      const updated = (await findCircular(trx, id))!;
      validateForPublish(updated);
      if (updated.publish_at && updated.publish_at.getTime() !== circular.publish_at?.getTime()) {
        await ctx.jobs.send(trx, 'circular-publish', { circularId: id }, { startAfter: updated.publish_at });
      }
    }
  });
  return getCircular(ctx, actor, id);
}

export async function deleteDraft(ctx: CircularContext, actor: Actor, id: string) {
  const circular = await officerCircular(ctx, actor, id);
  if (circular.status !== 'draft') throw new HttpError(409, 'circular_state', 'Only a draft can be deleted; withdraw a published circular instead.');
  await deleteCircular(ctx.db, id);
}

function validateForPublish(circular: Pick<CircularRow, 'due_at' | 'publish_at' | 'english'>) {
  const now = Date.now();
  if (circular.due_at && circular.due_at.getTime() <= now) throw new HttpError(400, 'due_in_past', 'The due date is in the past.', 'dueAt');
  if (circular.due_at && circular.publish_at && circular.due_at <= circular.publish_at) {
    throw new HttpError(400, 'due_before_publish', 'The due date must come after the publish time.', 'dueAt');
  }
  if (circular.english && !circular.english.title) throw HttpError.badRequest('The English version needs a title.', 'english.title');
}

/** Publishes now, or schedules a durable job for the publish time. */
export async function publish(ctx: CircularContext, actor: Actor, id: string): Promise<CircularDetail> {
  const circular = await officerCircular(ctx, actor, id);
  if (circular.status !== 'draft') throw new HttpError(409, 'circular_state', `This circular is already ${circular.status}.`);
  validateForPublish(circular);
  if (circular.publish_at && circular.publish_at.getTime() > Date.now()) {
    await inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
      await updateCircular(trx, id, { status: 'scheduled' });
      await ctx.jobs.send(trx, 'circular-publish', { circularId: id }, { startAfter: circular.publish_at! });
      await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.scheduled', subject: id });
    });
  } else {
    await publishNow(ctx, id);
    await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.published', subject: id });
  }
  return getCircular(ctx, actor, id);
}

export async function correct(ctx: CircularContext, actor: Actor, id: string, input: { title?: string; bodyMarkdown?: string; note: string }) {
  const circular = await officerCircular(ctx, actor, id);
  if (circular.status !== 'published') throw new HttpError(409, 'circular_state', 'Only a published circular can be corrected.');
  await updateCircular(ctx.db, id, { ...contentColumns(input), correction_note: input.note, corrected_at: new Date() });
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.corrected', subject: id, detail: { note: input.note } });
  await emitToRecipients(ctx, id, circular.association_id, 'circular:updated', { circularId: id, status: 'published', corrected: true });
  return getCircular(ctx, actor, id);
}

export async function withdraw(ctx: CircularContext, actor: Actor, id: string, reason: string) {
  const circular = await officerCircular(ctx, actor, id);
  if (circular.status === 'withdrawn') throw new HttpError(409, 'circular_state', 'This circular is already withdrawn.');
  if (circular.status === 'draft') throw new HttpError(409, 'circular_state', 'A draft is deleted, not withdrawn.');
  const scheduled = circular.status === 'scheduled';
  await updateCircular(ctx.db, id, { status: scheduled ? 'draft' : 'withdrawn', withdrawal_reason: reason, withdrawn_at: scheduled ? null : new Date() });
  // Its open captain tasks have no reason to be chased any more.
  await closeCircularTasks(ctx.db, id, '回覧が取り下げられました');
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.withdrawn', subject: id, detail: { reason } });
  if (circular.status === 'published') {
    await emitToRecipients(ctx, id, circular.association_id, 'circular:updated', { circularId: id, status: 'withdrawn', corrected: circular.corrected_at !== null });
  }
  return getCircular(ctx, actor, id);
}
