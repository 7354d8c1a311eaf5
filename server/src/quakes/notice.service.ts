import { reachableRoleHolders } from '../common/reachability.repository.js';
import type { ServiceContext } from '../common/service-context.js';
import { rooms, type QuakeNotice } from '../contracts/socket.js';

/**
 * What the officers hear from the JMA trigger, after the commit: a push to every officer who
 * can be reached (common/reach.ts) and, at once on any page of the web app, a `quake:notice` to
 * the association's officers' room. Safe to repeat: the notice is keyed by its trigger or
 * telegram (the web app shows one banner per key and kind), the push is a reminder of stored state.
 */
export async function tellOfficers(ctx: ServiceContext, associationId: string, push: { title: string; body: string; drillId?: string | null }, notice?: QuakeNotice) {
  if (notice) ctx.realtime.emit([rooms.officers(associationId)], 'quake:notice', noticeShape(notice));
  const officers = await reachableRoleHolders(ctx.db, associationId, ['officer']);
  const url = push.drillId ? `${ctx.publicUrl}/drills/${push.drillId}` : `${ctx.publicUrl}/quakes`;
  await ctx.reach.people([...new Set(officers.map((o) => o.person_id))], { title: push.title, body: push.body, url });
}

/** A decision was logged for the association: its officers' quake log refetches. */
export function logChanged(ctx: ServiceContext, associationId: string, telegramId: string) {
  ctx.realtime.emit([rooms.officers(associationId)], 'quake:logged', { telegramId });
}

/** A notice as sent and stored: `unreceived` only when true (a received reading carries no flag). */
export function noticeShape({ unreceived, ...notice }: QuakeNotice): QuakeNotice {
  return unreceived ? { ...notice, unreceived: true } : notice;
}
