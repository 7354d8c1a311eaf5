import { quakeRoutes } from '../contracts/quakes.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { ServiceContext } from '../common/service-context.js';
import * as quakes from './quake.service.js';

export function registerQuakeRoutes(api: ApiRouter, ctx: ServiceContext) {
  api.handle(quakeRoutes.settings, async ({ actor }) => quakes.getSettings(ctx, actor));
  api.handle(quakeRoutes.saveSettings, async ({ actor, body }) => quakes.saveSettings(ctx, actor, body));
  api.handle(quakeRoutes.log, async ({ actor, query }) => quakes.log(ctx, actor, query.limit));
  api.handle(quakeRoutes.notices, async ({ actor }) => quakes.notices(ctx, actor));
}
