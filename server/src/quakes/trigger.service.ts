import type { ServiceContext } from '../common/service-context.js';
import { inTransaction, type Tx } from '../platform/db/transaction.js';
import { stableJobId } from '../platform/jobs/jobs.js';
import { HttpError } from '../platform/http/errors.js';
import { audit } from '../common/audit.repository.js';
import { addToActiveDrill, announceStart, beginDrill } from '../drills/drill.service.js';
import {
  concernedSettings, insertDecision, insertTelegram, insertTrigger, lockAssociation, lockTrigger, MALFORMED_ATTEMPTS, newerTelegram, overdueTriggers,
  quakeSeen, recentTrigger, settingsOf as storedSettings, telegramsOf, triggerFor, updateTrigger, type TriggerRow,
} from './quake.repository.js';
import { decide, kindOf, readingFor, UNRECEIVED_AS, type Decision, type TriggerSettings, type TriggerState } from './trigger.policy.js';
import { intensityLabel, parseTelegram, rank, type Intensity, type Telegram } from './telegram.js';
import { logChanged, tellOfficers } from './notice.service.js';
import type { QuakeNotice } from '../contracts/socket.js';

/**
 * A telegram from the feed, handled once: stored (the once-only marker: unique on its feed
 * entry) with, for every association whose areas it names, the decision (trigger.policy.ts),
 * the trigger it creates or changes, and the job that fires a pending trigger after the
 * hold-off, all in one transaction. Officers are told after the commit.
 */

/** A started event's answer deadline, and when its untaken visits go up a tier: the association's settings, else these (the start form's defaults). */
const EVENT_SECONDS = 3 * 3600;
const VOLUNTEERS_AFTER_SECONDS = 15 * 60;
const OFFICERS_AFTER_SECONDS = 30 * 60;

/** `malformed`: not well-formed XML (a truncated download?), fetched again on the next poll until MALFORMED_ATTEMPTS. */
export type TelegramOutcome = 'stored' | 'duplicate' | 'rejected' | 'malformed';

export async function handleTelegram(ctx: ServiceContext, entry: { id: string; url: string }, xml: string, now = new Date()): Promise<TelegramOutcome> {
  const parsed = parseTelegram(xml);
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const telegram = parsed.ok ? parsed.telegram : null;
    const stored = await insertTelegram(tx.db, {
      entry_id: entry.id, url: entry.url, raw: xml, parsed: telegram ? JSON.stringify(telegram) : null,
      rejected: parsed.ok ? null : `${parsed.reason}: ${parsed.detail}`.slice(0, 500),
      event_id: telegram?.eventId ?? null, info_type: telegram?.infoType ?? null, status: telegram?.status ?? null, report_at: telegram ? new Date(telegram.reportAt) : null,
    });
    if (!stored) return 'duplicate';
    if (!telegram) {
      const retry = !parsed.ok && parsed.reason === 'malformed_xml' && stored.attempts < MALFORMED_ATTEMPTS;
      ctx.log.warn({ entry: entry.id, reason: parsed.ok ? undefined : parsed.reason, attempts: stored.attempts }, retry ? 'JMA telegram malformed; fetched again on the next poll' : 'JMA telegram rejected (stored, no decision)');
      return retry ? 'malformed' : 'rejected';
    }
    const concerned = await concernedSettings(tx.db, telegram.areas.map((a) => a.code), telegram.eventId);
    for (const settings of concerned) await decideFor(ctx, tx, settings, telegram, stored.id, now);
    return 'stored';
  });
}

type SettingsRow = Awaited<ReturnType<typeof concernedSettings>>[number];

function settingsOf(row: SettingsRow): TriggerSettings {
  return { areaCodes: row.area_codes, cityCodes: row.city_codes, minIntensity: row.min_intensity, holdOffSeconds: row.hold_off_seconds, aftershockSeconds: row.aftershock_seconds, drillsFromTraining: row.drills_from_training };
}

function stateOf(row: TriggerRow | undefined): TriggerState | undefined {
  return row && { id: row.id, eventId: row.event_id, kind: row.kind, status: row.status, cancelReason: row.cancel_reason, intensity: row.intensity, unreceived: row.unreceived, lastReportAt: row.last_report_at, createdAt: row.created_at, drillId: row.drill_id };
}

/** Whether `intensity`, decided from the telegram for these settings, is 震度５弱以上未入電 counted as 5弱 (none of 5弱 or more received). */
export function isUnreceivedCount(telegram: Telegram, settings: Pick<TriggerSettings, 'areaCodes' | 'cityCodes'>, intensity: Intensity | null): boolean {
  return intensity === UNRECEIVED_AS && readingFor(telegram, settings).unreceived;
}

/**
 * What residents read and hear (the event's title and ask: app, push, speaker). A reading says its
 * intensity (「京都府南部 震度5弱」); 震度５弱以上未入電 says no number, which residents could not
 * understand, but that the shaking may have been strong and its intensity has not come in.
 */
export function residentsWording(trigger: { kind: 'real' | 'drill'; area_name: string; intensity: Intensity; unreceived: boolean }): { title: string; message: string } {
  const drill = trigger.kind === 'drill' ? '【訓練】' : '';
  const where = trigger.area_name ? `${trigger.area_name}で` : '';
  if (trigger.unreceived) {
    return { title: `${drill}地震（${trigger.area_name ? `${trigger.area_name} ` : ''}強い揺れのおそれ）の安否確認`, message: `気象庁の発表によると、${where}強い揺れがあったおそれがあります（震度はまだ届いていません）。ご無事ですか。` };
  }
  const label = triggerLabel(trigger.area_name, trigger.intensity, false);
  return { title: `${drill}地震（${label}）の安否確認`, message: `気象庁の発表で${label}の揺れがありました。ご無事ですか。` };
}

/** A pending trigger's label: 「京都府南部 震度5弱以上（未入電）」 when its intensity was not received. */
export function triggerLabel(areaName: string, intensity: Intensity, unreceived: boolean): string {
  return `${areaName ? `${areaName} ` : ''}${intensityLabel(intensity)}${unreceived ? '以上（未入電）' : ''}`;
}

async function decideFor(ctx: ServiceContext, tx: Tx, row: SettingsRow, telegram: Telegram, telegramId: string, now: Date) {
  const associationId = row.association_id;
  await lockAssociation(tx.db, associationId);
  const settings = settingsOf(row);
  const kind = kindOf(telegram, settings) ?? 'real';
  const reportAt = new Date(telegram.reportAt);
  const [same, recent, seen, newer] = await Promise.all([
    triggerFor(tx.db, associationId, telegram.eventId, kind),
    recentTrigger(tx.db, associationId, kind, new Date(now.getTime() - settings.aftershockSeconds * 1000)),
    quakeSeen(tx.db, associationId, telegram.eventId),
    newerTelegram(tx.db, telegram.eventId, telegram.status, reportAt, telegramId),
  ]);
  const decision = decide({ settings, telegram, now, sameQuake: stateOf(same), recent: stateOf(recent), quakeSeenBefore: seen, newerSeen: newer });
  // The reading that decides (the chosen cities' when the telegram lists them, else the areas'): its places name the trigger.
  const reading = readingFor(telegram, settings);
  const areaNames = reading.places;
  const areaName = areaNames[0] ?? '';
  let triggerId: string | null = null;
  // Pushed and shown at once on the officers' pages, after the commit (notice.service.ts).
  type Said = Pick<QuakeNotice, 'key' | 'kind'> & Partial<QuakeNotice>;
  const unsure = 'intensity' in decision && decision.intensity === UNRECEIVED_AS && reading.unreceived;
  const tell = (title: string, body: string, said: Said) =>
    tx.afterCommit(() => tellOfficers(ctx, associationId, { title, body, drillId: said.drillId }, { eventKind: kind, intensity: 'intensity' in decision ? decision.intensity : null, unreceived: unsure, areaNames, quakeEventId: telegram.eventId, drillId: null, asked: false, fireAt: null, ...said }));
  const label = (i: Intensity) => triggerLabel(areaName, i, unsure);
  const byTelegram = `telegram:${telegramId}`;
  switch (decision.action) {
    case 'pend': {
      const trigger = await insertTrigger(tx.db, {
        association_id: associationId, event_id: telegram.eventId, kind: decision.kind, intensity: decision.intensity, area_name: areaName,
        fire_at: decision.fireAt, last_report_at: reportAt, telegram_ids: [telegramId], unreceived: unsure,
      });
      triggerId = trigger.id;
      await ctx.jobs.send(tx.db, 'quake-fire', { triggerId, round: 1 }, { startAfter: decision.fireAt, singletonKey: `fire:${triggerId}:1` });
      const what = decision.kind === 'drill' ? '訓練の安否確認' : '安否確認';
      tell(`${decision.kind === 'drill' ? '【訓練】' : ''}【地震】${label(decision.intensity)}`, `${settings.holdOffSeconds}秒後に${what}を自動で始めます（気象庁の取消・訂正を待っています）。`, { key: `trigger:${triggerId}`, kind: 'pending', fireAt: decision.fireAt.toISOString() });
      break;
    }
    case 'update': {
      triggerId = decision.triggerId;
      const updated = await updateTrigger(tx.db, decision.triggerId, { intensity: decision.intensity, last_report_at: reportAt, unreceived: unsure }, telegramId);
      // A new intensity for the waiting trigger: the same banner (its key) shows it.
      if (same && (same.intensity !== decision.intensity || same.unreceived !== unsure)) {
        const what = updated.kind === 'drill' ? '訓練の安否確認' : '安否確認';
        tell(`${updated.kind === 'drill' ? '【訓練】' : ''}【地震】${label(decision.intensity)}`, `${decision.reason === 'received' ? `未入電だった震度が気象庁の発表で届き、${label(decision.intensity)}でした` : decision.reason === 'city' ? `市町村の震度が気象庁の発表で届き、${label(decision.intensity)}でした` : `気象庁の${decision.reason === 'corrected' ? '訂正' : '新しい発表'}で${label(decision.intensity)}になりました`}。予定どおり${what}を自動で始めます。`, { key: `trigger:${triggerId}`, kind: 'pending', fireAt: updated.fire_at.toISOString() });
      }
      break;
    }
    case 'reopen': {
      triggerId = decision.triggerId;
      const reopened = await updateTrigger(tx.db, decision.triggerId, { status: 'pending', cancel_reason: null, intensity: decision.intensity, fire_at: decision.fireAt, last_report_at: reportAt, round: (same?.round ?? 1) + 1, unreceived: unsure }, telegramId);
      await ctx.jobs.send(tx.db, 'quake-fire', { triggerId, round: reopened.round }, { startAfter: decision.fireAt, singletonKey: `fire:${triggerId}:${reopened.round}` });
      tell(`${kind === 'drill' ? '【訓練】' : ''}【地震】${label(decision.intensity)}`, `気象庁の新しい発表で${intensityLabel(settings.minIntensity)}以上になりました。${settings.holdOffSeconds}秒後に${kind === 'drill' ? '訓練の安否確認' : '安否確認'}を自動で始めます。`, { key: `trigger:${triggerId}`, kind: 'pending', fireAt: decision.fireAt.toISOString() });
      break;
    }
    case 'cancel': {
      triggerId = decision.triggerId;
      // Received below the threshold counts as corrected below: a later report across it starts it again.
      await updateTrigger(tx.db, decision.triggerId, { status: 'cancelled', cancel_reason: decision.reason === 'cancelled' ? 'cancelled' : 'corrected_below', last_report_at: reportAt }, telegramId);
      const why = {
        cancelled: '気象庁が地震情報を取り消しました。',
        corrected_below: `気象庁の訂正で${intensityLabel(settings.minIntensity)}未満になりました。`,
        received_below: `未入電だった震度が気象庁の発表で届き、${measuredLabel(reading.measured)}（${intensityLabel(settings.minIntensity)}未満）でした。`,
        city_below: `市町村の震度が気象庁の発表で届き、${areaName} ${measuredLabel(reading.measured)}（${intensityLabel(settings.minIntensity)}未満）でした。`,
      }[decision.reason];
      tell('【地震】自動の安否確認は始めません', why, { key: `trigger:${triggerId}`, kind: 'cancelled', intensity: same?.intensity ?? null, unreceived: same?.unreceived ?? false });
      break;
    }
    case 'cancelled_after_start':
      triggerId = decision.triggerId;
      await updateTrigger(tx.db, decision.triggerId, { last_report_at: reportAt }, telegramId);
      if (decision.drillId) await addToActiveDrill(ctx, tx.db, decision.drillId, `気象庁が地震情報を取り消しました（${telegram.eventId}）`, false);
      tell('【地震】気象庁が地震情報を取り消しました', '安否確認は続いています。必要がなければダッシュボードから終了してください。', { key: byTelegram, kind: 'cancelled_after_start', drillId: decision.drillId, intensity: same?.intensity ?? null, unreceived: same?.unreceived ?? false, asked: !!decision.drillId });
      break;
    case 'aftershock': {
      triggerId = decision.triggerId;
      await updateTrigger(tx.db, decision.triggerId, {}, telegramId);
      const asked = decision.drillId ? await addToActiveDrill(ctx, tx.db, decision.drillId, `余震 ${label(decision.intensity)}（${telegram.eventId}）: まだ確認できていない世帯にもう一度たずねます`, true) : false;
      tell(`【余震】${label(decision.intensity)}`, asked ? '新しい安否確認は始めません。まだ確認できていない世帯にもう一度たずねます。' : '新しい安否確認は始めません。', { key: byTelegram, kind: 'aftershock', drillId: decision.drillId, asked });
      break;
    }
    case 'none':
      triggerId = same?.id ?? null;
      if (decision.reason === 'unreceived_unsure') {
        tell(`【地震】${areaName} 震度5弱以上未入電`, `震度がまだ届いていない市町村があります。5弱以上の可能性がありますが、自動で始める${intensityLabel(settings.minIntensity)}以上とは限らないため始めません。必要ならダッシュボードから安否確認を始めてください。`, { key: byTelegram, kind: 'unreceived' });
      }
      break;
  }
  tx.afterCommit(() => logChanged(ctx, associationId, telegramId));
  await insertDecision(tx.db, { telegram_id: telegramId, association_id: associationId, action: decision.action, reason: reasonOf(decision), intensity: decision.action === 'cancel' || decision.action === 'cancelled_after_start' ? null : decision.intensity, trigger_id: triggerId,
    basis: telegram.infoType === '取消' || !areaNames.length ? null : reading.basis, places: telegram.infoType === '取消' ? [] : areaNames,
  });
}

/** The received reading for the association's areas or cities, for a notice (「震度4」). */
function measuredLabel(measured: Intensity | null): string {
  return measured ? intensityLabel(measured) : '震度不明';
}

function reasonOf(decision: Decision): string {
  return decision.action === 'cancelled_after_start' ? 'cancelled' : decision.action === 'aftershock' ? 'aftershock' : decision.reason;
}

/**
 * The `quake-fire` job: a pending trigger whose hold-off has passed starts its event through
 * the drills' own start (started by the system, its report and audit naming the telegrams),
 * and is marked started, in one transaction. A trigger cancelled or started meanwhile is skipped.
 * One event per aftershock window: when another quake's trigger of the same kind started an
 * event in the window and this one is no stronger, it joins that event (officers told, the not
 * yet accounted for asked again) instead of starting a second one.
 */
export async function fire(ctx: ServiceContext, triggerId: string, round?: number): Promise<'started' | 'joined' | 'skipped' | 'no_households'> {
  try {
    return await inTransaction(ctx.db, ctx.log, async (tx) => {
      const found = await tx.db.selectFrom('quake_triggers').select('association_id').where('id', '=', triggerId).executeTakeFirst();
      if (found) await lockAssociation(tx.db, found.association_id);
      const trigger = await lockTrigger(tx.db, triggerId);
      if (!trigger || trigger.status !== 'pending' || (round !== undefined && round !== trigger.round)) {
        ctx.log.info({ triggerId, status: trigger?.status, round }, 'quake trigger skipped: no longer pending (or pending again in a later round)');
        return 'skipped';
      }
      const telegrams = await telegramsOf(tx.db, trigger.telegram_ids);
      const why = telegrams.map((t) => `気象庁 ${t.parsed?.title ?? ''} ${t.info_type ?? ''} EventID ${t.event_id} ${t.report_at?.toISOString() ?? ''} ${t.entry_id}`);
      const label = triggerLabel(trigger.area_name, trigger.intensity, trigger.unreceived);
      const notice = (said: Pick<QuakeNotice, 'kind' | 'drillId' | 'asked'>): QuakeNotice => ({
        key: `trigger:${trigger.id}`, eventKind: trigger.kind, intensity: trigger.intensity, unreceived: trigger.unreceived, areaNames: trigger.area_name ? [trigger.area_name] : [], quakeEventId: trigger.event_id, fireAt: null, ...said,
      });
      const settings = await storedSettings(tx.db, trigger.association_id);
      const windowStart = new Date(trigger.created_at.getTime() - (settings?.aftershock_seconds ?? 0) * 1000);
      const first = await recentTrigger(tx.db, trigger.association_id, trigger.kind, windowStart, trigger.id);
      if (first?.drill_id && rank(trigger.intensity) <= rank(first.intensity)) {
        const asked = await addToActiveDrill(ctx, tx.db, first.drill_id, `余震 ${label}（${trigger.event_id}）: まだ確認できていない世帯にもう一度たずねます`, true);
        await updateTrigger(tx.db, trigger.id, { status: 'started', drill_id: first.drill_id });
        await audit(tx.db, { associationId: trigger.association_id, actorPersonId: null, action: 'quake.joined', subject: first.drill_id, detail: { triggerId, eventId: trigger.event_id, intensity: trigger.intensity, telegrams: telegrams.map((t) => t.entry_id) } });
        tx.afterCommit(() => tellOfficers(ctx, trigger.association_id, { title: `【余震】${label}`, body: asked ? '新しい安否確認は始めません。まだ確認できていない世帯にもう一度たずねます。' : '新しい安否確認は始めません。', drillId: first.drill_id }, notice({ kind: 'aftershock', drillId: first.drill_id, asked })));
        return 'joined';
      }
      // The once-only marker first (pending → started), then the event: a fire stopped anywhere after it rolls back both.
      await updateTrigger(tx.db, trigger.id, { status: 'started' });
      const drill = await beginDrill(ctx, tx.db, trigger.association_id, null, {
        kind: trigger.kind,
        ...residentsWording(trigger),
        targetBlockIds: null, announced: true, deadlineAt: new Date(Date.now() + (settings?.deadline_seconds ?? EVENT_SECONDS) * 1000).toISOString(),
        volunteersAfterSeconds: settings?.volunteers_after_seconds ?? VOLUNTEERS_AFTER_SECONDS, officersAfterSeconds: settings?.officers_after_seconds ?? OFFICERS_AFTER_SECONDS,
      }, why);
      await updateTrigger(tx.db, trigger.id, { drill_id: drill.id });
      await audit(tx.db, { associationId: trigger.association_id, actorPersonId: null, action: 'quake.triggered', subject: drill.id, detail: { triggerId, eventId: trigger.event_id, intensity: trigger.intensity, telegrams: telegrams.map((t) => t.entry_id) } });
      tx.afterCommit(() => announceStart(ctx, drill));
      tx.afterCommit(() => tellOfficers(ctx, trigger.association_id, { title: `【地震】${label}: 安否確認を始めました`, body: '全世帯にたずねています。終了はダッシュボードから。', drillId: drill.id }, notice({ kind: 'started', drillId: drill.id, asked: true })));
      return 'started';
    });
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 400) throw error;
    // No households to ask (an association with its areas set and an empty roster): nothing can start; retrying would not help.
    await inTransaction(ctx.db, ctx.log, (tx) => updateTrigger(tx.db, triggerId, { status: 'cancelled' }));
    ctx.log.warn({ triggerId }, 'quake trigger not started: no households');
    return 'no_households';
  }
}

/** A pending trigger this long past its time has lost its quake-fire job (given up, or never sent): the poll sends it again. */
export const OVERDUE_SECONDS = 60;

/**
 * Part of every `quake-poll`: fire again the pending triggers more than OVERDUE_SECONDS past
 * their time. `fire` locks the trigger and checks it is still pending, so a repeat is harmless;
 * the job id names the trigger, its round and the minute, so each poll adds at most one.
 */
export async function refireOverdue(ctx: ServiceContext, now = new Date()): Promise<number> {
  const overdue = await overdueTriggers(ctx.db, new Date(now.getTime() - OVERDUE_SECONDS * 1000));
  if (!overdue.length) return 0;
  const minute = String(Math.floor(now.getTime() / 60_000));
  await inTransaction(ctx.db, ctx.log, async (tx) => {
    for (const t of overdue) await ctx.jobs.send(tx.db, 'quake-fire', { triggerId: t.id, round: t.round }, { id: stableJobId('quake-fire-overdue', t.id, String(t.round), minute) });
  });
  ctx.log.warn({ triggers: overdue.map((t) => t.id) }, 'overdue quake triggers fired again');
  return overdue.length;
}
