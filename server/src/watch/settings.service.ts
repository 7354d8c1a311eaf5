import type { ServiceContext } from '../common/service-context.js';
import { requireVisible, type Actor } from '../common/access.js';
import type { HouseholdWatch, WatchSettings, WatchSettingsUpdate } from '../contracts/watch.js';
import type { Db } from '../platform/db/database.js';
import { HttpError } from '../platform/http/errors.js';
import { activityDays } from './activity.service.js';
import { loadAlerts } from './alert.service.js';
import * as watch from './watch.repository.js';
import { audienceFor, mayEditConsent, mayEditSettings, mayManageAway, seesAlertKind, seesWatch, type Audience } from './watch.policy.js';
import { effectiveNextCheck, nextCheckOf, quietOf } from './watch-time.js';
import { rhythmOf } from './rhythm.service.js';

/** A home's watch rules and consent, its away periods, and its watch view. */

export function settingsView(s: watch.SettingsRow): WatchSettings {
  return {
    enabled: s.enabled, inactivityHours: s.inactivity_seconds / 3600, quietHours: quietOf(s), offlineMinutes: s.offline_minutes,
    promptWaitMinutes: s.prompt_wait_seconds / 60, tierWaitMinutes: s.tier_wait_seconds / 60,
    inactivitySeconds: s.inactivity_seconds, promptWaitSeconds: s.prompt_wait_seconds, tierWaitSeconds: s.tier_wait_seconds,
    rhythmEnabled: s.rhythm_enabled, rhythmGraceMinutes: s.rhythm_grace_seconds / 60, rhythmGraceSeconds: s.rhythm_grace_seconds, shareWithFamily: s.share_with_family,
    shareWithCaptain: s.share_with_captain, shareWithVolunteers: s.share_with_volunteers,
  };
}

/** Every household with a speaker is watched; its rules start at the defaults. */
export async function ensureWatchSettings(db: Db, householdId: string, associationId: string) {
  await watch.insertDefaultSettings(db, householdId, associationId);
}

/**
 * What an actor is to a household, read only: a home without rules yet is judged on the
 * default consent and nothing is written, so a refused request (404/403) leaves no trace.
 * Callers enrol the home (`enrolled`) only once every check has passed. A home of another
 * association, or one whose watch data the actor may not see, answers 404.
 */
async function visibleAudience(db: Db, actor: Actor, householdId: string, may: (a: Audience) => boolean = seesWatch): Promise<Audience> {
  const household = await watch.findHousehold(db, householdId);
  const settings = household && household.association_id === actor.associationId ? await watch.findSettings(db, householdId) : undefined;
  const audience = household && household.association_id === actor.associationId ? audienceFor(actor, { id: householdId, blockId: household.block_id }, settings ?? null) : undefined;
  requireVisible(!!audience && may(audience), 'household');
  return audience!;
}

/** The home's rules, starting them at the defaults if it has none: only after authorization. */
async function enrolled(db: Db, actor: Actor, householdId: string) {
  await ensureWatchSettings(db, householdId, actor.associationId);
  return (await watch.findSettings(db, householdId))!;
}

export const logAccess = (db: Db, actor: Actor, householdIds: string[], what: string) =>
  watch.logAccess(db, householdIds.map((id) => ({ association_id: actor.associationId, person_id: actor.personId, household_id: id, what })));

export async function householdWatch(ctx: ServiceContext, actor: Actor, householdId: string): Promise<HouseholdWatch> {
  const audience = await visibleAudience(ctx.db, actor, householdId);
  const { settings, rhythm } = await rhythmOf(ctx, await enrolled(ctx.db, actor, householdId));
  await logAccess(ctx.db, actor, [householdId], 'activity');
  const [household, days, away, alerts] = await Promise.all([
    watch.findHousehold(ctx.db, householdId),
    activityDays(ctx.db, householdId, settings.time_zone),
    watch.awayPeriodsAhead(ctx.db, householdId),
    loadAlerts(ctx.db, { associationId: actor.associationId, householdIds: [householdId] }),
  ]);
  return {
    householdId, name: household!.name, settings: settingsView(settings),
    canEditSettings: mayEditSettings(audience),
    canEditConsent: mayEditConsent(audience),
    lastActivityAt: settings.last_activity_at?.toISOString() ?? null,
    nextCheckAt: effectiveNextCheck(settings, settings.time_zone)?.toISOString() ?? null,
    rhythm,
    days,
    away: away.map((a) => ({ id: a.id, startsAt: a.starts_at.toISOString(), endsAt: a.ends_at.toISOString(), reason: a.reason })),
    alerts: alerts.map((a) => a.alert).filter((a) => seesAlertKind(a.kind, audience)).slice(0, 20),
  };
}

export async function updateSettings(ctx: ServiceContext, actor: Actor, householdId: string, input: WatchSettingsUpdate) {
  const audience = await visibleAudience(ctx.db, actor, householdId);
  if (!mayEditSettings(audience)) throw HttpError.forbidden('Only the household, its family and officers can change its watch rules.');
  const consent = input.shareWithFamily !== undefined || input.shareWithCaptain !== undefined || input.shareWithVolunteers !== undefined;
  if (consent && !mayEditConsent(audience)) throw HttpError.forbidden('Only the household (or an officer on its behalf) decides who may see its watch data.');
  const settings = await enrolled(ctx.db, actor, householdId);
  const inactivitySeconds = input.inactivitySeconds ?? (input.inactivityHours !== undefined ? input.inactivityHours * 3600 : settings.inactivity_seconds);
  const quietHours = input.quietHours !== undefined ? input.quietHours : quietOf(settings);
  const promptWaitSeconds = input.promptWaitSeconds ?? (input.promptWaitMinutes !== undefined ? input.promptWaitMinutes * 60 : undefined);
  const tierWaitSeconds = input.tierWaitSeconds ?? (input.tierWaitMinutes !== undefined ? input.tierWaitMinutes * 60 : undefined);
  const rhythmGraceSeconds = input.rhythmGraceSeconds ?? (input.rhythmGraceMinutes !== undefined ? input.rhythmGraceMinutes * 60 : settings.rhythm_grace_seconds);
  const rhythmEnabled = input.rhythmEnabled ?? settings.rhythm_enabled;
  const rules = { ...settings, inactivity_seconds: inactivitySeconds, quiet_start: quietHours?.start ?? null, quiet_end: quietHours?.end ?? null, rhythm_enabled: rhythmEnabled, rhythm_grace_seconds: rhythmGraceSeconds };
  await watch.updateSettings(ctx.db, householdId, {
    ...(input.enabled !== undefined && { enabled: input.enabled }),
    inactivity_seconds: inactivitySeconds,
    quiet_start: quietHours?.start ?? null,
    quiet_end: quietHours?.end ?? null,
    ...(input.offlineMinutes !== undefined && { offline_minutes: input.offlineMinutes }),
    ...(promptWaitSeconds !== undefined && { prompt_wait_seconds: promptWaitSeconds }),
    ...(tierWaitSeconds !== undefined && { tier_wait_seconds: tierWaitSeconds }),
    rhythm_enabled: rhythmEnabled,
    rhythm_grace_seconds: rhythmGraceSeconds,
    ...(input.shareWithFamily !== undefined && { share_with_family: input.shareWithFamily }),
    ...(input.shareWithCaptain !== undefined && { share_with_captain: input.shareWithCaptain }),
    ...(input.shareWithVolunteers !== undefined && { share_with_volunteers: input.shareWithVolunteers }),
    // New rules, new next check (unless an alert is already running for the home).
    ...(settings.next_check_at && { next_check_at: nextCheckOf(settings.last_activity_at ?? new Date(), rules, settings.time_zone) }),
    updated_at: new Date(),
  });
  await logAccess(ctx.db, actor, [householdId], 'settings_changed');
  return householdWatch(ctx, actor, householdId);
}

export async function addAway(ctx: ServiceContext, actor: Actor, householdId: string, input: { startsAt: string; endsAt: string; reason: string }) {
  const audience = await visibleAudience(ctx.db, actor, householdId);
  if (!mayManageAway(audience)) throw HttpError.forbidden('Only the household, its family and officers can set away periods.');
  if (Date.parse(input.endsAt) <= Date.now()) throw HttpError.badRequest('The away period is already over.', 'endsAt');
  await watch.insertAway(ctx.db, { household_id: householdId, association_id: actor.associationId, starts_at: input.startsAt, ends_at: input.endsAt, reason: input.reason, created_by: actor.personId });
  return householdWatch(ctx, actor, householdId);
}

export async function removeAway(ctx: ServiceContext, actor: Actor, householdId: string, awayId: string) {
  await visibleAudience(ctx.db, actor, householdId, mayManageAway);
  requireVisible(await watch.deleteAway(ctx.db, householdId, awayId), 'away period');
  return householdWatch(ctx, actor, householdId);
}
