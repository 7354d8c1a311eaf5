import { HttpError } from '../platform/http/errors.js';
import type { Actor } from '../common/access.js';
import type { Dashboard } from '../contracts/drills.js';
import { drillPolicy } from './drill.policy.js';
import { countsFrom, medianSeconds, skipsFrom, targetView, targetViews } from './figures.service.js';
import { summaryOf, visibleDrill, type DrillContext } from './summary.service.js';
import { dashboardBlocks, dashboardFingerprint, dashboardHead, dashboardLists, type DashboardScope } from './dashboard.repository.js';
import { fresh } from './fresh.js';

/**
 * Live counts per 班, the response curve, and the unanswered by risk: the whole drill for
 * officers, their 班 for a 班長. Who may see it is decided per request, before the read, and
 * the read is scoped by it (the actor's association and 班 in every statement); the figures of
 * one drill and scope are made once for every request waiting on them (fresh.ts).
 */
export async function dashboard(ctx: DrillContext, actor: Actor, drillId: string): Promise<Dashboard> {
  let blocks: string[] | undefined;
  try {
    blocks = drillPolicy.followUpBlocks(actor, 'follow a safety confirmation');
  } catch (refused) {
    // A drill the actor cannot see is not there (404), before their role is refused (403).
    await visibleDrill(ctx, actor, drillId);
    throw refused;
  }
  const scope = { drillId, associationId: actor.associationId, blocks };
  const key = `${actor.associationId}:${drillId}:${blocks?.join(',') ?? '*'}`;
  return fresh(key, () => current(ctx, key, scope));
}

/** How many of each list the dashboard shows, riskiest first (the counts say how many there are; the visit lists hold them all). */
export const DASHBOARD_PAGE = 100;

/**
 * Dashboards already made, by drill and scope (and association), with the fingerprints of the
 * one snapshot they were made from: served again while the fingerprints read now are the same
 * (nothing they show has changed since), made anew otherwise. At most MADE_MAX, the least
 * recently served dropped first.
 */
interface Made {
  fingerprint: string;
  reference: string;
  listed: { households: string[]; people: string[] };
  dashboard: Dashboard;
}
const made = new Map<string, Made>();
const MADE_MAX = 64;

/**
 * The dashboard as it is now, read inside the shared run (fresh.ts): a request that joins the
 * run sees the drill as it is after its arrival. When one was made before for this key, one
 * short statement says whether it still holds (dashboardFingerprint); if not, it is made anew.
 */
async function current(ctx: DrillContext, key: string, scope: DashboardScope): Promise<Dashboard> {
  const before = made.get(key);
  if (before) {
    const now = await dashboardFingerprint(ctx.db, scope, before.listed);
    made.delete(key);
    if (!now) throw HttpError.notFound('drill');
    if (now.fingerprint === before.fingerprint && now.reference === before.reference) {
      made.set(key, before);
      return before.dashboard;
    }
  }
  const next = await figures(ctx, scope);
  if (next.fingerprint) {
    made.set(key, next as Made);
    if (made.size > MADE_MAX) made.delete(made.keys().next().value!);
  }
  return next.dashboard;
}

/**
 * The figures in three statements at once (dashboard.repository.ts), each one round trip. Each
 * is consistent in itself; when all three read the same state of the drill (their
 * fingerprints agree: no answer arrived between them), the result is that state exactly and
 * can be served again while it lasts; otherwise it is served once (the counts, the curve and
 * the lists may then be an answer apart, and the next live event refetches them all).
 */
async function figures(ctx: DrillContext, scope: DashboardScope): Promise<Omit<Made, 'fingerprint'> & { fingerprint: string | null }> {
  const [head, blocks, lists] = await Promise.all([dashboardHead(ctx.db, scope), dashboardBlocks(ctx.db, scope), dashboardLists(ctx.db, scope, DASHBOARD_PAGE)]);
  if (!head || !blocks || !lists) throw HttpError.notFound('drill');
  const { counts, byBlock } = countsFrom(blocks.rows);
  const blockNames = new Map(byBlock.map((b) => [b.blockId, b.blockName]));
  const dashboard: Dashboard = {
    drill: summaryOf(head, scope.blocks ? { total: head.whole_total, accounted: head.whole_accounted } : counts),
    counts,
    byBlock,
    curve: head.curve,
    medianSecondsToAnswer: medianSeconds(head, head.middle ?? []),
    unanswered: lists.rows.filter((r) => r.list === 'unanswered').map(targetView),
    needsFollowUp: lists.rows.filter((r) => r.list === 'follow_up').map(targetView),
    skips: skipsFrom(head.skips, scope.blocks).map((s) => ({ ...s, blockName: blockNames.get(s.blockId) ?? '' })),
    byShelter: head.shelters,
  };
  const consistent = head.fingerprint === blocks.fingerprint && blocks.fingerprint === lists.fingerprint;
  return {
    fingerprint: consistent ? head.fingerprint : null,
    reference: lists.reference,
    listed: {
      households: [...new Set(lists.rows.map((r) => r.household_id))],
      people: [...new Set(lists.rows.flatMap((r) => (r.taken_by === null ? [] : [r.taken_by])))],
    },
    dashboard,
  };
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
