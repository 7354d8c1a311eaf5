import type { z } from 'zod';
import type { Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import { associationTimeZone } from '../common/association.repository.js';
import { DEFAULT_TIME_ZONE, localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import { REMIND_DAYS, type directorySearchQuerySchema, type EditorService, type DirectorySearch, type serviceBodySchema, type serviceUpdateSchema } from '../contracts/directory.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { directoryPolicy } from './directory.policy.js';
import { restoreFresh } from './directory-freshness.repository.js';
import {
  areaChain, areasUnder, associationArea, ensureAssociationArea, addOrganisation, insertService, organisationNamed, ownOrganisationNamed, ownedService, searchServices, servicesServing, updateService,
  type NewService,
} from './directory.repository.js';
import type { Owner } from './directory-owner.js';
import { cityOrganisationServing, directoryAudit } from './directory-accounts.repository.js';
import { replaceServiceAreas } from './directory-import.repository.js';

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

function common(r: Omit<Row, 'current' | 'area_codes' | 'confirm_by' | 'days_left' | 'organisation_login'>) {
  return {
    id: r.id, name: r.name, description: r.description, organisation: r.organisation, worries: r.worries as DirectorySearch['results'][number]['worries'],
    ageGroups: r.age_groups, languages: r.languages, address: r.address, lat: r.lat, lon: r.lon, phone: r.phone, hours: r.hours,
    walkIn: r.walk_in, web: r.web, cost: r.cost, lastConfirmedOn: r.last_confirmed_on,
  };
}

export function editorView(r: Row, owner: Owner | null): EditorService {
  const editable = owner !== null && ('associationId' in owner ? r.created_by_association_id === owner.associationId : r.owner_area_id === owner.cityAreaId);
  return {
    ...common(r), status: r.status, stale: r.status === 'stale' || (r.status === 'published' && !r.current), areaCodes: r.area_codes,
    confirmBy: r.confirm_by, daysLeft: r.days_left, dueSoon: r.status === 'published' && r.current && r.days_left <= REMIND_DAYS,
    editable, cityOwned: r.owner_area_id !== null,
    hiddenStale: r.status === 'hidden' && r.stale_since !== null, organisationLogin: r.organisation_login,
  };
}

/**
 * Who edits entries, one code path for both: an officer (the entries their association keeps,
 * serving it) or a city editor (the entries their city keeps, serving areas of the city).
 */
export type Editor = { owner: { associationId: string }; actor: Actor } | { owner: { cityAreaId: string }; accountId: string };

/** An officer as the editor of their association's entries (403 for anyone else). */
export function officerEditor(actor: Actor): Editor {
  directoryPolicy.edit(actor);
  return { owner: { associationId: actor.associationId }, actor };
}

/** The editor's day is counted in the association's time zone; a city's, in the deployment's. */
export const editorTimeZone = (ctx: Pick<Ctx, 'db'>, editor: Editor) => ('actor' in editor ? associationTimeZone(ctx.db, editor.actor.associationId) : Promise.resolve(DEFAULT_TIME_ZONE));

/**
 * Every change goes to the directory's audit (its 変更履歴), an officer's by person and also to
 * the association's audit; a city editor's by account.
 */
export async function auditEdit(db: Ctx['db'], editor: Editor, entry: { action: string; subject?: string; owner?: Owner; detail: unknown }) {
  if ('actor' in editor) {
    const { owner: _association, ...logged } = entry;
    await audit(db, { associationId: editor.actor.associationId, actorPersonId: editor.actor.personId, ...logged });
    await directoryAudit(db, { personId: editor.actor.personId, ...entry });
    return;
  }
  await directoryAudit(db, { accountId: editor.accountId, ...entry });
}

/**
 * The areas a new entry serves (by code or name): an association's, its own area only; a city's,
 * the city (unset) or any area under it. Anything else is a 400 naming `areas`.
 */
export async function servedAreas(db: Ctx['db'], editor: Editor, words: string[]): Promise<{ id: string; code: string; name: string }[]> {
  if ('actor' in editor) {
    const own = await ensureAssociationArea(db, editor.actor.associationId);
    if (words.some((w) => w !== own.code)) throw HttpError.badRequest(`An association's entry serves its own area (${own.code}); wider areas are kept by the city's editors.`, 'areas');
    return [{ ...own, name: '' }];
  }
  const allowed = await areasUnder(db, editor.owner.cityAreaId);
  if (words.length === 0) return allowed.slice(0, 1);
  const found = words.map((w) => allowed.find((a) => a.code === w) ?? allowed.find((a) => a.name.normalize('NFKC') === w.normalize('NFKC')));
  const unknown = words.filter((_, i) => !found[i]);
  if (unknown.length) throw HttpError.badRequest(`Not an area of this city: ${unknown.join(', ').slice(0, 200)}.`, 'areas');
  return [...new Map(found.map((a) => [a!.id, a!])).values()];
}

/** Every entry serving the officer's association (its own area and the areas above it), any status. */
export async function listForEditor(ctx: Ctx, actor: Actor) {
  const { owner } = officerEditor(actor);
  // Made with the association (and by the 20261207T0200 migration for those before it): this read only reads.
  const own = await associationArea(ctx.db, actor.associationId);
  if (!own) return { areas: [], searchUrl: null, items: [] };
  const chain = await areaChain(ctx.db, own.code);
  const rows = await servicesServing(ctx.db, { areaIds: chain.map((a) => a.id) });
  return {
    areas: chain.map((a) => ({ code: a.code, name: a.name, kind: a.kind })),
    searchUrl: `${ctx.publicUrl.replace(/\/$/, '')}/help?area=${encodeURIComponent(own.code)}`,
    items: rows.map((r) => editorView(r, owner)),
  };
}

export async function createService(ctx: Ctx, editor: Editor, body: z.output<typeof serviceBodySchema>) {
  const timeZone = await editorTimeZone(ctx, editor);
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const areas = await servedAreas(tx.db, editor, body.areas);
    const organisationId = await organisationNamed(tx.db, editor.owner, body.organisation);
    const id = await insertService(tx.db, editor.owner, areas.map((a) => a.id), {
      organisation_id: organisationId, name: body.name, description: body.description, worries: body.worries, age_groups: body.ageGroups,
      languages: body.languages, address: body.address, lat: body.lat, lon: body.lon, phone: body.phone, hours: body.hours, walk_in: body.walkIn,
      web: body.web, cost: body.cost, status: body.status, last_confirmed_on: localDate(new Date(), timeZone),
    });
    await auditEdit(tx.db, editor, { action: 'directory.service.create', subject: id, detail: { name: body.name, status: body.status, areas: areas.map((a) => a.code) } });
    return editorView((await ownedService(tx.db, editor.owner, id))!, editor.owner);
  });
}

export async function changeService(ctx: Ctx, editor: Editor, id: string, body: z.output<typeof serviceUpdateSchema>) {
  const change: Partial<NewService> = {
    name: body.name, description: body.description, worries: body.worries, phone: body.phone, hours: body.hours, walk_in: body.walkIn,
    web: body.web, cost: body.cost, address: body.address, status: body.status, age_groups: body.ageGroups, languages: body.languages,
    lat: body.lat, lon: body.lon,
  };
  const fields = [
    ...Object.entries(change).filter(([, v]) => v !== undefined).map(([k]) => k),
    ...(body.organisation !== undefined ? ['organisation'] : []), ...(body.areas ? ['areas'] : []),
  ];
  return edit(ctx, editor, id, 'directory.service.update', fields, async (db, before) => {
    // Only a draft may lack every contact (an imported row without one is kept as a draft):
    // an entry that shows must give a way to reach it.
    const after = { status: change.status ?? before.status, phone: change.phone ?? before.phone, web: change.web ?? before.web, address: change.address ?? before.address };
    if (!directoryPolicy.reachable(after)) {
      throw new HttpError(400, 'no_contact', 'An entry that shows needs a phone number, a web address or an address.', 'phone');
    }
    // The form sends only the half of a map position that changed: the saved pin must have both halves or neither.
    const half = directoryPolicy.halfPin({ lat: change.lat === undefined ? before.lat : change.lat, lon: change.lon === undefined ? before.lon : change.lon });
    if (half) throw new HttpError(400, 'half_pin', 'A map position needs both its latitude and its longitude (or neither: no pin).', half);
    if (body.organisation !== undefined) {
      // An organisation with a login keeps its entries itself: a typo fixed in 団体名 would move the entry away from it (its page would lose it).
      if (before.organisation_login !== null && body.organisation !== before.organisation) {
        throw new HttpError(409, 'organisation_has_login', 'This organisation signs in and keeps its entries itself: under another organisation it could no longer see this one. Leave the organisation as it is.', 'organisation');
      }
      change.organisation_id = await editorOrganisation(db, editor, body.organisation);
    }
    if (body.areas) await replaceServiceAreas(db, [id], (await servedAreas(db, editor, body.areas)).map((a) => ({ service_id: id, area_id: a.id })));
    return updateService(db, editor.owner, id, change);
  });
}

/**
 * The organisation an editor moves an entry to (one whose organisation has no login): their own of this name, else a new one of
 * theirs (never another owner's). An officer naming an organisation the city keeps for their
 * area is refused as its invitation is (409 naming `organisation`): the city's editor keeps it.
 */
async function editorOrganisation(db: Ctx['db'], editor: Editor, name: string) {
  const own = await ownOrganisationNamed(db, editor.owner, name);
  if (own) return own;
  if ('actor' in editor && (await cityOrganisationServing(db, editor.actor.associationId, name))) {
    throw new HttpError(409, 'city_organisation', 'This organisation is kept by the city: its directory editor keeps its entries.', 'organisation');
  }
  return addOrganisation(db, editor.owner, name);
}

/** Marks the entry confirmed today (in the editor's time zone): current again for its reconfirm period. */
export async function confirmService(ctx: Ctx, editor: Editor, id: string) {
  const today = localDate(new Date(), await editorTimeZone(ctx, editor));
  return edit(ctx, editor, id, 'directory.service.confirm', ['last_confirmed_on'], async (db) => {
    const changed = await updateService(db, editor.owner, id, { last_confirmed_on: today });
    await restoreFresh(db, id);
    return changed;
  });
}

/** One change to an entry the editor's owner keeps (another's is a 404), with its audit row, in one transaction. */
async function edit(ctx: Ctx, editor: Editor, id: string, action: string, fields: string[], write: (db: Ctx['db'], before: NonNullable<Awaited<ReturnType<typeof ownedService>>>) => Promise<number>) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const before = await ownedService(tx.db, editor.owner, id);
    if (!before) throw HttpError.notFound('directory entry');
    await write(tx.db, before);
    await auditEdit(tx.db, editor, { action, subject: id, detail: { fields } });
    return editorView((await ownedService(tx.db, editor.owner, id))!, editor.owner);
  });
}
