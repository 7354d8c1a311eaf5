import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { fanOutPages } from '../platform/jobs/fan-out.js';
import { stableJobId } from '../platform/jobs/jobs.js';
import { fileTypeFromBuffer } from 'file-type';
import type { Db } from '../platform/db/database.js';
import type { ServiceContext } from '../common/service-context.js';
import { HttpError } from '../platform/http/errors.js';
import { claimRequestKey, requestKey } from '../platform/http/idempotency.js';
import { policy, requireRole, requireVisible, type Actor } from '../common/access.js';
import { rooms } from '../contracts/socket.js';
import {
  circularInputSchema,
  type Answer,
  type CircularDetail,
  type CircularSummary,
  type Progress,
  type Question,
} from '../contracts/circulars.js';
import type { Channel, Language } from '../platform/db/schema.js';
import { topics, type Speak } from '../../../devices/src/protocol.js';
import { plainText, renderMarkdown } from './markdown.js';
import { findCircular, insertRecipients, progressCounts, recipientOf, type CircularRow } from './circular.repository.js';
import { membersOf } from '../common/people.repository.js';
import { audit } from '../common/audit.repository.js';
import { z } from 'zod';

export type CircularContext = ServiceContext;

type Input = z.output<typeof circularInputSchema>;
type Version = { title: string; bodyMarkdown: string } | null;

const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'image/gif'];
export const ATTACHMENT_LIMIT = '10mb';

const iso = (d: Date | null) => d?.toISOString() ?? null;

// ── Visibility ────────────────────────────────────────────────────────────────────────

/** Officers see every circular of their association; others only what reached their household or 班. */
async function visibleCircular(ctx: CircularContext, actor: Actor, id: string): Promise<CircularRow> {
  const circular = await findCircular(ctx.db, id);
  const sameAssociation = !!circular && circular.association_id === actor.associationId;
  if (sameAssociation && actor.officer) return circular;
  if (!sameAssociation || circular.status === 'draft' || circular.status === 'scheduled') throw HttpError.notFound('circular');
  const reach = await ctx.db
    .selectFrom('circular_recipients')
    .select('household_id')
    .where('circular_id', '=', id)
    .where((eb) =>
      eb.or([
        eb('household_id', '=', actor.householdId ?? '00000000-0000-0000-0000-000000000000'),
        ...(actor.captainOf.length ? [eb('block_id', 'in', actor.captainOf)] : []),
        ...(actor.watcherOf.length ? [eb('household_id', 'in', actor.watcherOf)] : []),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  requireVisible(!!reach, 'circular');
  return circular;
}

function requireOfficerCircular(actor: Actor, circular: CircularRow | undefined): CircularRow {
  requireRole(policy.canManageRoster(actor, actor.associationId), 'officers');
  requireVisible(!!circular && circular.association_id === actor.associationId, 'circular');
  return circular!;
}

const progressScope = (actor: Actor) => policy.followUpBlocks(actor, 'see who has read a circular');

// ── Views ─────────────────────────────────────────────────────────────────────────────

function summary(circular: CircularRow, extra: { acknowledgedAt?: Date | null; progress?: { total: number; acknowledged: number } | null }): CircularSummary {
  return {
    id: circular.id,
    status: circular.status,
    category: circular.category as CircularSummary['category'],
    title: circular.title,
    publishedAt: iso(circular.published_at),
    publishAt: iso(circular.publish_at),
    dueAt: iso(circular.due_at),
    corrected: circular.corrected_at !== null,
    hasQuestion: circular.question !== null,
    acknowledgedAt: iso(extra.acknowledgedAt ?? null),
    progress: extra.progress ?? null,
  };
}

async function languageOf(db: Db, personId: string): Promise<Language> {
  const person = await db.selectFrom('people').select('preferred_language').where('id', '=', personId).executeTakeFirst();
  return person?.preferred_language ?? 'ja';
}

function displayVersion(circular: CircularRow, language: Language): CircularDetail['display'] {
  const version = (language === 'en' ? circular.english : language === 'ja-easy' ? circular.easy_japanese : null) as Version;
  if (version) return { language, title: version.title, bodyHtml: renderMarkdown(version.bodyMarkdown) };
  return { language: 'ja', title: circular.title, bodyHtml: circular.body_html };
}

export async function getCircular(ctx: CircularContext, actor: Actor, id: string): Promise<CircularDetail> {
  const circular = await visibleCircular(ctx, actor, id);
  const [language, attachments, recipient, counts] = await Promise.all([
    languageOf(ctx.db, actor.personId),
    ctx.db.selectFrom('circular_attachments').select(['id', 'filename', 'content_type', 'size']).where('circular_id', '=', id).orderBy('created_at').execute(),
    actor.householdId ? recipientOf(ctx.db, id, actor.householdId) : undefined,
    actor.officer ? progressCounts(ctx.db, [id]) : undefined,
  ]);
  if (actor.personId && recipient) {
    // Opening a circular counts as this member having read it (per-member read state).
    await ctx.db.insertInto('circular_reads').values({ circular_id: id, person_id: actor.personId }).onConflict((oc) => oc.doNothing()).execute();
  }
  return {
    ...summary(circular, { acknowledgedAt: recipient?.acknowledged_at, progress: counts?.get(id) ?? (actor.officer ? { total: 0, acknowledged: 0 } : null) }),
    display: displayVersion(circular, language),
    bodyMarkdown: circular.body_markdown,
    easyJapanese: circular.easy_japanese as Version,
    english: circular.english as Version,
    targetBlockIds: circular.target_block_ids,
    question: circular.question as Question | null,
    reminderHoursBeforeDue: circular.reminder_hours,
    correction: circular.corrected_at ? { note: circular.correction_note ?? '', at: circular.corrected_at.toISOString() } : null,
    withdrawal: circular.withdrawn_at ? { reason: circular.withdrawal_reason ?? '', at: circular.withdrawn_at.toISOString() } : null,
    attachments: attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.content_type, size: a.size, url: `/api/circulars/${id}/attachments/${a.id}` })),
    household: recipient
      ? {
          id: recipient.household_id,
          acknowledgedAt: iso(recipient.acknowledged_at),
          acknowledgedChannel: recipient.acknowledged_channel,
          answer: recipient.answer as Answer | null,
          canAnswer: circular.question !== null && circular.status === 'published' && (!circular.due_at || circular.due_at > new Date()),
        }
      : null,
  };
}

export async function listCirculars(ctx: CircularContext, actor: Actor, query: { q?: string; status?: string; limit: number; offset: number }) {
  const search = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  let base = ctx.db
    .selectFrom('circulars')
    .where('circulars.association_id', '=', actor.associationId)
    .$if(!!search, (q) => q.where(sql<string>`circulars.title || ' ' || circulars.plain_text`, 'ilike', search!))
    .$if(!!query.status, (q) => q.where('circulars.status', '=', query.status as CircularRow['status']));
  if (!actor.officer) {
    const households = [actor.householdId, ...actor.watcherOf].filter((h): h is string => !!h);
    base = base.where('circulars.status', 'in', ['published', 'withdrawn']).where((eb) =>
      eb.exists(
        eb
          .selectFrom('circular_recipients as r')
          .select(sql`1`.as('one'))
          .whereRef('r.circular_id', '=', 'circulars.id')
          .where((w) =>
            w.or([
              ...(households.length ? [w('r.household_id', 'in', households)] : []),
              ...(actor.captainOf.length ? [w('r.block_id', 'in', actor.captainOf)] : []),
              w.val(false),
            ]),
          ),
      ),
    );
  }
  const [rows, total] = await Promise.all([
    base.selectAll('circulars').orderBy(sql`coalesce(circulars.published_at, circulars.publish_at, circulars.created_at)`, 'desc').limit(query.limit).offset(query.offset).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const ids = rows.map((r) => r.id);
  const [counts, acks] = await Promise.all([
    actor.officer ? progressCounts(ctx.db, ids) : progressCounts(ctx.db, actor.captainOf.length ? ids : [], actor.captainOf),
    actor.householdId && ids.length
      ? ctx.db.selectFrom('circular_recipients').select(['circular_id', 'acknowledged_at']).where('household_id', '=', actor.householdId).where('circular_id', 'in', ids).execute()
      : [],
  ]);
  const ackOf = new Map(acks.map((a) => [a.circular_id, a.acknowledged_at]));
  const items = rows.map((r) => summary(r, { acknowledgedAt: ackOf.get(r.id) ?? null, progress: counts.get(r.id) ?? (actor.officer ? { total: 0, acknowledged: 0 } : null) }));
  // A household sees what it has not read yet first.
  if (!actor.officer) items.sort((a, b) => Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null));
  return { items, total: total.n };
}

// ── Compose ───────────────────────────────────────────────────────────────────────────

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
  };
}

async function assertBlocks(ctx: CircularContext, actor: Actor, blockIds: string[] | null | undefined) {
  if (!blockIds?.length) return;
  const found = await ctx.db.selectFrom('blocks').select('id').where('association_id', '=', actor.associationId).where('id', 'in', blockIds).execute();
  if (found.length !== new Set(blockIds).size) throw HttpError.badRequest('Every target 班 must be a 班 of this association.', 'targetBlockIds');
}

export async function createDraft(ctx: CircularContext, actor: Actor, input: Input): Promise<CircularDetail> {
  requireRole(policy.canManageRoster(actor, actor.associationId));
  await assertBlocks(ctx, actor, input.targetBlockIds);
  const created = await ctx.db
    .insertInto('circulars')
    .values({ association_id: actor.associationId, created_by: actor.personId, title: input.title, category: input.category, ...contentColumns(input) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return getCircular(ctx, actor, created.id);
}

export async function updateDraft(ctx: CircularContext, actor: Actor, id: string, input: Partial<Input>): Promise<CircularDetail> {
  const circular = requireOfficerCircular(actor, await findCircular(ctx.db, id));
  if (circular.status !== 'draft' && circular.status !== 'scheduled') {
    throw HttpError.conflict('A published circular cannot be edited; publish a correction instead.');
  }
  await assertBlocks(ctx, actor, input.targetBlockIds);
  if (circular.status === 'scheduled') {
    // Validate the circular as the edit would leave it before writing anything, so a refused
    // edit changes nothing (the check inside the transaction below stays as the last word).
    validateForPublish({
      ...circular,
      ...(input.publishAt !== undefined && { publish_at: input.publishAt ? new Date(input.publishAt) : null }),
      ...(input.dueAt !== undefined && { due_at: input.dueAt ? new Date(input.dueAt) : null }),
      ...(input.english !== undefined && { english: input.english }),
    } as CircularRow);
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('circulars').set({ ...contentColumns(input), updated_at: new Date() }).where('id', '=', id).execute();
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
  const circular = requireOfficerCircular(actor, await findCircular(ctx.db, id));
  if (circular.status !== 'draft') throw HttpError.conflict('Only a draft can be deleted; withdraw a published circular instead.');
  await ctx.db.deleteFrom('circulars').where('id', '=', id).execute();
}

function validateForPublish(circular: CircularRow) {
  const now = Date.now();
  if (circular.due_at && circular.due_at.getTime() <= now) throw HttpError.badRequest('The due date is in the past.', 'dueAt');
  if (circular.due_at && circular.publish_at && circular.due_at <= circular.publish_at) {
    throw HttpError.badRequest('The due date must come after the publish time.', 'dueAt');
  }
  if (circular.english && !(circular.english as Version)?.title) throw HttpError.badRequest('The English version needs a title.', 'english.title');
}

/** Publishes now, or schedules a durable job for the publish time. */
export async function publish(ctx: CircularContext, actor: Actor, id: string): Promise<CircularDetail> {
  const circular = requireOfficerCircular(actor, await findCircular(ctx.db, id));
  if (circular.status !== 'draft') throw HttpError.conflict(`This circular is already ${circular.status}.`);
  validateForPublish(circular);
  if (circular.publish_at && circular.publish_at.getTime() > Date.now()) {
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('circulars').set({ status: 'scheduled', updated_at: new Date() }).where('id', '=', id).execute();
      await ctx.jobs.send(trx, 'circular-publish', { circularId: id }, { startAfter: circular.publish_at! });
      await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.scheduled', subject: id });
    });
  } else {
    await publishNow(ctx, id);
    await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.published', subject: id });
  }
  return getCircular(ctx, actor, id);
}

/**
 * The moment of publishing, from the officer's button or the scheduled job: idempotent (a
 * second run finds it published and does nothing), so a retried or duplicated job cannot
 * publish twice. Recipients, delivery, reminders and the overdue step are written in the
 * same transaction, so none exists without the others.
 */
export async function publishNow(ctx: CircularContext, id: string): Promise<boolean> {
  const published = await ctx.db.transaction().execute(async (trx) => {
    const circular = await trx
      .updateTable('circulars')
      .set({ status: 'published', published_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .where('status', 'in', ['draft', 'scheduled'])
      .where((eb) => eb.or([eb('publish_at', 'is', null), eb('publish_at', '<=', sql<Date>`now() + interval '1 second'`)]))
      .returningAll()
      .executeTakeFirst();
    if (!circular) return undefined;
    await insertRecipients(trx, circular);
    await ctx.jobs.send(trx, 'circular-deliver', { circularId: id }, { singletonKey: `deliver:${id}` });
    if (circular.due_at) {
      for (const hours of circular.reminder_hours) {
        const at = new Date(circular.due_at.getTime() - hours * 3600_000);
        if (at.getTime() > Date.now()) await ctx.jobs.send(trx, 'circular-reminder', { circularId: id, hours }, { startAfter: at, singletonKey: `remind:${id}:${hours}` });
      }
      await ctx.jobs.send(trx, 'circular-overdue', { circularId: id }, { startAfter: circular.due_at, singletonKey: `overdue:${id}` });
    }
    return circular;
  });
  if (!published) {
    ctx.log.info({ circularId: id }, 'circular publish skipped: already published, withdrawn, or rescheduled later');
    return false;
  }
  // Live to every connected member in scope now; push and speakers follow in the delivery job.
  const recipients = await ctx.db.selectFrom('circular_recipients').select(['household_id', 'block_id']).where('circular_id', '=', id).execute();
  ctx.realtime.emit(
    [
      ...recipients.map((r) => rooms.household(r.household_id)),
      ...new Set(recipients.map((r) => rooms.block(r.block_id))),
      rooms.officers(published.association_id),
    ],
    'circular:published',
    { circularId: id, title: published.title, category: published.category, dueAt: iso(published.due_at) },
  );
  return true;
}

/**
 * Push to members' browsers and read aloud on speakers: the slow, external part of
 * publishing, in durable pieces (infra/fan-out.ts): this job reaches the recipients after
 * `after` for a few seconds' worth of pages, then hands the rest on to the same queue.
 */
export async function deliver(ctx: CircularContext, circularId: string, kind: 'circular' | 'reminder' = 'circular', piece: { after?: string | null; hours?: number } = {}) {
  const circular = await findCircular(ctx.db, circularId);
  if (!circular || circular.status !== 'published') {
    ctx.log.info({ circularId, kind }, 'circular delivery skipped: not published (withdrawn or gone)');
    return { pushed: 0, spoken: 0 };
  }
  const unreadOnly = kind === 'reminder';
  const prefix = kind === 'reminder' ? '【まだ読まれていません】' : '';
  const speak: Speak = {
    id: circularId,
    kind,
    title: circular.title,
    text: `${kind === 'reminder' ? '回覧板のお知らせです。まだ確認されていない回覧があります。' : '回覧板のお知らせです。'}${circular.title}。${circular.plain_text}`.slice(0, 2000),
    priority: circular.category === 'disaster' ? 'high' : 'normal',
    acknowledgeable: true,
  };
  const result = { pushed: 0, spoken: 0 };
  await fanOutPages({
    after: piece.after ?? null,
    page: async (from, limit) =>
      (
        await ctx.db.selectFrom('circular_recipients').select('household_id').where('circular_id', '=', circularId)
          .$if(unreadOnly, (q) => q.where('acknowledged_at', 'is', null))
          .$if(from !== null, (q) => q.where('household_id', '>', from!)).orderBy('household_id').limit(limit).execute()
      ).map((r) => r.household_id),
    send: async (households) => {
      const [people, devices] = await Promise.all([
        ctx.db.selectFrom('people').select('id').where('household_id', 'in', households).where('password_hash', 'is not', null).execute(),
        ctx.db
          .selectFrom('devices')
          .innerJoin('households', 'households.id', 'devices.household_id')
          .select(['devices.id', 'devices.association_id'])
          .where('devices.household_id', 'in', households)
          .where('devices.revoked_at', 'is', null)
          .where(sql<boolean>`'speaker' = any(households.channels)`)
          .execute(),
      ]);
      const pushed = await ctx.push.sendToPeople(
        people.map((p) => p.id),
        { title: `${prefix}${circular.title}`, body: circular.plain_text.slice(0, 120), url: `${ctx.publicUrl}/circulars/${circularId}` },
      );
      result.pushed += pushed.sent;
      for (let i = 0; i < devices.length; i += 50) {
        await Promise.all(devices.slice(i, i + 50).map((d) => ctx.mqtt.publish(topics.downlink(d.association_id, d.id, 'speak'), speak)));
      }
      result.spoken += devices.length;
      if (unreadOnly) {
        await ctx.db.updateTable('circular_recipients').set((eb) => ({ reminders_sent: eb('reminders_sent', '+', 1) })).where('circular_id', '=', circularId).where('household_id', 'in', households).where('acknowledged_at', 'is', null).execute();
      }
    },
    carryOn: (from) =>
      kind === 'reminder'
        ? ctx.jobs.sendDetached('continuation', 'circular-reminder', { circularId, hours: piece.hours, after: from }, { id: stableJobId('circular-reminder', circularId, String(piece.hours ?? ''), from) })
        : ctx.jobs.sendDetached('continuation', 'circular-deliver', { circularId, after: from }, { id: stableJobId('circular-deliver', circularId, from) }),
  });
  return result;
}

/** The reminder before the due date: the same delivery, to the unread only, each counted. */
export async function remind(ctx: CircularContext, circularId: string, piece: { after?: string | null; hours?: number } = {}) {
  return deliver(ctx, circularId, 'reminder', piece);
}

/** At the due date, every household that has not read it becomes a task for its 班長. */
export async function markOverdue(ctx: CircularContext, circularId: string) {
  const circular = await findCircular(ctx.db, circularId);
  if (!circular || circular.status !== 'published') {
    ctx.log.info({ circularId }, 'circular overdue step skipped: not published (withdrawn or gone)');
    return 0;
  }
  const created = await ctx.db
    .insertInto('captain_tasks')
    .columns(['association_id', 'block_id', 'household_id', 'kind', 'circular_id'])
    .expression((eb) =>
      eb
        .selectFrom('circular_recipients')
        .select(['association_id', 'block_id', 'household_id', eb.val('circular_unread').as('kind'), 'circular_id'])
        .where('circular_id', '=', circularId)
        .where('acknowledged_at', 'is', null),
    )
    .onConflict((oc) => oc.columns(['kind', 'circular_id', 'household_id']).doNothing())
    .returning(['id', 'block_id'])
    .execute();
  for (const task of created) ctx.realtime.emit([rooms.block(task.block_id), rooms.officers(circular.association_id)], 'task:created', { taskId: task.id, kind: 'circular_unread', blockId: task.block_id });
  return created.length;
}

export async function correct(ctx: CircularContext, actor: Actor, id: string, input: { title?: string; bodyMarkdown?: string; note: string }) {
  const circular = requireOfficerCircular(actor, await findCircular(ctx.db, id));
  if (circular.status !== 'published') throw HttpError.conflict('Only a published circular can be corrected.');
  await ctx.db
    .updateTable('circulars')
    .set({ ...contentColumns(input), correction_note: input.note, corrected_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.corrected', subject: id, detail: { note: input.note } });
  await emitUpdated(ctx, circular, 'published', true);
  return getCircular(ctx, actor, id);
}

export async function withdraw(ctx: CircularContext, actor: Actor, id: string, reason: string) {
  const circular = requireOfficerCircular(actor, await findCircular(ctx.db, id));
  if (circular.status === 'withdrawn') throw HttpError.conflict('This circular is already withdrawn.');
  if (circular.status === 'draft') throw HttpError.conflict('A draft is deleted, not withdrawn.');
  await ctx.db
    .updateTable('circulars')
    .set({ status: circular.status === 'scheduled' ? 'draft' : 'withdrawn', withdrawal_reason: reason, withdrawn_at: circular.status === 'scheduled' ? null : new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
  // Its open captain tasks have no reason to be chased any more.
  await ctx.db.updateTable('captain_tasks').set({ status: 'done', note: '回覧が取り下げられました', resolved_at: new Date() }).where('circular_id', '=', id).where('status', '=', 'open').execute();
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'circular.withdrawn', subject: id, detail: { reason } });
  if (circular.status === 'published') await emitUpdated(ctx, circular, 'withdrawn', circular.corrected_at !== null);
  return getCircular(ctx, actor, id);
}

async function emitUpdated(ctx: CircularContext, circular: CircularRow, status: 'published' | 'withdrawn', corrected: boolean) {
  const recipients = await ctx.db.selectFrom('circular_recipients').select(['household_id', 'block_id']).where('circular_id', '=', circular.id).execute();
  ctx.realtime.emit(
    [...recipients.map((r) => rooms.household(r.household_id)), ...new Set(recipients.map((r) => rooms.block(r.block_id))), rooms.officers(circular.association_id)],
    'circular:updated',
    { circularId: circular.id, status, corrected },
  );
}

// ── Attachments ───────────────────────────────────────────────────────────────────────

export async function addAttachment(ctx: CircularContext, actor: Actor, id: string, filename: string, content: Buffer) {
  const circular = requireOfficerCircular(actor, await findCircular(ctx.db, id));
  if (circular.status !== 'draft' && circular.status !== 'scheduled') throw HttpError.conflict('Attachments can be changed only before publishing.');
  if (!content.length) throw HttpError.badRequest('The file is empty.', 'body');
  // The type comes from the bytes, not from the name or the header the browser sent.
  const detected = await fileTypeFromBuffer(content);
  if (!detected || !ATTACHMENT_TYPES.includes(detected.mime)) {
    throw HttpError.badRequest(`The file is ${detected ? `a ${detected.mime} file` : 'of an unknown type'}; attach a PDF or an image (PNG, JPEG, WebP, GIF).`, 'body');
  }
  const safeName = filename.replace(/[\\/\u0000-\u001f"]/g, '_');
  const attachment = await ctx.db
    .insertInto('circular_attachments')
    .values({
      circular_id: id, association_id: actor.associationId, filename: safeName, content_type: detected.mime, size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'), content,
    })
    .returning(['id', 'filename', 'content_type', 'size'])
    .executeTakeFirstOrThrow();
  return { id: attachment.id, filename: attachment.filename, contentType: attachment.content_type, size: attachment.size, url: `/api/circulars/${id}/attachments/${attachment.id}` };
}

export async function removeAttachment(ctx: CircularContext, actor: Actor, id: string, attachmentId: string) {
  const circular = requireOfficerCircular(actor, await findCircular(ctx.db, id));
  if (circular.status !== 'draft' && circular.status !== 'scheduled') throw HttpError.conflict('Attachments can be changed only before publishing.');
  const deleted = await ctx.db.deleteFrom('circular_attachments').where('id', '=', attachmentId).where('circular_id', '=', id).executeTakeFirst();
  requireVisible(Number(deleted.numDeletedRows) > 0, 'attachment');
}

export async function getAttachment(ctx: CircularContext, actor: Actor, id: string, attachmentId: string) {
  await visibleCircular(ctx, actor, id);
  const attachment = await ctx.db.selectFrom('circular_attachments').select(['filename', 'content_type', 'content', 'sha256']).where('id', '=', attachmentId).where('circular_id', '=', id).executeTakeFirst();
  requireVisible(!!attachment, 'attachment');
  return attachment!;
}

// ── Acknowledgements and answers ──────────────────────────────────────────────────────

/**
 * Records a household's acknowledgement (既読). The first one wins: its time, who and the
 * channel stay; acknowledging again changes nothing. An open captain task for it closes.
 */
export async function acknowledge(ctx: CircularContext, input: { circularId: string; householdId: string; personId: string | null; channel: Channel }) {
  const circular = await findCircular(ctx.db, input.circularId);
  if (!circular || circular.status === 'draft' || circular.status === 'scheduled') throw HttpError.notFound('circular');
  const first = await ctx.db
    .updateTable('circular_recipients')
    .set({ acknowledged_at: new Date(), acknowledged_by: input.personId, acknowledged_channel: input.channel })
    .where('circular_id', '=', input.circularId)
    .where('household_id', '=', input.householdId)
    .where('acknowledged_at', 'is', null)
    .returning(['acknowledged_at', 'acknowledged_channel', 'block_id', 'association_id'])
    .executeTakeFirst();
  // Not addressed to this household: refused before anything is recorded as read.
  const existing = first ? undefined : await recipientOf(ctx.db, input.circularId, input.householdId);
  requireVisible(!!first || !!existing, 'circular');
  if (input.personId) {
    await ctx.db.insertInto('circular_reads').values({ circular_id: input.circularId, person_id: input.personId }).onConflict((oc) => oc.doNothing()).execute();
  }
  if (first) {
    await ctx.db
      .updateTable('captain_tasks')
      .set({ status: 'done', note: `既読 (${input.channel})`, resolved_at: new Date() })
      .where('circular_id', '=', input.circularId)
      .where('household_id', '=', input.householdId)
      .where('status', '=', 'open')
      .execute();
    ctx.realtime.emit([rooms.officers(first.association_id), rooms.block(first.block_id)], 'circular:acknowledged', {
      circularId: input.circularId, householdId: input.householdId, blockId: first.block_id, channel: input.channel, acknowledgedAt: first.acknowledged_at!.toISOString(),
    });
    return { acknowledgedAt: first.acknowledged_at!.toISOString(), channel: input.channel, first: true };
  }
  return { acknowledgedAt: existing!.acknowledged_at!.toISOString(), channel: existing!.acknowledged_channel!, first: false };
}

export async function acknowledgeAsMember(ctx: CircularContext, actor: Actor, circularId: string) {
  if (!actor.householdId) throw HttpError.notFound('circular');
  const circular = await findCircular(ctx.db, circularId);
  // Only a circular addressed to the household: another 班's does not exist for it (not even as "withdrawn").
  const recipient = circular && circular.association_id === actor.associationId ? await recipientOf(ctx.db, circularId, actor.householdId) : undefined;
  requireVisible(!!recipient, 'circular');
  if (circular!.status === 'withdrawn') throw HttpError.conflict('This circular was withdrawn.');
  return acknowledge(ctx, { circularId, householdId: actor.householdId, personId: actor.personId, channel: 'app' });
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

/** Answers (or changes the answer) until the due date; every answer stays in the history. */
export async function answer(ctx: CircularContext, actor: Actor, circularId: string, given: Answer, idempotencyKey?: string) {
  if (!actor.householdId) throw HttpError.notFound('circular');
  const circular = await findCircular(ctx.db, circularId);
  const recipient = circular && circular.association_id === actor.associationId ? await recipientOf(ctx.db, circularId, actor.householdId) : undefined;
  requireVisible(!!recipient && circular!.status !== 'draft', 'circular');
  if (circular!.status === 'withdrawn') throw HttpError.conflict('This circular was withdrawn.');
  if (!circular!.question) throw HttpError.badRequest('This circular has no question.', 'answer');
  if (circular!.due_at && circular!.due_at <= new Date()) throw HttpError.conflict('The due date has passed; the answer can no longer be changed.');
  checkAnswer(circular!.question as Question, given);
  // A retry of the same action (same Idempotency-Key) adds no second history row; what follows
  // the commit runs again, as the first try may have lost the database right after committing.
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await claimRequestKey(trx, requestKey(actor, idempotencyKey, `circular-answer:${circularId}`)))) return;
    await trx.insertInto('circular_answers').values({ circular_id: circularId, household_id: actor.householdId!, person_id: actor.personId, channel: 'app', answer: JSON.stringify(given) }).execute();
    await trx.updateTable('circular_recipients').set({ answer: JSON.stringify(given), answered_at: new Date() }).where('circular_id', '=', circularId).where('household_id', '=', actor.householdId!).execute();
  });
  // Answering means it was read.
  await acknowledge(ctx, { circularId, householdId: actor.householdId, personId: actor.personId, channel: 'app' });
  ctx.realtime.emit([rooms.officers(circular!.association_id), rooms.block(recipient!.block_id)], 'circular:answered', { circularId, householdId: actor.householdId, blockId: recipient!.block_id });
  return getCircular(ctx, actor, circularId);
}

// ── Progress, the unread, paper ───────────────────────────────────────────────────────

export async function progress(ctx: CircularContext, actor: Actor, circularId: string): Promise<Progress> {
  const circular = await findCircular(ctx.db, circularId);
  requireVisible(!!circular && circular.association_id === actor.associationId, 'circular');
  const blocks = progressScope(actor);
  const base = recipientsInScope(ctx.db, circularId, blocks);
  const [byBlock, byChannel, tallies] = await Promise.all([
    base
      .innerJoin('blocks', 'blocks.id', 'circular_recipients.block_id')
      .select([
        'circular_recipients.block_id',
        'blocks.name',
        sql<number>`count(*)::int`.as('total'),
        sql<number>`count(acknowledged_at)::int`.as('acknowledged'),
        sql<number>`count(answered_at)::int`.as('answered'),
      ])
      .groupBy(['circular_recipients.block_id', 'blocks.name', 'blocks.sort_order'])
      .orderBy('blocks.sort_order')
      .execute(),
    base.select(['acknowledged_channel', sql<number>`count(*)::int`.as('n')]).where('acknowledged_channel', 'is not', null).groupBy('acknowledged_channel').execute(),
    circular!.question ? tally(ctx.db, circularId, blocks, circular!.question as Question) : Promise.resolve(null),
  ]);
  if (!actor.officer && byBlock.length === 0) throw HttpError.notFound('circular');
  const channel = (c: Channel) => byChannel.find((r) => r.acknowledged_channel === c)?.n ?? 0;
  return {
    circularId,
    total: byBlock.reduce((n, b) => n + b.total, 0),
    acknowledged: byBlock.reduce((n, b) => n + b.acknowledged, 0),
    answered: byBlock.reduce((n, b) => n + b.answered, 0),
    byChannel: { app: channel('app'), speaker: channel('speaker'), paper: channel('paper') },
    byBlock: byBlock.map((b) => ({ blockId: b.block_id, blockName: b.name, total: b.total, acknowledged: b.acknowledged, answered: b.answered })),
    tallies,
  };
}

function recipientsInScope(db: Db, circularId: string, blocks: string[] | undefined) {
  return db
    .selectFrom('circular_recipients')
    .where('circular_recipients.circular_id', '=', circularId)
    .$if(blocks !== undefined, (q) => q.where('circular_recipients.block_id', 'in', blocks!.length ? blocks! : ['00000000-0000-0000-0000-000000000000']));
}

/** Answer counts per option, computed by PostgreSQL over the current answers. */
async function tally(db: Db, circularId: string, blocks: string[] | undefined, question: Question): Promise<Progress['tallies']> {
  const answered = recipientsInScope(db, circularId, blocks).where('circular_recipients.answer', 'is not', null);
  if (question.type === 'yes_no' || question.type === 'attendance') {
    const key = question.type === 'yes_no' ? 'yes' : 'attending';
    const row = await answered
      .select([
        sql<number>`count(*) filter (where (answer->>${key})::boolean)::int`.as('a'),
        sql<number>`count(*) filter (where not (answer->>${key})::boolean)::int`.as('b'),
        sql<number>`coalesce(sum((answer->>'headcount')::int) filter (where (answer->>${key})::boolean), 0)::int`.as('headcount'),
      ])
      .executeTakeFirst();
    return { counts: [row?.a ?? 0, row?.b ?? 0], headcount: question.type === 'attendance' ? (row?.headcount ?? 0) : null };
  }
  const option = question.type === 'single' ? sql<number>`(answer->>'option')::int` : sql<number>`jsonb_array_elements_text(answer->'options')::int`;
  // A subquery first: a set-returning function (one row per chosen option) cannot be grouped directly.
  const rows = await db
    .selectFrom(answered.select(option.as('option')).as('chosen'))
    .select(['chosen.option', sql<number>`count(*)::int`.as('n')])
    .groupBy('chosen.option')
    .execute();
  return { counts: question.options.map((_, i) => rows.find((r) => r.option === i)?.n ?? 0), headcount: null };
}

export async function unread(ctx: CircularContext, actor: Actor, circularId: string, blockId?: string) {
  const circular = await findCircular(ctx.db, circularId);
  requireVisible(!!circular && circular.association_id === actor.associationId && circular.status !== 'draft', 'circular');
  const blocks = progressScope(actor);
  if (blockId && blocks && !blocks.includes(blockId)) throw HttpError.notFound('班');
  const rows = await ctx.db
    .selectFrom('circular_recipients as r')
    .innerJoin('households as h', 'h.id', 'r.household_id')
    .innerJoin('blocks as b', 'b.id', 'r.block_id')
    .select(['h.id', 'h.household_number', 'h.name', 'h.address', 'h.channels', 'h.responder_notes', 'b.id as block_id', 'b.name as block_name'])
    .where('r.circular_id', '=', circularId)
    .where('r.acknowledged_at', 'is', null)
    .$if(!!blockId, (q) => q.where('r.block_id', '=', blockId!))
    .$if(!!blocks, (q) => q.where('r.block_id', 'in', blocks!))
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .execute();
  const members = await membersOf(ctx.db, rows.map((r) => r.id));
  return {
    items: rows.map((r) => ({
      householdId: r.id, householdNumber: r.household_number, householdName: r.name, address: r.address, blockId: r.block_id, blockName: r.block_name,
      channels: r.channels, responderNotes: r.responder_notes, members: members.get(r.id) ?? [],
    })),
  };
}

/** A 班長 records who signed the paper 回覧板: all of the listed households are theirs, or nothing is recorded. */
export async function recordPaperSignoffs(ctx: CircularContext, actor: Actor, circularId: string, householdIds: string[]) {
  const circular = await findCircular(ctx.db, circularId);
  requireVisible(!!circular && circular.association_id === actor.associationId && circular.status === 'published', 'circular');
  const blocks = progressScope(actor);
  const ids = [...new Set(householdIds)];
  const inScope = await ctx.db
    .selectFrom('circular_recipients')
    .select(['household_id', 'acknowledged_at'])
    .where('circular_id', '=', circularId)
    .where('household_id', 'in', ids)
    .$if(!!blocks, (q) => q.where('block_id', 'in', blocks!))
    .execute();
  if (inScope.length !== ids.length) throw HttpError.notFound('household');
  let recorded = 0;
  for (const row of inScope.filter((r) => !r.acknowledged_at)) {
    const result = await acknowledge(ctx, { circularId, householdId: row.household_id, personId: actor.personId, channel: 'paper' });
    if (result.first) recorded++;
  }
  return { recorded, alreadyAcknowledged: ids.length - recorded };
}

export async function printSheet(ctx: CircularContext, actor: Actor, circularId: string, blockId: string) {
  const circular = await findCircular(ctx.db, circularId);
  requireVisible(!!circular && circular.association_id === actor.associationId && circular.status === 'published', 'circular');
  const blocks = progressScope(actor);
  if (blocks && !blocks.includes(blockId)) throw HttpError.notFound('班');
  const [block, association, households] = await Promise.all([
    ctx.db.selectFrom('blocks').select('name').where('id', '=', blockId).where('association_id', '=', actor.associationId).executeTakeFirst(),
    ctx.db.selectFrom('associations').select('name').where('id', '=', actor.associationId).executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom('circular_recipients as r')
      .innerJoin('households as h', 'h.id', 'r.household_id')
      .select(['h.household_number', 'h.name', 'r.acknowledged_at'])
      .where('r.circular_id', '=', circularId)
      .where('r.block_id', '=', blockId)
      .where(sql<boolean>`'paper' = any(h.channels)`)
      .orderBy('h.household_number')
      .execute(),
  ]);
  requireVisible(!!block, '班');
  return {
    circular: { title: circular!.title, bodyHtml: circular!.body_html, category: circular!.category as CircularSummary['category'], publishedAt: iso(circular!.published_at), dueAt: iso(circular!.due_at), question: circular!.question as Question | null },
    associationName: association.name,
    blockName: block!.name,
    households: households.map((h) => ({ householdNumber: h.household_number, householdName: h.name, acknowledgedAt: iso(h.acknowledged_at) })),
  };
}
