import { directoryRoutes } from '../contracts/directory.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { ServiceContext } from '../common/service-context.js';
import { directoryHistory } from './directory-history.service.js';
import { changeService, confirmService, createService, listForEditor, officerEditor, search } from './directory.service.js';

export function registerDirectoryRoutes(api: ApiRouter, ctx: Pick<ServiceContext, 'db' | 'log' | 'publicUrl'>) {
  api.handle(directoryRoutes.search, async ({ query, res }) => {
    // What someone searched stays off a shared device's cache and any proxy's.
    res.setHeader('Cache-Control', 'no-store');
    return search(ctx, query);
  });
  api.handle(directoryRoutes.list, async ({ actor }) => listForEditor(ctx, actor));
  api.handle(directoryRoutes.create, async ({ actor, body }) => createService(ctx, officerEditor(actor), body));
  api.handle(directoryRoutes.update, async ({ actor, params, body }) => changeService(ctx, officerEditor(actor), params.id, body));
  api.handle(directoryRoutes.confirm, async ({ actor, params }) => confirmService(ctx, officerEditor(actor), params.id));
  api.handle(directoryRoutes.history, async ({ actor, query }) => directoryHistory(ctx, { kind: 'officer', actor }, query));
}
