import type { Db } from '../platform/db/database.js';
import { WORRIES, type Worry } from '../contracts/directory.js';
import { areaChain, associationArea, searchServices } from '../directory/directory.repository.js';
import { HttpError } from '../platform/http/errors.js';

/**
 * The directory as seen from an association (its area and the areas above it), for what links
 * to it: referrals and circulars. Only published services confirmed within their reconfirm
 * period show (the directory's own search decides it, in the query).
 */

/** Every current service serving the association's area, by id, and the area's code (none, and null, without an area: reading never writes). */
export async function currentServicesOf(db: Db, associationId: string) {
  const own = await associationArea(db, associationId);
  if (!own) return { areaCode: null, services: new Map<string, Awaited<ReturnType<typeof searchServices>>[number]>() };
  const chain = await areaChain(db, own.code);
  const rows = await searchServices(db, { areaIds: chain.map((a) => a.id), worries: [...WORRIES], limit: 100_000 });
  return { areaCode: own.code, services: new Map(rows.map((r) => [r.id, r])) };
}

/** 400 naming `field` unless every id is a current service of the association's directory. */
export async function assertCurrentServices(db: Db, associationId: string, ids: readonly string[], field: string) {
  if (!ids.length) return;
  const { services } = await currentServicesOf(db, associationId);
  if (ids.some((id) => !services.has(id))) throw HttpError.badRequest('must be published, current services of the association’s directory', field);
}

/**
 * What a circular links: its services that are still current (a service gone stale since is left
 * out, never shown as current) and the worry search's public address, or null without worries.
 */
export async function helpLinks(db: Db, publicUrl: string, associationId: string, serviceIds: readonly string[], worries: readonly Worry[]) {
  if (!serviceIds.length && !worries.length) return { services: [], worries: [], searchUrl: null };
  const { areaCode, services } = await currentServicesOf(db, associationId);
  const query = `area=${encodeURIComponent(areaCode ?? '')}${worries.length ? `&worries=${worries.join(',')}` : ''}`;
  return {
    services: serviceIds.flatMap((id) => {
      const s = services.get(id);
      return s ? [{ id: s.id, name: s.name, organisation: s.organisation, phone: s.phone, hours: s.hours }] : [];
    }),
    worries: [...worries],
    searchUrl: worries.length && areaCode !== null ? `${publicUrl.replace(/\/$/, '')}/help?${query}` : null,
  };
}
