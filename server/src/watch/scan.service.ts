import type { ServiceContext } from '../common/service-context.js';
import { rooms } from '../contracts/socket.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { Prompt } from '../../../devices/src/protocol.js';
import * as alerts from './alert.repository.js';
import { announce } from './alert.service.js';
import * as watch from './watch.repository.js';
import { moveNextChecks } from './rhythm.repository.js';
import { effectiveNextCheck, nextCheckOf, rhythmApplies } from './watch-time.js';

/** The scan: silent homes and silent devices, found by index, each raised once. */

const PROMPT_TEXT = 'お元気ですか？ 無事なら「無事」ボタンを押してください。助けが必要なら「助けて」ボタンを押してください。';

/** The watch prompt asked on a home's speakers; its id is the alert's, so the answer finds it. */
export function watchPrompt(alertId: string, waitSeconds: number): Prompt {
  return { id: alertId, kind: 'watch', text: PROMPT_TEXT, buttons: ['safe', 'help'], expiresAt: new Date(Date.now() + waitSeconds * 1000).toISOString() };
}

/**
 * A home gone silent: the resident is asked first, through the speaker; the people in the
 * next tier are told only if nobody answers within the wait. One live alert per home: a
 * second scan, or a second instance, finds the first and stops. The alert, the cleared
 * next check, its first event and the next tier's job are one transaction; the prompt and
 * the announcement go out after it commits.
 */
export async function raiseSilent(ctx: ServiceContext, settings: watch.SettingsRow, why = settings.last_activity_at ? `last activity ${settings.last_activity_at.toISOString()}` : '') {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const alert = await alerts.insertAlert(tx.db, { association_id: settings.association_id, household_id: settings.household_id, kind: 'silent', tier: 'resident' });
    await watch.setNextCheck(tx.db, settings.household_id, null);
    if (!alert) {
      ctx.log.info({ householdId: settings.household_id }, 'silent home skipped: its alert is already live');
      return undefined;
    }
    const speakers = await watch.liveSpeakers(tx.db, settings.household_id);
    const prompted = speakers.length > 0;
    await alerts.insertAlertEvent(tx.db, {
      alert_id: alert.id, what: prompted ? 'prompted' : 'no_speaker', tier: 'resident', person_id: null,
      detail: why,
    });
    await ctx.jobs.send(
      tx.db,
      'watch-escalate',
      { alertId: alert.id, tier: 'family_captain' },
      { startAfter: new Date(Date.now() + (prompted ? settings.prompt_wait_seconds : 0) * 1000), singletonKey: `${alert.id}:family_captain` },
    );
    tx.afterCommit(() => ctx.reach.devices(speakers, { kind: 'prompt', payload: watchPrompt(alert.id, settings.prompt_wait_seconds) }));
    tx.afterCommit(() => announce(ctx, alert.id, false));
    return alert.id;
  });
}

/** The device marked offline, its alert and the alert's event: one transaction; officers are told after it. */
async function raiseDeviceOffline(ctx: ServiceContext, device: { id: string; association_id: string; household_id: string }) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    await watch.markDeviceOffline(tx.db, device.id);
    const alert = await alerts.insertAlert(tx.db, { association_id: device.association_id, household_id: device.household_id, device_id: device.id, kind: 'device_offline', tier: 'officers' });
    if (!alert) {
      ctx.log.info({ deviceId: device.id, householdId: device.household_id }, 'offline device skipped: its home already has a live device alert');
      return false;
    }
    await alerts.insertAlertEvent(tx.db, { alert_id: alert.id, what: 'device_offline', tier: 'officers', person_id: null });
    tx.afterCommit(() =>
      ctx.realtime.emit([rooms.officers(device.association_id)], 'watch:alert', { alertId: alert.id, householdId: device.household_id, kind: 'device_offline', tier: 'officers', status: 'open' }),
    );
    return true;
  });
}

/**
 * Of the homes due a check, those to look at again later instead, and when: a home active
 * since its check was set, whose check ingest left early within its slack (watch-time.ts
 * effectiveNextCheck), when its latest activity puts it; a home away
 * (travel, hospital) a threshold after it is back; a home whose speakers were all heard from
 * and have gone offline in an hour (it is its device that is silent, and the device-offline
 * alert covers it). Two statements for all of them.
 */
async function lookAgainAt(ctx: ServiceContext, due: watch.SettingsRow[], now: Date): Promise<Map<string, Date>> {
  const ids = due.map((s) => s.household_id);
  const later = new Map<string, Date>();
  if (!ids.length) return later;
  const [away, speakers] = await Promise.all([watch.awayEnds(ctx.db, ids, now), watch.speakersOfHomes(ctx.db, ids)]);
  for (const settings of due) {
    // A check ingest left trailing the home's latest activity (within its slack) is early: moved to where that activity puts it.
    const effective = effectiveNextCheck(settings, settings.time_zone);
    if (effective && effective > now) later.set(settings.household_id, effective);
    const home = speakers.filter((d) => d.household_id === settings.household_id);
    if (home.length > 0 && home.every((d) => !d.online && d.last_seen_at !== null)) later.set(settings.household_id, new Date(now.getTime() + 3600_000));
  }
  for (const a of away) {
    const settings = due.find((s) => s.household_id === a.household_id)!;
    later.set(a.household_id, nextCheckOf(new Date(a.ends_at), settings, settings.time_zone));
  }
  return later;
}

/** Why a home is checked now, for its alert's first event. */
function whyChecked(settings: watch.SettingsRow, now: Date) {
  const last = settings.last_activity_at;
  if (!last) return '';
  const silentFor = now.getTime() - last.getTime();
  const byRhythm = rhythmApplies(settings) && silentFor < settings.inactivity_seconds * 1000;
  return byRhythm ? `rhythm: usually active by ${settings.rhythm_usual_hour}:00; last activity ${last.toISOString()}` : `last activity ${last.toISOString()}`;
}

/**
 * Homes due a check (by the index on next_check_at, whether the fixed threshold or the home's
 * rhythm set it: watch-time.ts `nextCheckOf`) and devices gone silent, each raised once. `now`
 * is the scan's clock (a test or a rehearsal passes its own).
 */
export async function scan(ctx: ServiceContext, limit = 1000, now = new Date()) {
  let raised = 0;
  const due = await watch.dueSettings(ctx.db, now, limit);
  const later = await lookAgainAt(ctx, due, now);
  const seen = new Map(due.map((s) => [s.household_id, s.next_check_at?.toISOString()]));
  await moveNextChecks(ctx.db, [...later].map(([id, at]) => ({ id, next: at.toISOString(), seen: seen.get(id) })));
  for (const settings of due) {
    if (later.has(settings.household_id)) continue;
    // One home's failure (its transaction rolled back, so it is still due) must not stop the
    // scan for every other home: it is logged and the next scan takes it up again.
    try {
      if (await raiseSilent(ctx, settings, whyChecked(settings, now))) raised++;
    } catch (error) {
      ctx.log.error({ err: error, householdId: settings.household_id }, 'raising a silent-home alert failed; the next scan retries it');
    }
  }
  let offline = 0;
  for (const device of await watch.silentDevices(ctx.db, limit)) {
    if (await raiseDeviceOffline(ctx, { ...device, household_id: device.household_id! })) offline++;
  }
  return { raised, offline };
}
