import type { ServiceContext } from '../common/service-context.js';
import { rooms } from '../contracts/socket.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { Prompt } from '../../../devices/src/protocol.js';
import * as alerts from './alert.repository.js';
import { announce } from './alert.service.js';
import * as watch from './watch.repository.js';
import { nextCheckOf } from './watch-time.js';

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
export async function raiseSilent(ctx: ServiceContext, settings: watch.SettingsRow) {
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
      detail: settings.last_activity_at ? `last activity ${settings.last_activity_at.toISOString()}` : '',
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

/** Whether a home due a check is silent, or is away, or has only its speakers gone (and when to look again). */
async function lookAgainAt(ctx: ServiceContext, settings: watch.SettingsRow, now: Date): Promise<Date | undefined> {
  const away = await watch.currentAway(ctx.db, settings.household_id, now);
  // Away (travel, hospital): look again a threshold after they are back.
  if (away) return nextCheckOf(away.ends_at, settings);
  // A home whose speakers were heard from and have all gone offline is not silent: its
  // device is (the device-offline alert covers it). Look again in an hour.
  const speakers = await watch.liveSpeakers(ctx.db, settings.household_id);
  if (speakers.length > 0 && speakers.every((d) => !d.online && d.last_seen_at !== null)) return new Date(now.getTime() + 3600_000);
  return undefined;
}

export async function scan(ctx: ServiceContext, limit = 1000) {
  const now = new Date();
  let raised = 0;
  for (const settings of await watch.dueSettings(ctx.db, now, limit)) {
    const later = await lookAgainAt(ctx, settings, now);
    if (later) {
      await watch.setNextCheck(ctx.db, settings.household_id, later);
      continue;
    }
    // One home's failure (its transaction rolled back, so it is still due) must not stop the
    // scan for every other home: it is logged and the next scan takes it up again.
    try {
      if (await raiseSilent(ctx, settings)) raised++;
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
