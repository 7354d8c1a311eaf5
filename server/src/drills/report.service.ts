import { HttpError } from '../platform/http/errors.js';
import { requireVisible, type Actor } from '../common/access.js';
import type { DrillReport } from '../contracts/drills.js';
import { blockNames, drillEvents, earlierDrills, type DrillRow } from './drill.repository.js';
import { answersPerChannel, countsPerBlock, reachedBlocks } from './target.repository.js';
import { drillPolicy } from './drill.policy.js';
import { countsOf, targetViews, timing } from './figures.service.js';
import { summary, visibleDrill, type DrillContext } from './summary.service.js';
import { headcountByShelter } from '../shelters/shelter.repository.js';

/**
 * The report of an ended drill. `blocks` undefined: the whole association (the officers'
 * report, frozen when it ends). A 班長's report is built from the same tables with their 班
 * in every query: their rows, their totals, their 班's figures for earlier drills too.
 */
export async function buildReport(ctx: DrillContext, drill: DrillRow, blocks?: string[]): Promise<DrillReport> {
  const counted = countsPerBlock(ctx.db, drill.id, blocks);
  const [{ counts, byBlock }, channels, times, events, followUp, unaccounted, previous, byShelter] = await Promise.all([
    countsOf(ctx, drill.id, blocks, counted),
    answersPerChannel(ctx.db, drill.id, blocks),
    timing(ctx, drill, blocks, counted),
    drillEvents(ctx.db, drill.id),
    targetViews(ctx, drill.id, { blocks, followUp: true, limit: 5000 }),
    targetViews(ctx, drill.id, { blocks, unaccounted: true, limit: 5000 }),
    // A 班長 compares only with earlier drills that reached their 班.
    earlierDrills(ctx.db, drill, blocks),
    headcountByShelter(ctx.db, drill.id, drill.association_id, blocks),
  ]);
  const channel = (c: string) => channels.find((r) => r.channel === c)?.n ?? 0;
  const drillSummary = await summary(ctx.db, drill, blocks);
  const earlier = await Promise.all(
    previous.map(async (p) => {
      if (!blocks) {
        const r = p.report;
        return { id: p.id, title: p.title, startedAt: p.started_at.toISOString(), responseRate: r && r.counts.total ? r.counts.accounted / r.counts.total : 0, medianSecondsToAnswer: r?.medianSecondsToAnswer ?? null, secondsUntilAllAccounted: r?.secondsUntilAllAccounted ?? null };
      }
      const counted = countsPerBlock(ctx.db, p.id, blocks);
      const [{ counts: c }, t] = await Promise.all([countsOf(ctx, p.id, blocks, counted), timing(ctx, p, blocks, counted)]);
      return { id: p.id, title: p.title, startedAt: p.started_at.toISOString(), responseRate: c.total ? c.accounted / c.total : 0, ...t };
    }),
  );
  return {
    drill: drillSummary,
    counts,
    byBlock,
    byChannel: { app: channel('app'), speaker: channel('speaker'), proxy: channel('proxy'), visit: channel('visit') },
    ...times,
    timeline: events.map((e) => ({ at: e.at.toISOString(), what: e.what })),
    followUp: [...unaccounted, ...followUp.filter((f) => !unaccounted.some((u) => u.householdId === f.householdId))],
    previous: earlier,
    scope: blocks ? { kind: 'blocks', blockNames: await blockNames(ctx.db, blocks) } : { kind: 'association', blockNames: [] },
    byShelter,
  };
}

/** A drill that never reached a 班長's 班 is not theirs to see. */
async function requireReached(ctx: DrillContext, drillId: string, blocks: string[] | undefined) {
  if (blocks) requireVisible(await reachedBlocks(ctx.db, drillId, blocks), 'drill');
}

/**
 * An ended drill's report. Officers get the association's, frozen when it ended. A 班長 gets
 * their 班's rows and their 班's totals, built with their 班 in every query (answers cannot
 * change once a drill has ended, so the figures are those of the end). Association totals
 * without names were the other choice; but a 班長 acts on their own 班, the dashboard they
 * used during the drill showed their 班 only, and in a small association totals without
 * names still point at people (the one "needs help" in a 班 of four).
 */
export async function report(ctx: DrillContext, actor: Actor, drillId: string): Promise<DrillReport> {
  const drill = await visibleDrill(ctx, actor, drillId);
  const blocks = drillPolicy.followUpBlocks(actor, 'follow a safety confirmation');
  if (drill.status !== 'ended' || !drill.report) throw HttpError.conflict('The report is made when the safety confirmation ends.');
  if (blocks) {
    await requireReached(ctx, drillId, blocks);
    return buildReport(ctx, drill, blocks);
  }
  const frozen = drill.report;
  // Reports frozen before shelters have no headcount per shelter.
  return { ...frozen, scope: frozen.scope ?? { kind: 'association', blockNames: [] }, byShelter: frozen.byShelter ?? [] };
}

/** One row per household, for Excel: what was answered, when, through which channel. A 班長 gets their 班's rows. */
export async function reportRows(ctx: DrillContext, actor: Actor, drillId: string) {
  const drill = await visibleDrill(ctx, actor, drillId);
  const blocks = drillPolicy.followUpBlocks(actor, 'export a safety confirmation');
  await requireReached(ctx, drillId, blocks);
  const rows = await targetViews(ctx, drillId, { blocks, limit: 100_000 });
  return { drill, rows };
}
