import { HttpError } from '../platform/http/errors.js';
import type { Actor } from '../common/access.js';
import type { Dashboard } from '../contracts/drills.js';
import { accountedPerDrill, countsPerBlock, countsPerMinute, medianAnswerTimes } from './target.repository.js';
import { drillPolicy } from './drill.policy.js';
import { countsOf, medianSeconds, skipsOf, targetLists, targetViews } from './figures.service.js';
import { summaryOf, visibleDrill, type DrillContext } from './summary.service.js';
import { findDrill } from './drill.repository.js';
import { fresh } from './fresh.js';

/**
 * Live counts per 班, the response curve, and the unanswered by risk: the whole drill for
 * officers, their 班 for a 班長. Who may see it is decided per request; the figures of one
 * drill and scope are made once for every request waiting on them (fresh.ts).
 */
export async function dashboard(ctx: DrillContext, actor: Actor, drillId: string): Promise<Dashboard> {
  await visibleDrill(ctx, actor, drillId);
  const blocks = drillPolicy.followUpBlocks(actor, 'follow a safety confirmation');
  return fresh(`${drillId}:${blocks?.join(',') ?? '*'}`, () => figures(ctx, drillId, blocks));
}

/** How many of each list the dashboard shows, riskiest first (the counts say how many there are; the visit lists hold them all). */
export const DASHBOARD_PAGE = 100;

/**
 * The figures, all read inside the shared run (the drill row too: a request that joins the run
 * sees the drill as it is after its arrival, not as an earlier request read it — ended, say).
 * The queries run in parallel on the pool's connections, each its own snapshot: the counts, the
 * curve and the median may be a few answers apart while answers arrive (each is consistent in
 * itself, and the next live event refetches them all).
 */
async function figures(ctx: DrillContext, drillId: string, blocks: string[] | undefined): Promise<Dashboard> {
  // Every figure from the counts kept as answers arrive (a few hundred rows); the lists are a page of an index each, their members one query.
  const counted = countsPerBlock(ctx.db, drillId, blocks);
  const [drill, curveRows, { counts, byBlock }, middle, lists, skips, whole] = await Promise.all([
    findDrill(ctx.db, drillId),
    countsPerMinute(ctx.db, drillId, blocks),
    countsOf(ctx, drillId, blocks, counted),
    medianAnswerTimes(ctx.db, drillId, blocks),
    targetLists(ctx, drillId, [{ blocks, unaccounted: true, limit: DASHBOARD_PAGE }, { blocks, followUp: true, limit: DASHBOARD_PAGE }]),
    skipsOf(ctx, drillId, blocks),
    // The drill's own line counts the whole drill, also on a 班長's dashboard.
    blocks ? accountedPerDrill(ctx.db, [drillId]).then((rows) => rows[0]) : undefined,
  ]);
  if (!drill) throw HttpError.notFound('drill');
  let running = 0;
  const curve = curveRows.filter((r) => r.accounted !== 0).map((r) => ({ minute: Math.max(0, r.minute), accounted: (running += r.accounted) }));
  return { drill: summaryOf(drill, blocks ? whole : counts), counts, byBlock, curve, medianSecondsToAnswer: medianSeconds(drill, middle), unanswered: lists[0]!, needsFollowUp: lists[1]!,
    skips: skips.map((s) => ({ ...s, blockName: byBlock.find((b) => b.blockId === s.blockId)?.blockName ?? '' })) };
}

/** A 班長's (or, once escalated, a volunteer's or officer's) list of households to visit. */
export async function tasks(ctx: DrillContext, actor: Actor, drillId: string) {
  await visibleDrill(ctx, actor, drillId);
  const visit = drillPolicy.visitScope(actor);
  if (!visit) throw HttpError.forbidden('Only 班長, volunteers and officers have visit lists.');
  // Scoped in the query: a volunteer who is also a 班長 sees their 班 and what was escalated, nothing else.
  const items = await targetViews(ctx, drillId, { escalated: true, limit: 2000, visit });
  return { items: items.filter((t) => t.answeredAt === null || t.status !== 'safe') };
}
