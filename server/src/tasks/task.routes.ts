import { taskRoutes } from '../contracts/tasks.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { ServiceContext } from '../common/service-context.js';
import { listTasks, resolveTask } from './task.service.js';
import { bulkPaperSignoff, captainList } from './captain-list.service.js';

export function registerTaskRoutes(api: ApiRouter, ctx: ServiceContext) {
  api.handle(taskRoutes.list, async ({ actor, query }) => listTasks(ctx.db, actor, query.status));
  api.handle(taskRoutes.resolve, async ({ actor, params, body }) => resolveTask(ctx.db, actor, params.id, body.note));
  api.handle(taskRoutes.captainList, async ({ actor, query }) => captainList(ctx, actor, query.blockId));
  api.handle(taskRoutes.paperSignoff, async ({ actor, body }) => bulkPaperSignoff(ctx, actor, body));
}
