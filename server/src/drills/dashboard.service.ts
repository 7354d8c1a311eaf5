import { HttpError } from '../platform/http/errors.js';
import type { Actor } from '../common/access.js';
import type { Dashboard } from '../contracts/drills.js';
import { countsPerMinute } from './target.repository.js';
import { drillPolicy } from './drill.policy.js';
import { countsOf, skipsOf, targetViews, timing } from './figures.service.js';
import { summary, visibleDrill, type DrillContext } from './summary.service.js';
import type { DrillRow } from './drill.repository.js';
import { fresh } from './fresh.js';

/**
 * Live counts per 班, the response curve, and the unanswered by risk: the whole drill for
 * officers, their 班 for a 班長. Who may see it is decided per request; the figures of one
 * drill and scope are made once for every request waiting on them (fresh.ts).
 */
export async function dashboard(ctx: DrillContext, actor: Actor, drillId: string): Promise<Dashboard> {
  const drill = await visibleDrill(ctx, actor, drillId);
  const blocks = drillPolicy.followUpBlocks(actor, 'follow a safety confirmation');
  return fresh(`${drillId}:${blocks?.join(',') ?? '*'}`, () => figures(ctx, drill, blocks));
}

async function figures(ctx: DrillContext, drill: DrillRow, blocks: string[] | undefined): Promise<Dashboard> {
  const drillId = drill.id;
  // Every figure from the counts kept as answers arrive (a few hundred rows); the lists are a page of an index each.
  const [curveRows, { counts, byBlock }, { medianSecondsToAnswer }, unanswered, needsFollowUp, skips, drillSummary] = await Promise.all([
    countsPerMinute(ctx.db, drillId, blocks),
    countsOf(ctx, drillId, blocks),
    timing(ctx, drill, blocks),
    targetViews(ctx, drillId, { blocks, unaccounted: true }),
    targetViews(ctx, drillId, { blocks, followUp: true }),
    skipsOf(ctx, drillId, blocks),
    summary(ctx.db, drill),
  ]);
  let running = 0;
  const curve = curveRows.filter((r) => r.accounted !== 0).map((r) => ({ minute: Math.max(0, r.minute), accounted: (running += r.accounted) }));
  return { drill: drillSummary, counts, byBlock, curve, medianSecondsToAnswer, unanswered, needsFollowUp,
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
