import { idParamsSchema } from '../contracts/http.js';
import { resolveTaskSchema, taskListQuerySchema, taskListSchema, taskSchema } from '../contracts/circulars.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { Db } from '../platform/db/database.js';
import { listTasks, resolveTask } from './task.service.js';

export function registerTaskRoutes(api: ApiRouter, deps: { db: Db }) {
  const tag = 'tasks';
  api.route('get', '/api/tasks', { summary: "A 班長's tasks (officers: every 班's)", tag, access: 'session', query: taskListQuerySchema, response: taskListSchema }, async ({ actor, query }) =>
    listTasks(deps.db, actor, query.status),
  );
  api.route('post', '/api/tasks/:id/resolve', { summary: 'Mark a task done, with a note', tag, access: 'session', params: idParamsSchema, body: resolveTaskSchema, response: taskSchema }, async ({ actor, params, body }) =>
    resolveTask(deps.db, actor, params.id, body.note),
  );
}
