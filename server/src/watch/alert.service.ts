import type { ServiceContext } from '../common/service-context.js';
import { requireVisible, type Actor } from '../common/access.js';
import { membersOf } from '../common/people.repository.js';
import { rooms } from '../contracts/socket.js';
import type { Alert } from '../contracts/watch.js';
import type { Db } from '../platform/db/database.js';
import type { AlertOutcome } from './watch.tables.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import * as alerts from './alert.repository.js';
import { findSettings, roleHolders } from './watch.repository.js';
import { alertReaches, audienceFor, mayActOnAlert, toldAt, watchScope, type Audience, type Consent } from './watch.policy.js';

/** Alerts as people see and act on them: the lists, taking, closing, and telling people. */

/** The rooms and people told about an alert at its tier, after the household's consent. */
async function toldAbout(db: Db, alert: { association_id: string; household_id: string; block_id: string; tier: Alert['tier'] }) {
  const settings = (await findSettings(db, alert.household_id))!;
  const told = toldAt(alert.tier, settings);
  const targets: string[] = [rooms.officers(alert.association_id), rooms.household(alert.household_id)];
  if (told.blockRoom) targets.push(rooms.block(alert.block_id));
  if (told.volunteersRoom) targets.push(rooms.volunteers(alert.association_id));
  const people = told.roles.length ? await roleHolders(db, { associationId: alert.association_id, householdId: alert.household_id, blockId: alert.block_id }, told.roles) : [];
  for (const p of people) targets.push(rooms.person(p.person_id));
  return { targets, personIds: people.map((p) => p.person_id) };
}

/** Tells everyone the alert has reached (live sockets), and by push when `notifyPush` (a new tier, a help press). */
export async function announce(ctx: ServiceContext, alertId: string, notifyPush: boolean) {
  const alert = await alerts.alertToAnnounce(ctx.db, alertId);
  const { targets, personIds } = await toldAbout(ctx.db, alert);
  ctx.realtime.emit(targets, 'watch:alert', { alertId, householdId: alert.household_id, kind: alert.kind, tier: alert.tier, status: alert.status });
  if (notifyPush && personIds.length) {
    const title = alert.kind === 'help' ? `【助けて】${alert.name}` : alert.kind === 'silent' ? `【見守り】${alert.name} から応答がありません` : `【端末】${alert.name} のスピーカーが接続されていません`;
    await ctx.reach.people(personIds, { title, body: '見守りの通知を確認してください。', url: `${ctx.publicUrl}/watch/alerts/${alertId}` });
  }
}

export interface AlertClosing {
  status: 'resolved' | 'cancelled';
  outcome: AlertOutcome;
  note: string;
  /** The event recorded with it. */
  what: string;
  personId: string | null;
}

/**
 * Closes a live alert: its status and its event are one transaction (the caller's, inside a
 * unit of work); people are told after the commit. False when it was already closed.
 */
export async function closeAlert(ctx: ServiceContext, alertId: string, close: AlertClosing) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const closed = await alerts.closeLiveAlert(tx.db, alertId, close);
    if (!closed) return false;
    await alerts.insertAlertEvent(tx.db, { alert_id: alertId, what: close.what, tier: null, person_id: close.personId, detail: close.note });
    tx.afterCommit(() => announce(ctx, alertId, false));
    return true;
  });
}

/** Alerts with their home, events and the home's consent (for the access rule per row). */
export async function loadAlerts(db: Db, where: alerts.AlertFilter) {
  const rows = await alerts.alertRows(db, where);
  const ids = rows.map((r) => r.id);
  const [members, events] = await Promise.all([membersOf(db, [...new Set(rows.map((r) => r.household_id))]), ids.length ? alerts.alertEvents(db, ids) : []]);
  return rows.map((r) => ({
    blockId: r.block_id,
    consent: (r.share_with_family === null ? null : { share_with_family: r.share_with_family, share_with_captain: r.share_with_captain!, share_with_volunteers: r.share_with_volunteers! }) satisfies Consent | null,
    alert: {
      id: r.id, kind: r.kind, status: r.status, tier: r.tier, raisedAt: r.raised_at.toISOString(),
      household: { id: r.household_id, householdNumber: r.household_number, name: r.name, address: r.address, blockName: r.block_name, responderNotes: r.responder_notes, members: members.get(r.household_id) ?? [] },
      device: r.device_id ? { id: r.device_id, label: r.device_label! } : null,
      takenBy: r.taken_by_name, takenAt: r.taken_at?.toISOString() ?? null, resolvedAt: r.resolved_at?.toISOString() ?? null,
      outcome: r.outcome, note: r.note, lastActivityAt: r.last_activity_at?.toISOString() ?? null,
      events: events.filter((e) => e.alert_id === r.id).map((e) => ({ at: e.at.toISOString(), what: e.what, tier: e.tier, personName: e.name, detail: e.detail })),
    } satisfies Alert,
  }));
}

/**
 * The alerts that have reached an actor (and pass `may`): homes are scoped in the query by the
 * policy's scope; how far each alert has climbed (its tier) is then checked per row. Lists and
 * single reads both come this way.
 */
async function alertsFor(ctx: ServiceContext, actor: Actor, where: Omit<alerts.AlertFilter, 'associationId' | 'visibleTo'>, may: (alert: Alert, audience: Audience) => boolean) {
  const candidates = await loadAlerts(ctx.db, { ...where, associationId: actor.associationId, visibleTo: watchScope(actor) });
  return candidates.filter(({ alert, blockId, consent }) => may(alert, audienceFor(actor, { id: alert.household.id, blockId }, consent))).map(({ alert }) => alert);
}

/** The alerts an actor is to act on: those of homes that share with them, once the alert has reached their tier. */
export async function listAlerts(ctx: ServiceContext, actor: Actor, live: boolean) {
  return { items: await alertsFor(ctx, actor, { live }, alertReaches) };
}

async function actionableAlert(ctx: ServiceContext, actor: Actor, alertId: string) {
  const [alert] = await alertsFor(ctx, actor, { ids: [alertId] }, mayActOnAlert);
  requireVisible(!!alert, 'alert');
  return alert!;
}

async function reloaded(ctx: ServiceContext, actor: Actor, alertId: string) {
  return (await loadAlerts(ctx.db, { associationId: actor.associationId, ids: [alertId] }))[0]!.alert;
}

/** Someone takes the alert ("I'll go"): the chain stops there. */
export async function takeAlert(ctx: ServiceContext, actor: Actor, alertId: string) {
  const alert = await actionableAlert(ctx, actor, alertId);
  await inTransaction(ctx.db, ctx.log, async (tx) => {
    const taken = await alerts.takeOpenAlert(tx.db, alertId, actor.personId);
    if (!taken) throw HttpError.conflict(alert.status === 'taken' ? `${alert.takenBy ?? 'Someone'} has already taken this alert.` : 'This alert is closed.');
    await alerts.insertAlertEvent(tx.db, { alert_id: alertId, what: 'taken', tier: null, person_id: actor.personId });
    tx.afterCommit(() => announce(ctx, alertId, false));
  });
  return reloaded(ctx, actor, alertId);
}

export async function resolveAlert(ctx: ServiceContext, actor: Actor, alertId: string, outcome: AlertOutcome, note: string) {
  await actionableAlert(ctx, actor, alertId);
  if (!(await closeAlert(ctx, alertId, { status: 'resolved', outcome, note, what: 'resolved', personId: actor.personId }))) throw HttpError.conflict('This alert is already closed.');
  return reloaded(ctx, actor, alertId);
}
