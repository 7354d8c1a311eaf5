import type { z } from 'zod';
import type { Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import { associationTimeZone } from '../common/association.repository.js';
import { localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import { REMIND_DAYS, type directorySearchQuerySchema, type EditorService, type DirectorySearch, type serviceBodySchema, type serviceUpdateSchema } from '../contracts/directory.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { directoryPolicy } from './directory.policy.js';
import { restoreFresh } from './directory-freshness.repository.js';
import {
  areaChain, associationArea, ensureAssociationArea, insertService, organisationNamed, ownedService, searchServices, servicesServing, updateService, type NewService,
} from './directory.repository.js';

type Ctx = Pick<ServiceContext, 'db' | 'log' | 'publicUrl'>;
type Row = Awaited<ReturnType<typeof servicesServing>>[number];

/**
 * Anonymous search by worries: nothing about the visitor is read or written (no session, no
 * row); the query's worries never reach the log (the module marks the route's query private).
 */
export async function search(ctx: Ctx, query: z.output<typeof directorySearchQuerySchema>): Promise<DirectorySearch> {
  const chain = await areaChain(ctx.db, query.area);
  const here = chain[0];
  if (!here) throw new HttpError(404, 'not_found', 'There is no such area in the directory.', 'area');
  const general = query.worries.length === 0;
  const rows = await searchServices(ctx.db, { areaIds: chain.map((a) => a.id), worries: general ? ['general'] : query.worries });
  const area = (a: (typeof chain)[number]) => ({ code: a.code, name: a.name, kind: a.kind });
  return {
    area: area(here),
    areas: chain.map(area),
    general,
    results: rows.map((r) => ({ ...common(r), matched: general ? 0 : r.matched, servesArea: r.serves_area })),
  };
}

function common(r: Omit<Row, 'current' | 'area_codes' | 'confirm_by' | 'days_left'>) {
  return {
    id: r.id, name: r.name, description: r.description, organisation: r.organisation, worries: r.worries as DirectorySearch['results'][number]['worries'],
    ageGroups: r.age_groups, languages: r.languages, address: r.address, lat: r.lat, lon: r.lon, phone: r.phone, hours: r.hours,
    walkIn: r.walk_in, web: r.web, cost: r.cost, lastConfirmedOn: r.last_confirmed_on,
  };
}

export function editorView(r: Row, associationId: string): EditorService {
  return {
    ...common(r), status: r.status, stale: r.status === 'stale' || (r.status === 'published' && !r.current), areaCodes: r.area_codes,
    confirmBy: r.confirm_by, daysLeft: r.days_left, dueSoon: r.status === 'published' && r.current && r.days_left <= REMIND_DAYS,
    editable: r.created_by_association_id === associationId,
  };
}

/** Every entry serving the officer's association (its own area and the areas above it), any status. */
export async function listForEditor(ctx: Ctx, actor: Actor) {
  directoryPolicy.edit(actor);
  // Made with the association (and by the 20261207T0200 migration for those before it): this read only reads.
  const own = await associationArea(ctx.db, actor.associationId);
  if (!own) return { areas: [], searchUrl: null, items: [] };
  const chain = await areaChain(ctx.db, own.code);
  const rows = await servicesServing(ctx.db, { areaIds: chain.map((a) => a.id) });
  return {
    areas: chain.map((a) => ({ code: a.code, name: a.name, kind: a.kind })),
    searchUrl: `${ctx.publicUrl.replace(/\/$/, '')}/help?area=${encodeURIComponent(own.code)}`,
    items: rows.map((r) => editorView(r, actor.associationId)),
  };
}

export async function createService(ctx: Ctx, actor: Actor, body: z.output<typeof serviceBodySchema>) {
  directoryPolicy.edit(actor);
  const timeZone = await associationTimeZone(ctx.db, actor.associationId);
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const area = await ensureAssociationArea(tx.db, actor.associationId);
    const organisationId = await organisationNamed(tx.db, actor.associationId, body.organisation);
    const id = await insertService(tx.db, actor.associationId, area.id, {
      organisation_id: organisationId, name: body.name, description: body.description, worries: body.worries, age_groups: body.ageGroups,
      languages: body.languages, address: body.address, lat: body.lat, lon: body.lon, phone: body.phone, hours: body.hours, walk_in: body.walkIn,
      web: body.web, cost: body.cost, status: body.status, last_confirmed_on: localDate(new Date(), timeZone),
    });
    await audit(tx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'directory.service.create', subject: id, detail: { name: body.name, status: body.status } });
    return editorView((await ownedService(tx.db, actor.associationId, id))!, actor.associationId);
  });
}

export async function changeService(ctx: Ctx, actor: Actor, id: string, body: z.output<typeof serviceUpdateSchema>) {
  directoryPolicy.edit(actor);
  const change: Partial<NewService> = {
    name: body.name, description: body.description, worries: body.worries, phone: body.phone, hours: body.hours, walk_in: body.walkIn,
    web: body.web, cost: body.cost, address: body.address, status: body.status,
  };
  const fields = Object.entries(change).filter(([, v]) => v !== undefined).map(([k]) => k);
  return edit(ctx, actor, id, 'directory.service.update', fields, (db, before) => {
    // Only a draft may lack every contact (an imported row without one is kept as a draft):
    // an entry that shows must give a way to reach it.
    const after = { status: change.status ?? before.status, phone: change.phone ?? before.phone, web: change.web ?? before.web, address: change.address ?? before.address };
    if (!directoryPolicy.reachable(after)) {
      throw HttpError.badRequest('An entry that shows needs a phone number, a web address or an address.', 'phone');
    }
    return updateService(db, actor.associationId, id, change);
  });
}

/** Marks the entry confirmed today (in the association's time zone): current again for its reconfirm period. */
export async function confirmService(ctx: Ctx, actor: Actor, id: string) {
  directoryPolicy.edit(actor);
  const today = localDate(new Date(), await associationTimeZone(ctx.db, actor.associationId));
  return edit(ctx, actor, id, 'directory.service.confirm', ['last_confirmed_on'], async (db) => {
    const changed = await updateService(db, actor.associationId, id, { last_confirmed_on: today });
    await restoreFresh(db, id);
    return changed;
  });
}

/** One change to an entry the association added (another's is a 404), with its audit row, in one transaction. */
async function edit(ctx: Ctx, actor: Actor, id: string, action: string, fields: string[], write: (db: Ctx['db'], before: NonNullable<Awaited<ReturnType<typeof ownedService>>>) => Promise<number>) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const before = await ownedService(tx.db, actor.associationId, id);
    if (!before) throw HttpError.notFound('directory entry');
    await write(tx.db, before);
    await audit(tx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action, subject: id, detail: { fields } });
    return editorView((await ownedService(tx.db, actor.associationId, id))!, actor.associationId);
  });
}
