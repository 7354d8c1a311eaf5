import { z } from 'zod';
import { channelSchema, idParamsSchema, optionalText, uuid } from './common.js';
import { defineRoute } from './route.js';

/** The 班長's task list contract: households to chase, marked done with a note. */

export const taskSchema = z.object({
  id: uuid,
  kind: z.enum(['circular_unread']),
  status: z.enum(['open', 'done']),
  createdAt: z.string(),
  circular: z.object({ id: uuid, title: z.string(), dueAt: z.string().nullable() }).nullable(),
  household: z.object({
    id: uuid, householdNumber: z.string(), name: z.string(), address: z.string(), blockName: z.string(),
    channels: z.array(channelSchema), responderNotes: z.string(),
    members: z.array(z.object({ name: z.string(), phone: z.string().nullable() })),
  }),
});
export const taskListSchema = z.object({ items: z.array(taskSchema) });
export const taskListQuerySchema = z.object({ status: z.enum(['open', 'done']).default('open') });
export const resolveTaskSchema = z.object({ note: optionalText(500).default('') });

export type Task = z.infer<typeof taskSchema>;

const tag = 'tasks';
export const taskRoutes = {
  list: defineRoute({ method: 'get', path: '/api/tasks', summary: "A 班長's tasks (officers: every 班's)", tag, access: 'session', query: taskListQuerySchema, response: taskListSchema }),
  resolve: defineRoute({ method: 'post', path: '/api/tasks/:id/resolve', summary: 'Mark a task done, with a note', tag, access: 'session', params: idParamsSchema, body: resolveTaskSchema, response: taskSchema }),
};
