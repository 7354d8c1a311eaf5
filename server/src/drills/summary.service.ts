import type { Db } from '../platform/db/database.js';
import type { ServiceContext } from '../common/service-context.js';
import { requireVisible, type Actor } from '../common/access.js';
import type { DrillSummary, MyDrill } from '../contracts/drills.js';
import { findDrill, type DrillRow } from './drill.repository.js';
import { accountedPerDrill, findTarget } from './target.repository.js';
import { shelterNames } from '../shelters/shelter.repository.js';
import { drillPolicy } from './drill.policy.js';

export type DrillContext = ServiceContext;

/** The drill, if the actor may see it; 404 otherwise (as if it did not exist). */
export async function visibleDrill(ctx: DrillContext, actor: Actor, id: string): Promise<DrillRow> {
  const drill = await findDrill(ctx.db, id);
  requireVisible(!!drill && drillPolicy.canSee(actor, { associationId: drill.association_id }), 'drill');
  return drill!;
}

/** `blocks`: count only these 班 (a 班長's report), else the whole drill. */
export async function summaries(db: Db, drills: DrillRow[], blocks?: string[]): Promise<DrillSummary[]> {
  const counts = drills.length ? await accountedPerDrill(db, drills.map((d) => d.id), blocks) : [];
  return drills.map((d) => summaryOf(d, counts.find((x) => x.drill_id === d.id)));
}

/** A drill's summary from its row and its households counted so far. */
export function summaryOf(d: DrillRow, c: { total: number; accounted: number } | undefined): DrillSummary {
  return {
    id: d.id, kind: d.kind, status: d.status, title: d.title, message: d.message, announced: d.announced, startedAt: d.started_at.toISOString(),
    deadlineAt: d.deadline_at.toISOString(), endedAt: d.ended_at?.toISOString() ?? null, total: c?.total ?? 0, accounted: c?.accounted ?? 0,
  };
}

export async function summary(db: Db, drill: DrillRow, blocks?: string[]): Promise<DrillSummary> {
  return (await summaries(db, [drill], blocks))[0]!;
}

/** A household's view of a drill: the drill and its answer so far. */
export async function householdState(ctx: DrillContext, drill: DrillRow, householdId: string): Promise<MyDrill> {
  const target = await findTarget(ctx.db, drill.id, householdId);
  if (!target) throw new Error(`drill ${drill.id} has no target for household ${householdId}`);
  const shelterId = target.shelter_id;
  const shelterName = shelterId ? ((await shelterNames(ctx.db, drill.association_id, [shelterId])).get(shelterId) ?? null) : null;
  return {
    drill: await summary(ctx.db, drill),
    householdId,
    answer: target.status && target.answered_at
      ? { status: target.status, where: target.location ?? 'home', note: target.note, at: target.answered_at.toISOString(), channel: target.channel ?? 'app', shelterId: shelterName ? shelterId : null, shelterName }
      : null,
  };
}

/** A household's target in a drill, or 404 'household' when the drill did not ask it. */
export async function targetOf(ctx: DrillContext, drillId: string, householdId: string) {
  const target = await findTarget(ctx.db, drillId, householdId);
  requireVisible(!!target, 'household');
  return target!;
}
