import { shelterRoutes } from '../contracts/shelters.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import type { Db } from '../platform/db/database.js';
import * as shelters from './shelter.service.js';

export function registerShelterRoutes(api: ApiRouter, deps: { db: Db }) {
  const { db } = deps;
  api.handle(shelterRoutes.list, async ({ actor }) => shelters.listShelters(db, actor));
  api.handle(shelterRoutes.import, async ({ actor, query, req }) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
    return shelters.importShelters(db, actor, body, query.mode === 'commit');
  });
  api.handle(shelterRoutes.update, async ({ actor, params, body }) => shelters.setListed(db, actor, params.id, body.listed));
  api.handle(shelterRoutes.remove, async ({ actor, params }) => shelters.removeShelter(db, actor, params.id));
}
