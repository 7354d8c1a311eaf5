import type { ServiceContext } from '../common/service-context.js';
import type { ActivityEvent } from '../platform/module.js';
import type { HouseholdWatch } from '../contracts/watch.js';
import type { Db } from '../platform/db/database.js';
import * as alerts from './alert.repository.js';
import { closeAlert } from './alert.service.js';
import { raiseHelp } from './escalation.service.js';
import * as watch from './watch.repository.js';
import { addDays } from '../common/local-time.js';
import { checkSlackMs, localDateHour, nextCheckOf } from './watch-time.js';

/** Signs of life from homes and devices: counted, moving each home's next check on, closing what they answer. */

type HourlyRow = { household_id: string; hour: Date; presence: number; buttons: number; voice: number };

/** Each home's latest event, and the events counted by home and hour. */
function tally(events: ActivityEvent[]) {
  const homes = new Map<string, { associationId: string; latest: Date }>();
  const hourly = new Map<string, HourlyRow>();
  for (const e of events) {
    const home = homes.get(e.householdId);
    if (!home || home.latest < e.at) homes.set(e.householdId, { associationId: e.associationId, latest: e.at });
    const hour = new Date(Math.floor(e.at.getTime() / 3600_000) * 3600_000);
    const key = `${e.householdId}|${hour.getTime()}`;
    const row = hourly.get(key) ?? { household_id: e.householdId, hour, presence: 0, buttons: 0, voice: 0 };
    if (e.type === 'presence') row.presence += e.count ?? 1;
    else if (e.type === 'button') row.buttons += 1;
    else row.voice += 1;
    hourly.set(key, row);
  }
  return { homes, hourly: [...hourly.values()] };
}

/**
 * Signs of life from homes, a batch at a time: counted in their hourly aggregates (one
 * upsert), and each home's last activity and next check moved forward (one update; the next
 * check only once it trails by more than its slack, watch-time.ts checkSlackMs). A silent-home alert still
 * at the resident's own prompt is cancelled by it; one that has reached people records it
 * for them to see. A help press raises its alert at once.
 */
export async function recordActivities(ctx: ServiceContext, events: ActivityEvent[]) {
  if (!events.length) return;
  const { homes, hourly } = tally(events);
  const householdIds = [...homes.keys()];
  // Counted, and the homes' settings read, in one statement. Homes are enrolled by their first
  // sign of life: read first, and write only the few new.
  let settings = await watch.addHourlyActivity(ctx.db, householdIds, hourly);
  if (settings.length < householdIds.length) {
    const enrolled = new Set(settings.map((st) => st.household_id));
    const fresh = householdIds.filter((id) => !enrolled.has(id));
    await watch.enrolHomes(ctx.db, fresh.map((id) => ({ household_id: id, association_id: homes.get(id)!.associationId })));
    settings = [...settings, ...(await watch.settingsOf(ctx.db, fresh))];
  }
  // moveLastActivity locks the rows in household id order itself (rhythm.repository.ts, "Lock
  // order"); sorted here too so the statement's parameter is the same for the same homes.
  const moved = settings
    .filter((st) => !st.last_activity_at || st.last_activity_at < homes.get(st.household_id)!.latest)
    .sort((a, b) => (a.household_id < b.household_id ? -1 : a.household_id > b.household_id ? 1 : 0))
    .map((st) => {
      const latest = homes.get(st.household_id)!.latest;
      const next = nextCheckOf(latest, st, st.time_zone);
      return { id: st.household_id, at: latest.toISOString(), next: next.toISOString(), slack: new Date(next.getTime() - checkSlackMs(st)).toISOString() };
    });
  if (moved.length) await watch.moveLastActivity(ctx.db, moved);
  for (const e of events.filter((x) => x.type === 'button' && x.button === 'help')) await raiseHelp(ctx, e.householdId, e.associationId);
  for (const alert of await alerts.liveAlertsOfHomes(ctx.db, householdIds, 'silent')) {
    const what = events.filter((e) => e.householdId === alert.household_id).map((e) => e.type).join(',');
    if (alert.tier === 'resident') await closeAlert(ctx, alert.id, { status: 'cancelled', outcome: 'fine', note: '', what: 'activity', personId: null });
    else await alerts.insertAlertEvent(ctx.db, { alert_id: alert.id, what: 'activity', tier: null, person_id: null, detail: what });
  }
}

export function recordActivity(ctx: ServiceContext, event: ActivityEvent) {
  return recordActivities(ctx, [event]);
}

/** The resident answered a watch prompt from the speaker: safe closes it, help raises everyone. */
export async function recordPromptAnswer(ctx: ServiceContext, input: { householdId: string; associationId: string; promptId: string; button: 'safe' | 'help'; at: Date }) {
  const alert = await alerts.findHomeAlert(ctx.db, input.promptId, input.householdId);
  if (!alert) return false;
  if (input.button === 'help') await raiseHelp(ctx, input.householdId, input.associationId);
  else if (alert.status === 'open' || alert.status === 'taken') {
    await closeAlert(ctx, alert.id, { status: 'resolved', outcome: 'fine', note: '本人が「無事」ボタンで応答', what: 'resident_safe', personId: null });
  }
  // A press is also a sign of life (counted, and it moves the next check on); help was raised above.
  await recordActivity(ctx, { householdId: input.householdId, associationId: input.associationId, at: input.at, type: 'button' });
  return true;
}

/** Devices heard from again close their offline alerts. */
export async function devicesBack(ctx: ServiceContext, deviceIds: string[]) {
  if (!deviceIds.length) return;
  for (const alert of await alerts.liveDeviceAlerts(ctx.db, deviceIds)) {
    await closeAlert(ctx, alert.id, { status: 'resolved', outcome: 'device_fixed', note: '端末が再接続しました', what: 'device_back', personId: null });
  }
}

/**
 * A home's activity over the last 14 days: 24 hourly counts a day, oldest day first, by the
 * clock of its association's `zone`. The days are calendar days counted back from today, not
 * 24-hour steps, which would skip a 23-hour day (the clocks put forward).
 */
export async function activityDays(db: Db, householdId: string, zone: string): Promise<HouseholdWatch['days']> {
  // A day more than the 14 shown: the oldest one starts up to 14 days and a daylight-saving hour back.
  const hours = await watch.hourlyActivity(db, householdId, new Date(Date.now() - 15 * 86_400_000));
  const today = localDateHour(new Date(), zone).date;
  const days: HouseholdWatch['days'] = [];
  for (let d = 13; d >= 0; d--) days.push({ date: addDays(today, -d), hours: Array(24).fill(0) });
  for (const h of hours) {
    const { date, hour } = localDateHour(h.hour, zone);
    const day = days.find((x) => x.date === date);
    if (day) day.hours[hour]! += h.presence + h.buttons + h.voice;
  }
  return days;
}

/** Raw device events past their retention are deleted; hourly aggregates and alerts stay. */
export function deleteOldEvents(ctx: ServiceContext, retentionDays: number) {
  return watch.deleteDeviceMessagesBefore(ctx.db, retentionDays);
}
