import type { TargetView } from '../contracts/drills.js';
import { membersOf } from '../common/people.repository.js';
import type { DrillRow } from './drill.repository.js';
import { countsPerBlock, lastAccountedAt, medianAnswerTimes, targetRows, type TargetFilter } from './target.repository.js';
import type { DrillContext } from './summary.service.js';

/**
 * What the dashboard and the report both show: the counts per 班, the answer times, and the
 * households with their members. `blocks` limits each to these 班 (a 班長); undefined is the
 * whole drill.
 */

export async function targetViews(ctx: DrillContext, drillId: string, where: TargetFilter): Promise<TargetView[]> {
  return (await targetLists(ctx, drillId, [where]))[0]!;
}

/** Several lists of targets at once (their pages in parallel), with the members of all of them read in one query. */
export async function targetLists(ctx: DrillContext, drillId: string, wheres: TargetFilter[]): Promise<TargetView[][]> {
  const lists = await Promise.all(wheres.map((where) => targetRows(ctx.db, drillId, where)));
  const members = await membersOf(ctx.db, [...new Set(lists.flatMap((rows) => rows.map((r) => r.household_id)))]);
  return lists.map((rows) => rows.map((r) => targetView({ ...r, members: members.get(r.household_id) ?? [] })));
}

/** A target's row (its household, 班, who took it and its members joined) as the lists show it. */
export function targetView(r: Omit<TargetRow, 'risk_score'> & { members: TargetView['members'] }): TargetView {
  return {
    householdId: r.household_id, householdNumber: r.household_number, name: r.name, address: r.address, blockId: r.block_id, blockName: r.block_name,
    channels: r.channels, responderNotes: r.responder_notes, members: r.members, risk: r.risk,
    status: r.status, where: r.location, answeredAt: r.answered_at?.toISOString() ?? null, channel: r.channel, tier: r.tier,
    takenBy: r.taken_by_name, visitOutcome: r.visit_outcome, note: r.note, skipped: r.skipped,
    shelterId: r.shelter_name === null ? null : r.shelter_id, shelterName: r.shelter_name,
  };
}

type TargetRow = Awaited<ReturnType<typeof targetRows>>[number];

export async function countsOf(ctx: DrillContext, drillId: string, blocks?: string[], counted?: Promise<BlockCounts>) {
  return countsFrom(await (counted ?? countsPerBlock(ctx.db, drillId, blocks)));
}

/** The counts per 班 as the API names them, and their sum. */
export function countsFrom(rows: { block_id: string; name: string; safe: number; needs_help: number; injured: number; unanswered: number; accounted: number; total: number }[]) {
  const byBlock = rows.map((r) => ({ blockId: r.block_id, blockName: r.name, safe: r.safe, needsHelp: r.needs_help, injured: r.injured, unanswered: r.unanswered, accounted: r.accounted, total: r.total }));
  const counts = { safe: 0, needsHelp: 0, injured: 0, unanswered: 0, accounted: 0, total: 0 };
  for (const b of byBlock) {
    counts.safe += b.safe;
    counts.needsHelp += b.needsHelp;
    counts.injured += b.injured;
    counts.unanswered += b.unanswered;
    counts.accounted += b.accounted;
    counts.total += b.total;
  }
  return { counts, byBlock };
}

type BlockCounts = Awaited<ReturnType<typeof countsPerBlock>>;

/**
 * The median time to a first answer, and how long until every household was accounted for
 * (null while some are not), from the kept counts: short queries at once. `counted`: the
 * counts per 班 already asked for (countsOf's), not asked for twice.
 */
export async function timing(ctx: DrillContext, drill: DrillRow, blocks?: string[], counted?: Promise<BlockCounts>) {
  const [rows, middle, last] = await Promise.all([counted ?? countsPerBlock(ctx.db, drill.id, blocks), medianAnswerTimes(ctx.db, drill.id, blocks), lastAccountedAt(ctx.db, drill.id, blocks)]);
  const open = rows.reduce((n, r) => n + r.total - r.accounted, 0);
  return {
    medianSecondsToAnswer: medianSeconds(drill, middle),
    secondsUntilAllAccounted: open === 0 && rows.length && last ? Math.round((new Date(last).getTime() - drill.started_at.getTime()) / 1000) : null,
  };
}

/** The median's seconds since the start, from its middle first-answer time(s) (medianAnswerTimes). */
export function medianSeconds(drill: { started_at: Date }, middle: Date[]) {
  const secs = middle.map((at) => (at.getTime() - drill.started_at.getTime()) / 1000);
  return secs.length ? Math.round(secs.reduce((a, b) => a + b, 0) / secs.length) : null;
}

/**
 * The skips of a drill, from its events ("skipped:<block>:captain+volunteers:officers"):
 * which 班 went past which tiers and to whom; `blocks` limits them to these 班.
 */
export function skipsFrom(events: { at: string; what: string }[], blocks?: readonly string[]) {
  return events.flatMap((e) => {
    const [kind, blockId, skipped, to] = e.what.split(':');
    if (kind !== 'skipped' || !blockId || !skipped || !to || (blocks && !blocks.includes(blockId))) return [];
    return [{ blockId, skipped: skipped.split('+') as ('captain' | 'volunteers')[], to: to as 'volunteers' | 'officers', at: e.at }];
  });
}
