import type { Worry } from '../contracts/directory.js';
import { helpLinks } from '../referrals/help-links.service.js';
import type { Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import type { Progress } from '../contracts/circulars.js';
import type { Channel } from '../roster/roster.tables.js';
import { membersOf } from '../common/people.repository.js';
import { attachmentsOf } from './circular.repository.js';
import { associationName, blockOf } from '../common/association.repository.js';
import { acknowledgementsByChannel, answerTally, paperCopyCounts, paperCopyHouseholds, progressByBlock, recipientsAmong, unreadHouseholds } from './recipient.repository.js';
import { circularPolicy } from './circular.policy.js';
import { ANY_STATUS, followUpCircular, type CircularContext } from './circular-access.service.js';
import { acknowledgeFirstOf } from './acknowledgement.service.js';
import { attachmentView, iso } from './circular-view.service.js';

/** Following up a circular, for officers and 班長 (their 班): the read rate, the unread, the paper 回覧板. */

export async function progress(ctx: CircularContext, actor: Actor, circularId: string): Promise<Progress> {
  const { circular, blocks } = await followUpCircular(ctx, actor, circularId, ANY_STATUS);
  const [byBlock, byChannel, tallies, paperCopies] = await Promise.all([
    progressByBlock(ctx.db, circularId, blocks),
    acknowledgementsByChannel(ctx.db, circularId, blocks),
    circular.question ? answerTally(ctx.db, circularId, blocks, circular.question) : Promise.resolve(null),
    paperCopyCounts(ctx.db, circularId, blocks),
  ]);
  if (!actor.officer && byBlock.length === 0) throw HttpError.notFound('circular');
  const channel = (c: Channel) => byChannel.find((r) => r.acknowledged_channel === c)?.n ?? 0;
  return {
    circularId,
    total: byBlock.reduce((n, b) => n + b.total, 0),
    acknowledged: byBlock.reduce((n, b) => n + b.acknowledged, 0),
    answered: byBlock.reduce((n, b) => n + b.answered, 0),
    byChannel: { app: channel('app'), speaker: channel('speaker'), paper: channel('paper') },
    byBlock: byBlock.map((b) => ({ blockId: b.block_id, blockName: b.name, total: b.total, acknowledged: b.acknowledged, answered: b.answered, paperCopies: paperCopies.find((p) => p.block_id === b.block_id)?.n ?? 0 })),
    tallies,
  };
}

export async function unread(ctx: CircularContext, actor: Actor, circularId: string, blockId?: string) {
  const { blocks } = await followUpCircular(ctx, actor, circularId, ['scheduled', 'published', 'withdrawn']);
  if (blockId && !circularPolicy.followsUpBlock(actor, blockId)) throw HttpError.notFound('班');
  const rows = await unreadHouseholds(ctx.db, circularId, { blockId, blockIds: blocks });
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
  const { blocks } = await followUpCircular(ctx, actor, circularId, ['published']);
  const ids = [...new Set(householdIds)];
  const inScope = await recipientsAmong(ctx.db, circularId, ids, blocks);
  if (inScope.length !== ids.length) throw HttpError.notFound('household');
  const unread = inScope.filter((r) => !r.acknowledged_at).map((r) => r.household_id);
  const recorded = unread.length ? (await acknowledgeFirstOf(ctx, { circularId, householdIds: unread, personId: actor.personId, channel: 'paper' })).length : 0;
  return { recorded, alreadyAcknowledged: ids.length - recorded };
}

export async function printSheet(ctx: CircularContext, actor: Actor, circularId: string, blockId: string) {
  const { circular } = await followUpCircular(ctx, actor, circularId, ['published']);
  if (!circularPolicy.followsUpBlock(actor, blockId)) throw HttpError.notFound('班');
  const [block, association, households, attachments, help] = await Promise.all([
    blockOf(ctx.db, actor.associationId, blockId),
    associationName(ctx.db, actor.associationId),
    paperCopyHouseholds(ctx.db, circularId, [blockId]),
    attachmentsOf(ctx.db, circularId),
    helpLinks(ctx.db, ctx.publicUrl, actor.associationId, circular.help_service_ids, circular.help_worries as Worry[]),
  ]);
  if (!block) throw HttpError.notFound('班');
  return {
    circular: { title: circular.title, bodyHtml: circular.body_html, category: circular.category, publishedAt: iso(circular.published_at), dueAt: iso(circular.due_at), question: circular.question },
    associationName: association,
    blockName: block.name,
    help,
    households: households.map((h) => ({
      householdNumber: h.household_number, householdName: h.name, acknowledgedAt: iso(h.acknowledged_at),
      reasons: [...(h.channels.includes('paper') ? (['paper_channel'] as const) : []), ...(h.in_app ? [] : (['no_app_reader'] as const))],
    })),
    attachments: attachments.map(attachmentView(circularId)),
  };
}
