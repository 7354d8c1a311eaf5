import type { ServiceContext } from '../common/service-context.js';
import { type Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import * as alerts from './alert.repository.js';
import { logAccess } from './settings.service.js';
import * as watch from './watch.repository.js';
import { mayReadAccessLog, watchScope } from './watch.policy.js';

/** The overviews: the homes an actor watches (the watch board) and, for officers, who looked at what. */

/** Homes the actor watches, with their state: the watch board. Every home shown is logged as viewed. */
export async function watchBoard(ctx: ServiceContext, actor: Actor) {
  const homes = await watch.watchedHomes(ctx.db, actor.associationId, watchScope(actor));
  const ids = homes.map((h) => h.id);
  const [devices, live, away] = ids.length
    ? await Promise.all([watch.speakersOfHomes(ctx.db, ids), alerts.liveAlertsOfHomes(ctx.db, ids), watch.homesAwayNow(ctx.db, ids)])
    : [[], [], []];
  await logAccess(ctx.db, actor, ids, 'board');
  return {
    items: homes.map((h) => ({
      householdId: h.id, householdNumber: h.household_number, name: h.name, blockName: h.block_name, lastActivityAt: h.last_activity_at?.toISOString() ?? null,
      away: away.some((a) => a.household_id === h.id),
      // last_heartbeat is the devices capability's jsonb column (untyped there): only its battery is read.
      devices: devices.filter((d) => d.household_id === h.id).map((d) => ({ id: d.id, label: d.label, online: d.online, battery: (d.last_heartbeat as { battery?: number | null } | null)?.battery ?? null })),
      liveAlerts: live.filter((a) => a.household_id === h.id).map((a) => ({ id: a.id, kind: a.kind, tier: a.tier, status: a.status })),
    })),
  };
}

export async function accessLog(ctx: ServiceContext, actor: Actor) {
  if (!mayReadAccessLog(actor)) throw HttpError.forbidden('Only officers can read the watch access log.');
  const rows = await watch.accessLog(ctx.db, actor.associationId);
  return { items: rows.map((r) => ({ at: r.at.toISOString(), personName: r.name, householdName: r.household_name, what: r.what })) };
}
