import { taskRoutes } from '../contracts/tasks.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { Db } from '../platform/db/database.js';
import { listTasks, resolveTask } from './task.service.js';

export function registerTaskRoutes(api: ApiRouter, deps: { db: Db }) {
  api.handle(taskRoutes.list, async ({ actor, query }) => listTasks(deps.db, actor, query.status));
  api.handle(taskRoutes.resolve, async ({ actor, params, body }) => resolveTask(deps.db, actor, params.id, body.note));
}
