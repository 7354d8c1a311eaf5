import type { ServiceContext } from '../common/service-context.js';
import type { CityDirectoryList } from '../contracts/directory-city.js';
import { HttpError } from '../platform/http/errors.js';
import type { DirectoryAccount } from './directory-accounts.service.js';
import { areasUnder, ownedServices } from './directory.repository.js';
import { editorView, type Editor } from './directory.service.js';

/**
 * The city's own editing of the directory: a city editor keeps the entries their city owns
 * (`owner_area_id`), serving the city or areas under it, through the officers' code path
 * (directory.service.ts, directory-import.service.ts) with the city as the owner.
 */

type Ctx = Pick<ServiceContext, 'db'>;

/**
 * A city editor's city. Anyone else is a 403; a city editor from before their city was recorded
 * (the 20261208T0400 migration) is refused until the CLI names it: no one edits deployment-wide.
 */
export function cityOf(account: DirectoryAccount): string {
  if (account.role !== 'city_editor') throw HttpError.forbidden('Only a city’s directory editor can do this.');
  if (!account.areaId) {
    throw new HttpError(403, 'no_city', 'This city editor has no city yet: ask the administrator to run `npm run directory:city-editor` naming your city.');
  }
  return account.areaId;
}

/** The signed-in city editor as the editor of their city's entries. */
export function cityEditor(account: DirectoryAccount): Editor {
  return { owner: { cityAreaId: cityOf(account) }, accountId: account.id };
}

/** The city's own entries (any status, with freshness) and the areas they may serve (the city first). */
export async function listForCity(ctx: Ctx, account: DirectoryAccount): Promise<CityDirectoryList> {
  const editor = cityEditor(account);
  const cityAreaId = 'cityAreaId' in editor.owner ? editor.owner.cityAreaId : '';
  const [areas, rows] = await Promise.all([areasUnder(ctx.db, cityAreaId), ownedServices(ctx.db, editor.owner)]);
  const area = (a: (typeof areas)[number]) => ({ code: a.code, name: a.name, kind: a.kind });
  return { city: area(areas[0]!), areas: areas.map(area), items: rows.map((r) => editorView(r, editor.owner)) };
}
