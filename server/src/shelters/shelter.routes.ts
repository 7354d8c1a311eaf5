import { shelterRoutes } from '../contracts/shelters.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import * as shelters from './shelter.service.js';

export function registerShelterRoutes(api: ApiRouter, ctx: shelters.ShelterContext) {
  api.handle(shelterRoutes.list, async ({ actor }) => shelters.listShelters(ctx, actor));
  api.handle(shelterRoutes.import, async ({ actor, query, req }) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
    return shelters.importShelters(ctx, actor, body, query.mode === 'commit');
  });
  api.handle(shelterRoutes.update, async ({ actor, params, body }) => shelters.setListed(ctx, actor, params.id, body.listed));
  api.handle(shelterRoutes.remove, async ({ actor, params }) => shelters.removeShelter(ctx, actor, params.id));
}
