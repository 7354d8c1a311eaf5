import { readinessRoutes } from '../contracts/readiness.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { Db } from '../platform/db/database.js';
import { preflight, readiness } from './readiness.service.js';

export function registerReadinessRoutes(api: ApiRouter, deps: { db: Db }) {
  api.handle(readinessRoutes.view, async ({ actor, query }) => readiness(deps.db, actor, query));
  api.handle(readinessRoutes.preflight, async ({ actor, body }) => preflight(deps.db, actor, body.blockIds));
}
