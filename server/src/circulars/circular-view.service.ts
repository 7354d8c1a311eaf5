import type { Actor } from '../common/access.js';
import type { CircularDetail, CircularSummary } from '../contracts/circulars.js';
import type { CircularStatus } from './circular.tables.js';
import type { Language } from '../roster/roster.tables.js';
import { renderMarkdown } from './markdown.js';
import type { Worry } from '../contracts/directory.js';
import { helpLinks } from '../referrals/help-links.service.js';
import { attachmentsOf, listCircularsPage, preferredLanguage, recordRead, type CircularRow } from './circular.repository.js';
import { progressCounts, readStateOf, recipientOf } from './recipient.repository.js';
import { circularPolicy } from './circular.policy.js';
import { visibleCircular, type CircularContext } from './circular-access.service.js';

/** What a circular looks like to its reader: the list, and one circular in their language with their household's state. */

export const iso = (d: Date | null) => d?.toISOString() ?? null;

function summary(circular: CircularRow, extra: { acknowledgedAt?: Date | null; answeredAt?: Date | null; progress?: { total: number; acknowledged: number } | null; language?: Language }): CircularSummary {
  return {
    id: circular.id,
    status: circular.status,
    category: circular.category,
    title: versionTitle(circular, extra.language ?? 'ja'),
    publishedAt: iso(circular.published_at),
    publishAt: iso(circular.publish_at),
    dueAt: iso(circular.due_at),
    corrected: circular.corrected_at !== null,
    hasQuestion: circular.question !== null,
    acknowledgedAt: iso(extra.acknowledgedAt ?? null),
    answeredAt: iso(extra.answeredAt ?? null),
    progress: extra.progress ?? null,
  };
}

/** The title in the reader's language when the circular has that version (やさしい日本語, English). */
function versionTitle(circular: CircularRow, language: Language): string {
  const version = language === 'en' ? circular.english : language === 'ja-easy' ? circular.easy_japanese : null;
  return version?.title || circular.title;
}
/** An attachment as the web app shows it, with the URL it is downloaded from. */
export const attachmentView = (circularId: string) => (a: { id: string; filename: string; content_type: string; size: number }) => ({
  id: a.id, filename: a.filename, contentType: a.content_type, size: a.size, url: `/api/circulars/${circularId}/attachments/${a.id}`,
});

function displayVersion(circular: CircularRow, language: Language): CircularDetail['display'] {
  const version = language === 'en' ? circular.english : language === 'ja-easy' ? circular.easy_japanese : null;
  if (version) return { language, title: version.title, bodyHtml: renderMarkdown(version.bodyMarkdown) };
  return { language: 'ja', title: circular.title, bodyHtml: circular.body_html };
}

export async function getCircular(ctx: CircularContext, actor: Actor, id: string): Promise<CircularDetail> {
  const circular = await visibleCircular(ctx, actor, id);
  const [language, attachments, recipient, counts, help] = await Promise.all([
    preferredLanguage(ctx.db, actor.personId),
    attachmentsOf(ctx.db, id),
    actor.householdId ? recipientOf(ctx.db, id, actor.householdId) : undefined,
    actor.officer ? progressCounts(ctx.db, [id]) : undefined,
    helpLinks(ctx.db, ctx.publicUrl, circular.association_id, circular.help_service_ids, circular.help_worries as Worry[]),
  ]);
  if (actor.personId && recipient) {
    // Opening a circular counts as this member having read it (per-member read state).
    await recordRead(ctx.db, id, actor.personId);
  }
  return {
    ...summary(circular, { acknowledgedAt: recipient?.acknowledged_at, answeredAt: recipient?.answered_at, progress: counts?.get(id) ?? (actor.officer ? { total: 0, acknowledged: 0 } : null) }),
    display: displayVersion(circular, language),
    bodyMarkdown: circular.body_markdown,
    easyJapanese: circular.easy_japanese,
    english: circular.english,
    targetBlockIds: circular.target_block_ids,
    question: circular.question,
    reminderHoursBeforeDue: circular.reminder_hours,
    correction: circular.corrected_at ? { note: circular.correction_note ?? '', at: circular.corrected_at.toISOString() } : null,
    withdrawal: circular.withdrawn_at ? { reason: circular.withdrawal_reason ?? '', at: circular.withdrawn_at.toISOString() } : null,
    attachments: attachments.map(attachmentView(id)),
    help,
    household: recipient
      ? {
          id: recipient.household_id,
          acknowledgedAt: iso(recipient.acknowledged_at),
          acknowledgedChannel: recipient.acknowledged_channel,
          answer: recipient.answer,
          canAnswer: circular.question !== null && circular.status === 'published' && (!circular.due_at || circular.due_at > new Date()),
        }
      : null,
  };
}

export async function listCirculars(ctx: CircularContext, actor: Actor, query: { q?: string; status?: CircularStatus; limit: number; offset: number }) {
  const { rows, total } = await listCircularsPage(ctx.db, {
    associationId: actor.associationId,
    search: query.q,
    status: query.status,
    readers: circularPolicy.readerScope(actor),
    limit: query.limit,
    offset: query.offset,
  });
  const ids = rows.map((r) => r.id);
  const [counts, acks, language] = await Promise.all([
    progressCounts(ctx.db, ids, circularPolicy.listProgressBlocks(actor)),
    actor.householdId ? readStateOf(ctx.db, actor.householdId, ids) : new Map<string, { acknowledged_at: Date | null; answered_at: Date | null }>(),
    // Officers manage circulars by their original titles; readers see theirs in their language.
    actor.officer ? ('ja' as const) : preferredLanguage(ctx.db, actor.personId),
  ]);
  const items = rows.map((r) => summary(r, { acknowledgedAt: acks.get(r.id)?.acknowledged_at ?? null, answeredAt: acks.get(r.id)?.answered_at ?? null, progress: counts.get(r.id) ?? (actor.officer ? { total: 0, acknowledged: 0 } : null), language }));
  // A household sees what it has not read yet first.
  if (!actor.officer) items.sort((a, b) => Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null));
  return { items, total };
}
