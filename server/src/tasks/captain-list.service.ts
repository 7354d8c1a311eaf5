import type { ServiceContext } from '../common/service-context.js';
import type { Actor } from '../common/access.js';
import { inUnitOfWork } from '../common/unit-of-work.js';
import { membersOf } from '../common/people.repository.js';
import { HttpError } from '../platform/http/errors.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { CaptainCard, PendingItem } from '../contracts/tasks.js';
import { recordPaperSignoffs } from '../circulars/progress.service.js';
import { drillsInScope } from '../drills/drill.repository.js';
import { targetRows } from '../drills/target.repository.js';
import { drillPolicy } from '../drills/drill.policy.js';
import { listAlerts } from '../watch/alert.service.js';
import { blockOf } from '../common/association.repository.js';
import { captainHouseholds, findTasks } from './task.repository.js';
import { taskPolicy } from './task.policy.js';

/**
 * The 班長's phone list: one card per household with everything pending for it (a drill
 * visit, a live watch alert, overdue circulars), riskiest first, and the bulk paper sign-off
 * of a printed circular. It only reads the other capabilities, through their own services and
 * repositories with their own access rules; the households are scoped to the 班 in the query.
 */

/** The 班 of the list: a 班長's own (or one of them), an officer's filter or every 班 (undefined). */
async function listBlocks(ctx: ServiceContext, actor: Actor, blockId: string | undefined) {
  const blocks = taskPolicy.listBlocks(actor, blockId);
  if (blockId && actor.officer && !(await blockOf(ctx.db, actor.associationId, blockId))) throw HttpError.notFound('班');
  return blocks;
}

/** Silent households of the active drills, once on a visit list (tier above none), in these 班. */
async function drillVisits(ctx: ServiceContext, actor: Actor, blocks: string[] | undefined) {
  const drills = (await drillsInScope(ctx.db, drillPolicy.listScope(actor))).filter((d) => d.status === 'active');
  const perDrill = await Promise.all(
    drills.map(async (drill) => {
      const rows = await targetRows(ctx.db, drill.id, { blocks, unaccounted: true, escalated: true, limit: 2000 });
      return rows.map((r) => ({ householdId: r.household_id, item: { kind: 'drill_visit', drillId: drill.id, title: drill.title, since: drill.started_at.toISOString() } satisfies PendingItem }));
    }),
  );
  return perDrill.flat();
}

/** Live watch alerts that have reached the actor (the watch rules: consent and tier); device alerts are not for the doorstep. */
async function watchAlerts(ctx: ServiceContext, actor: Actor) {
  const { items } = await listAlerts(ctx, actor, true);
  return items.flatMap((alert) =>
    alert.kind === 'device_offline' ? [] : [{ householdId: alert.household.id, item: { kind: 'watch_alert', alertId: alert.id, alertKind: alert.kind, since: alert.raisedAt } satisfies PendingItem }],
  );
}

const KIND_ORDER: PendingItem['kind'][] = ['watch_alert', 'drill_visit', 'circular'];
/** Within a card, a help press before a silent alert. */
const helpFirst = (p: PendingItem) => (p.kind === 'watch_alert' && p.alertKind === 'help' ? 0 : 1);

/**
 * How urgent a home's most urgent item is, most urgent first (lower is sooner):
 * 0. someone pressed 「助けて」 on the speaker (an explicit call for help, never below anything);
 * 1. a silent speaker (a watch alert without a press: maybe nothing, maybe a fall);
 * 2. a drill visit (nobody has answered the drill; among these, risk flags decide);
 * 3. overdue circulars only.
 * Drill answers of 'needs help' or 'injured' are not on this list: they are followed up from
 * the drill's own page (its follow-up list), where the answer and its note are shown.
 */
function urgency(card: CaptainCard) {
  const tiers = card.pending.map((p) => (p.kind === 'watch_alert' ? (p.alertKind === 'help' ? 0 : 1) : p.kind === 'drill_visit' ? 2 : 3));
  return Math.min(...tiers);
}

/**
 * Riskiest first: by urgency (above); within the same urgency, more risk flags (lives alone,
 * speaker only, paper only) first; then the longest waiting; then the 班's own order.
 */
function riskiestFirst(a: CaptainCard & { sortOrder: number }, b: CaptainCard & { sortOrder: number }) {
  const oldest = (c: CaptainCard) => Math.min(...c.pending.map((p) => Date.parse(p.since)));
  return urgency(a) - urgency(b) || b.risk.length - a.risk.length || oldest(a) - oldest(b) || a.sortOrder - b.sortOrder || a.householdNumber.localeCompare(b.householdNumber, 'ja', { numeric: true });
}

export async function captainList(ctx: ServiceContext, actor: Actor, blockId?: string) {
  const blocks = await listBlocks(ctx, actor, blockId);
  const [tasks, visits, alerts] = await Promise.all([
    // Every open task: an officer's whole association (2,000 homes × a few circulars) must not be cut short.
    findTasks(ctx.db, { associationId: actor.associationId, blockIds: blocks, status: 'open', limit: null }),
    drillVisits(ctx, actor, blocks),
    watchAlerts(ctx, actor),
  ]);
  const pending = new Map<string, PendingItem[]>();
  const add = (householdId: string, item: PendingItem) => pending.set(householdId, [...(pending.get(householdId) ?? []), item]);
  for (const v of [...alerts, ...visits]) add(v.householdId, v.item);
  for (const t of tasks) {
    if (t.circular_id) add(t.household_id, { kind: 'circular', circularId: t.circular_id, taskId: t.id, title: t.circular_title!, since: (t.due_at ?? t.created_at).toISOString() });
  }
  // Alerts come from every home the actor watches: the 班 is applied here, in the query.
  const households = await captainHouseholds(ctx.db, { associationId: actor.associationId, householdIds: [...pending.keys()], blockIds: blocks });
  const members = await membersOf(ctx.db, households.map((h) => h.id));
  const items = households
    .map((h) => ({
      householdId: h.id, householdNumber: h.household_number, name: h.name, address: h.address, blockId: h.block_id, blockName: h.block_name, sortOrder: h.sort_order,
      channels: h.channels, risk: h.risk, responderNotes: h.responder_notes, members: members.get(h.id) ?? [],
      pending: pending.get(h.id)!.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || helpFirst(a) - helpFirst(b) || Date.parse(a.since) - Date.parse(b.since)),
    }))
    .sort(riskiestFirst)
    .map(({ sortOrder: _, ...card }) => card);
  const circulars = new Map<string, { id: string; title: string; households: number }>();
  for (const card of items) {
    for (const p of card.pending) {
      if (p.kind !== 'circular') continue;
      const entry = circulars.get(p.circularId) ?? { id: p.circularId, title: p.title, households: 0 };
      entry.households++;
      circulars.set(p.circularId, entry);
    }
  }
  return { items, circulars: [...circulars.values()] };
}

/**
 * The 班長 ticked the homes they handed (or showed) the printed circular to, or "all on this
 * list": each is recorded as acknowledged by paper through the circulars capability's own
 * sign-off, all in one transaction. A household outside the 班 is refused (404) and nothing
 * is written; a repeat records nothing new.
 */
export async function bulkPaperSignoff(ctx: ServiceContext, actor: Actor, input: { circularId: string; householdIds?: string[]; all?: true; blockId?: string }) {
  const blocks = await listBlocks(ctx, actor, input.blockId);
  const ids = input.all
    ? (await findTasks(ctx.db, { associationId: actor.associationId, blockIds: blocks, status: 'open', circularId: input.circularId, limit: null })).map((t) => t.household_id)
    : [...new Set(input.householdIds ?? [])];
  const inScope = await captainHouseholds(ctx.db, { associationId: actor.associationId, householdIds: ids, blockIds: blocks });
  if (inScope.length !== ids.length) throw HttpError.notFound('household');
  if (ids.length === 0) return { recorded: 0, alreadyAcknowledged: 0 };
  return inTransaction(ctx.db, ctx.log, (tx) => recordPaperSignoffs(inUnitOfWork(ctx, tx), actor, input.circularId, ids));
}
