import { requireRole, type Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import type { ServiceContext } from '../common/service-context.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { quakeAreas } from '../contracts/quake-areas.js';
import { quakeCity } from '../contracts/quake-cities.js';
import type { QuakeLogEntry, QuakeSettings, QuakeSettingsSave } from '../contracts/quakes.js';
import type { QuakeNotice } from '../contracts/socket.js';
import { decisionLog, noticeDecisions, noticeTriggers, saveSettings as save, settingsOf } from './quake.repository.js';
import { isUnreceivedCount } from './trigger.service.js';
import { quakePolicy, readingFor } from './trigger.policy.js';
import { noticeShape } from './notice.service.js';

/** The officers' side of earthquake triggers: the settings and the log. */

const DEFAULTS: QuakeSettings = {
  areaCodes: [], cityCodes: [], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 6 * 3600, drillsFromTraining: false, deadlineSeconds: 3 * 3600, volunteersAfterSeconds: 15 * 60, officersAfterSeconds: 30 * 60,
};

function view(row: Awaited<ReturnType<typeof settingsOf>>) {
  const settings: QuakeSettings = row
    ? {
      areaCodes: row.area_codes, cityCodes: row.city_codes, minIntensity: row.min_intensity, holdOffSeconds: row.hold_off_seconds, aftershockSeconds: row.aftershock_seconds, drillsFromTraining: row.drills_from_training,
      deadlineSeconds: row.deadline_seconds, volunteersAfterSeconds: row.volunteers_after_seconds, officersAfterSeconds: row.officers_after_seconds,
    }
    : DEFAULTS;
  const areas = settings.areaCodes.map((code) => ({ code, name: quakeAreas.find((a) => a.code === code)?.name ?? code }));
  const cities = settings.cityCodes.map((code) => quakeCity(code) ?? { code, name: code, areaCode: '' });
  return { ...settings, areas, cities, updatedAt: row ? row.updated_at.toISOString() : null };
}

export async function getSettings(ctx: ServiceContext, actor: Actor) {
  requireRole(quakePolicy.canManage(actor), 'officers');
  return view(await settingsOf(ctx.db, actor.associationId));
}

export async function saveSettings(ctx: ServiceContext, actor: Actor, body: QuakeSettingsSave) {
  requireRole(quakePolicy.canManage(actor), 'officers');
  // The settings and their audit row together: a trigger no one can account for is never kept.
  const row = await inTransaction(ctx.db, ctx.log, async (tx) => {
    // Event timing left out of the body stays as stored.
    const stored = view(await settingsOf(tx.db, actor.associationId));
    const input: QuakeSettings = {
      ...body,
      // Cities left out of the body (an app cached from before they existed) stay as stored, where their area is still chosen.
      cityCodes: body.cityCodes ?? stored.cityCodes.filter((code) => body.areaCodes.includes(quakeCity(code)?.areaCode ?? '')),
      deadlineSeconds: body.deadlineSeconds ?? stored.deadlineSeconds,
      volunteersAfterSeconds: body.volunteersAfterSeconds ?? stored.volunteersAfterSeconds,
      officersAfterSeconds: body.officersAfterSeconds ?? stored.officersAfterSeconds,
    };
    if (input.officersAfterSeconds <= input.volunteersAfterSeconds) throw HttpError.badRequest('officers come after volunteers', 'officersAfterSeconds');
    const saved = await save(tx.db, actor.associationId, {
      area_codes: input.areaCodes, city_codes: input.cityCodes, min_intensity: input.minIntensity, hold_off_seconds: input.holdOffSeconds,
      aftershock_seconds: input.aftershockSeconds, drills_from_training: input.drillsFromTraining,
      deadline_seconds: input.deadlineSeconds, volunteers_after_seconds: input.volunteersAfterSeconds, officers_after_seconds: input.officersAfterSeconds,
    }, actor.personId);
    await audit(tx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'quake.settings', detail: input });
    return saved;
  });
  return view(row);
}

export async function log(ctx: ServiceContext, actor: Actor, limit: number): Promise<{ items: QuakeLogEntry[] }> {
  requireRole(quakePolicy.canManage(actor), 'officers');
  const rows = await decisionLog(ctx.db, actor.associationId, limit);
  return {
    items: rows.map((r) => ({
      id: Number(r.id), at: r.at.toISOString(), title: r.title, eventId: r.event_id, infoType: r.info_type, status: r.status,
      reportAt: r.report_at?.toISOString() ?? null, url: r.url, action: r.action, reason: r.reason, intensity: r.intensity, basis: r.basis, places: r.places,
      trigger: r.trigger_status ? { status: r.trigger_status, fireAt: r.fire_at!.toISOString(), drillId: r.drill_id } : null,
    })),
  };
}

/**
 * The notices that still matter, from the stored state (an officer whose app was closed when
 * they went out): with the keys and fields of the live `quake:notice` events, newest first.
 */
export async function notices(ctx: ServiceContext, actor: Actor): Promise<{ items: QuakeNotice[] }> {
  requireRole(quakePolicy.canManage(actor), 'officers');
  const [row, triggers, decisions] = await Promise.all([settingsOf(ctx.db, actor.associationId), noticeTriggers(ctx.db, actor.associationId), noticeDecisions(ctx.db, actor.associationId)]);
  const settings = { areaCodes: row?.area_codes ?? [], cityCodes: row?.city_codes ?? [] };
  const dated: { at: Date; notice: QuakeNotice }[] = [
    ...triggers.map((t) => ({
      at: t.created_at,
      notice: {
        key: `trigger:${t.id}`, kind: t.status === 'pending' ? 'pending' as const : t.joined ? 'aftershock' as const : 'started' as const, eventKind: t.kind,
        intensity: t.intensity, unreceived: t.unreceived, areaNames: t.area_name ? [t.area_name] : [], quakeEventId: t.event_id, drillId: t.status === 'pending' ? null : t.drill_id,
        asked: t.status === 'started', fireAt: t.status === 'pending' ? t.fire_at.toISOString() : null,
      },
    })),
    ...decisions.map((d) => ({
      at: d.at,
      notice: {
        key: `telegram:${d.telegram_id}`, kind: d.action === 'aftershock' ? 'aftershock' as const : 'cancelled_after_start' as const, eventKind: d.kind,
        intensity: d.action === 'aftershock' ? d.intensity : d.trigger_intensity,
        unreceived: d.action === 'aftershock' ? !!d.parsed && isUnreceivedCount(d.parsed, settings, d.intensity) : d.trigger_unreceived, areaNames: d.parsed ? readingFor(d.parsed, settings).places : [],
        quakeEventId: d.event_id ?? '', drillId: d.drill_id, asked: true, fireAt: null,
      },
    })),
  ];
  return { items: dated.sort((a, b) => b.at.getTime() - a.at.getTime()).map((d) => noticeShape(d.notice)) };
}
