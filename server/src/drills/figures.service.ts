import type { TargetView } from '../contracts/drills.js';
import { membersOf } from '../common/people.repository.js';
import { drillEvents, type DrillRow } from './drill.repository.js';
import { answerTimesFrom, countsPerBlock, countsPerMinute, lastAccountedAt, targetRows, type TargetFilter } from './target.repository.js';
import type { DrillContext } from './summary.service.js';

/**
 * What the dashboard and the report both show: the counts per 班, the answer times, and the
 * households with their members. `blocks` limits each to these 班 (a 班長); undefined is the
 * whole drill.
 */

export async function targetViews(ctx: DrillContext, drillId: string, where: TargetFilter): Promise<TargetView[]> {
  const rows = await targetRows(ctx.db, drillId, where);
  const members = await membersOf(ctx.db, rows.map((r) => r.household_id));
  return rows.map((r) => ({
    householdId: r.household_id, householdNumber: r.household_number, name: r.name, address: r.address, blockId: r.block_id, blockName: r.block_name,
    channels: r.channels, responderNotes: r.responder_notes, members: members.get(r.household_id) ?? [], risk: r.risk,
    status: r.status, where: r.location, answeredAt: r.answered_at?.toISOString() ?? null, channel: r.channel, tier: r.tier,
    takenBy: r.taken_by_name, visitOutcome: r.visit_outcome, note: r.note, skipped: r.skipped,
  }));
}

export async function countsOf(ctx: DrillContext, drillId: string, blocks?: string[], kept?: Awaited<ReturnType<typeof countsPerBlock>>) {
  const rows = kept ?? (await countsPerBlock(ctx.db, drillId, blocks));
  const byBlock = rows.map((r) => ({ blockId: r.block_id, blockName: r.name, safe: r.safe, needsHelp: r.needs_help, injured: r.injured, unanswered: r.unanswered, accounted: r.accounted, total: r.total }));
  const sum = (k: 'safe' | 'needsHelp' | 'injured' | 'unanswered' | 'accounted' | 'total') => byBlock.reduce((n, b) => n + b[k], 0);
  return { counts: { safe: sum('safe'), needsHelp: sum('needsHelp'), injured: sum('injured'), unanswered: sum('unanswered'), accounted: sum('accounted'), total: sum('total') }, byBlock };
}

/**
 * The median time to a first answer, and how long until every household was accounted for
 * (null while some are not), from the kept counts: the median's minute from the per-minute
 * counts, then a short walk within it. `kept`: the counts, when the caller already has them.
 */
export async function timing(
  ctx: DrillContext,
  drill: DrillRow,
  blocks?: string[],
  kept?: { minutes: Awaited<ReturnType<typeof countsPerMinute>>; blocks: Awaited<ReturnType<typeof countsPerBlock>> },
) {
  const [perMinute, rows] = kept ? [kept.minutes, kept.blocks] : await Promise.all([countsPerMinute(ctx.db, drill.id, blocks), countsPerBlock(ctx.db, drill.id, blocks)]);
  const answered = perMinute.reduce((n, m) => n + m.answered, 0);
  const open = rows.reduce((n, r) => n + r.total - r.accounted, 0);
  let median: number | null = null;
  if (answered > 0) {
    const middle = Math.floor((answered - 1) / 2);
    let before = 0;
    const minute = perMinute.find((m) => (before += m.answered) > middle)!;
    before -= minute.answered;
    const times = await answerTimesFrom(ctx.db, drill.id, blocks, minute.minute, middle - before, answered % 2 === 0 ? 2 : 1);
    const secs = times.map((at) => (at.getTime() - drill.started_at.getTime()) / 1000);
    median = Math.round(secs.reduce((a, b) => a + b, 0) / secs.length);
  }
  const last = open === 0 && rows.length ? await lastAccountedAt(ctx.db, drill.id, blocks) : null;
  return {
    medianSecondsToAnswer: median,
    secondsUntilAllAccounted: last ? Math.round((new Date(last).getTime() - drill.started_at.getTime()) / 1000) : null,
  };
}

/**
 * The skips of a drill, from its events ("skipped:<block>:captain+volunteers:officers"):
 * which 班 went past which tiers and to whom; `blocks` limits them to these 班.
 */
export async function skipsOf(ctx: DrillContext, drillId: string, blocks?: string[]) {
  const events = await drillEvents(ctx.db, drillId);
  return events.flatMap((e) => {
    const [kind, blockId, skipped, to] = e.what.split(':');
    if (kind !== 'skipped' || !blockId || !skipped || !to || (blocks && !blocks.includes(blockId))) return [];
    return [{ blockId, skipped: skipped.split('+') as ('captain' | 'volunteers')[], to: to as 'volunteers' | 'officers', at: e.at.toISOString() }];
  });
}
