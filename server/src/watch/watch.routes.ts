import { watchRoutes } from '../contracts/watch.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import * as watch from './watch.service.js';

export function registerWatchRoutes(api: ApiRouter, ctx: watch.WatchContext) {
  api.handle(watchRoutes.alerts, async ({ actor, query }) => watch.listAlerts(ctx, actor, query.status === 'live'));
  api.handle(watchRoutes.takeAlert, async ({ actor, params }) => watch.takeAlert(ctx, actor, params.id));
  api.handle(watchRoutes.resolveAlert, async ({ actor, params, body }) => watch.resolveAlert(ctx, actor, params.id, body.outcome, body.note));
  api.handle(watchRoutes.board, async ({ actor }) => watch.watchBoard(ctx, actor));
  api.handle(watchRoutes.household, async ({ actor, params }) => watch.householdWatch(ctx, actor, params.id));
  api.handle(watchRoutes.updateSettings, async ({ actor, params, body }) => watch.updateSettings(ctx, actor, params.id, body));
  api.handle(watchRoutes.addAway, async ({ actor, params, body }) => watch.addAway(ctx, actor, params.id, body));
  api.handle(watchRoutes.removeAway, async ({ actor, params }) => watch.removeAway(ctx, actor, params.id, params.awayId));
  api.handle(watchRoutes.accessLog, async ({ actor }) => watch.accessLog(ctx, actor));
}
