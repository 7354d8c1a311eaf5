import { inTransaction } from '../platform/db/transaction.js';
import { fanOutPages } from '../platform/jobs/fan-out.js';
import { stableJobId } from '../platform/jobs/jobs.js';
import { rooms, type ServerToClientEvents } from '../contracts/socket.js';
import type { Speak } from '../../../devices/src/protocol.js';
import { attachmentsOf, findCircular, markPublished } from './circular.repository.js';
import { spokenText } from './spoken-text.js';
import { countReminder, insertRecipients, needingPaperAmong, recipientPage, recipientsOf } from './recipient.repository.js';
import { insertUnreadCircularTasks } from '../tasks/task.repository.js';
import { blocksWithReachableCaptain, reachableRoleHolders, TIER_ROLES } from '../common/reachability.repository.js';
import type { CircularContext } from './circular-access.service.js';
import { iso } from './circular-view.service.js';

/** Publishing and what follows it: delivery by push and speaker, the reminders, the overdue tasks. */

/** How long after publishing push and speakers start (the socket broadcast goes first). */
const DELIVER_AFTER_MS = 1_000;

/**
 * The moment of publishing, from the officer's button or the scheduled job: idempotent (a
 * second run finds it published and does nothing), so a retried or duplicated job cannot
 * publish twice. Recipients, delivery, reminders and the overdue step are written in the
 * same transaction, so none exists without the others.
 *
 * The live event leaves right after that commit, to the households the INSERT wrote (its
 * RETURNING: nothing is read back first). Not before the commit: a member's page refetches on
 * the event, and must find the circular and its recipient row there.
 */
export async function publishNow(ctx: CircularContext, id: string): Promise<boolean> {
  return inTransaction(ctx.db, ctx.log, async ({ db: trx, afterCommit }) => {
    const circular = await markPublished(trx, id);
    if (!circular) {
      ctx.log.info({ circularId: id }, 'circular publish skipped: already published, withdrawn, or rescheduled later');
      return false;
    }
    const recipients = await insertRecipients(trx, circular);
    // A second later: the live event to every connected screen (after the commit)
    // is a broadcast to the whole town, and push + speaker pages started on this instance
    // during it would slow it down; they follow once it is out.
    await ctx.jobs.send(trx, 'circular-deliver', { circularId: id }, { singletonKey: `deliver:${id}`, startAfter: new Date(Date.now() + DELIVER_AFTER_MS) });
    if (circular.due_at) {
      for (const hours of circular.reminder_hours) {
        const at = new Date(circular.due_at.getTime() - hours * 3600_000);
        if (at.getTime() > Date.now()) await ctx.jobs.send(trx, 'circular-reminder', { circularId: id, hours }, { startAfter: at, singletonKey: `remind:${id}:${hours}` });
      }
      await ctx.jobs.send(trx, 'circular-overdue', { circularId: id }, { startAfter: circular.due_at, singletonKey: `overdue:${id}` });
    }
    // Live to every connected member in scope once committed; push and speakers follow in the delivery job.
    afterCommit(() => ctx.realtime.emit(recipientRooms(recipients, circular.association_id), 'circular:published', { circularId: id, title: circular.title, category: circular.category, dueAt: iso(circular.due_at) }));
    return true;
  });
}

/** The rooms of a circular's recipients: their households, their 班 (its 班長) and the officers. */
function recipientRooms(recipients: { household_id: string; block_id: string }[], associationId: string) {
  return [...recipients.map((r) => rooms.household(r.household_id)), ...new Set(recipients.map((r) => rooms.block(r.block_id))), rooms.officers(associationId)];
}

/** A live event to the circular's households, their 班 and the officers (a correction, a withdrawal). */
export async function emitToRecipients<E extends 'circular:updated'>(
  ctx: CircularContext,
  circularId: string,
  associationId: string,
  event: E,
  ...data: Parameters<ServerToClientEvents[E]>
) {
  ctx.realtime.emit(recipientRooms(await recipientsOf(ctx.db, circularId), associationId), event, ...data);
}

/**
 * Push to members' browsers and read aloud on speakers: the slow, external part of
 * publishing, in durable pieces (platform/jobs/fan-out.ts): this job reaches the recipients after
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
  const attachments = (await attachmentsOf(ctx.db, circularId)).length;
  const speak = (onPaper: boolean): Speak => ({
    id: circularId,
    kind,
    title: circular.title,
    text: spokenText({ kind, title: circular.title, plainText: circular.plain_text, attachments, onPaper }),
    priority: circular.category === 'disaster' ? 'high' : 'normal',
    acknowledgeable: true,
  });
  const push = { title: `${prefix}${circular.title}`, body: circular.plain_text.slice(0, 120), url: `${ctx.publicUrl}/circulars/${circularId}` };
  const result = { pushed: 0, spoken: 0 };
  await fanOutPages({
    after: piece.after ?? null,
    page: (from, limit) => recipientPage(ctx.db, circularId, { after: from, limit, unreadOnly }),
    send: async (households) => {
      // Read aloud only where the household chose the speaker channel; a home on its 班長's
      // print list hears that the paper comes, the others where to see the attachments.
      const onPaper = await needingPaperAmong(ctx.db, households);
      for (const [group, paper] of [[households.filter((h) => onPaper.has(h)), true], [households.filter((h) => !onPaper.has(h)), false]] as const) {
        const sent = await ctx.reach.households(group, { push, speaker: { kind: 'speak', payload: speak(paper) }, speakerChannelOnly: true });
        result.pushed += sent.pushed;
        result.spoken += sent.spoken;
      }
      if (unreadOnly) await countReminder(ctx.db, circularId, households);
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

/**
 * At the due date, every household that has not read it becomes a task for its 班長. The
 * tasks of a 班 whose 班長 cannot be reached (no login, no push) are the officers' to follow:
 * they see every 班's tasks, and are pushed about these.
 */
export async function markOverdue(ctx: CircularContext, circularId: string) {
  const circular = await findCircular(ctx.db, circularId);
  if (!circular || circular.status !== 'published') {
    ctx.log.info({ circularId }, 'circular overdue step skipped: not published (withdrawn or gone)');
    return 0;
  }
  const created = await insertUnreadCircularTasks(ctx.db, circularId);
  for (const task of created) ctx.realtime.emit([rooms.block(task.block_id), rooms.officers(circular.association_id)], 'task:created', { taskId: task.id, kind: 'circular_unread', blockId: task.block_id });
  const blocks = [...new Set(created.map((t) => t.block_id))];
  const reachable = await blocksWithReachableCaptain(ctx.db, circular.association_id, blocks);
  const orphaned = created.filter((t) => !reachable.has(t.block_id)).length;
  if (orphaned > 0) {
    const officers = await reachableRoleHolders(ctx.db, circular.association_id, TIER_ROLES.officers);
    ctx.log.info({ circularId, households: orphaned }, 'circular overdue: tasks of 班 whose 班長 cannot be reached, told to the officers');
    await ctx.reach.people(officers.map((o) => o.person_id), {
      title: `【回覧板】班長に連絡できない班に未読の世帯があります（${orphaned}世帯）`,
      body: `「${circular.title}」: 班長がアプリを使っていない班の未読世帯です。役員の方で確認してください。`,
      url: `${ctx.publicUrl}/tasks`,
    });
  }
  return created.length;
}
