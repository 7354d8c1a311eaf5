import { idParamsSchema } from '../contracts/http.js';
import {
  accessLogSchema,
  alertListQuerySchema,
  alertListSchema,
  alertSchema,
  awayParamsSchema,
  awayRequestSchema,
  householdWatchSchema,
  resolveAlertSchema,
  watchBoardSchema,
  watchSettingsUpdateSchema,
} from '../contracts/watch.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import * as watch from './watch.service.js';

export function registerWatchRoutes(api: ApiRouter, ctx: watch.WatchContext) {
  const tag = 'watch';
  api.route('get', '/api/watch/alerts', { summary: 'Watch alerts that have reached me (live or closed)', tag, access: 'session', query: alertListQuerySchema, response: alertListSchema }, async ({ actor, query }) =>
    watch.listAlerts(ctx, actor, query.status === 'live'),
  );
  api.route('post', '/api/watch/alerts/:id/take', { summary: "Take an alert (\"I'll go\"): escalation stops", tag, access: 'session', params: idParamsSchema, response: alertSchema }, async ({ actor, params }) =>
    watch.takeAlert(ctx, actor, params.id),
  );
  api.route('post', '/api/watch/alerts/:id/resolve', { summary: 'Resolve an alert with its outcome and a note', tag, access: 'session', params: idParamsSchema, body: resolveAlertSchema, response: alertSchema }, async ({ actor, params, body }) =>
    watch.resolveAlert(ctx, actor, params.id, body.outcome, body.note),
  );
  api.route('get', '/api/watch/households', { summary: 'The homes I watch, with their state', tag, access: 'session', response: watchBoardSchema }, async ({ actor }) =>
    watch.watchBoard(ctx, actor),
  );
  api.route('get', '/api/watch/households/:id', { summary: "A home's activity (14 days), rules and alerts (the view is logged)", tag, access: 'session', params: idParamsSchema, response: householdWatchSchema }, async ({ actor, params }) =>
    watch.householdWatch(ctx, actor, params.id),
  );
  api.route('patch', '/api/watch/households/:id/settings', { summary: "Change a home's watch rules or consent", tag, access: 'session', params: idParamsSchema, body: watchSettingsUpdateSchema, response: householdWatchSchema }, async ({ actor, params, body }) =>
    watch.updateSettings(ctx, actor, params.id, body),
  );
  api.route('post', '/api/watch/households/:id/away', { summary: 'Add an away period (travel, hospital): no silent-home alerts meanwhile', tag, access: 'session', params: idParamsSchema, body: awayRequestSchema, response: householdWatchSchema, status: 201 }, async ({ actor, params, body }) =>
    watch.addAway(ctx, actor, params.id, body),
  );
  api.route('delete', '/api/watch/households/:id/away/:awayId', { summary: 'Remove an away period', tag, access: 'session', params: awayParamsSchema, response: householdWatchSchema }, async ({ actor, params }) =>
    watch.removeAway(ctx, actor, params.id, params.awayId),
  );
  api.route('get', '/api/watch/access-log', { summary: 'Who viewed which home’s watch data (officers)', tag, access: 'session', response: accessLogSchema }, async ({ actor }) =>
    watch.accessLog(ctx, actor),
  );
}
