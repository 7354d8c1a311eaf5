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

// ── The 班長's phone list: one card per household with everything pending for it ─────────
export const riskFlagSchema = z.enum(['lives_alone', 'speaker_only', 'paper_only']);
/** What is pending for a household: a drill visit, a live watch alert, an overdue circular. */
export const pendingItemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('drill_visit'), drillId: uuid, title: z.string(), since: z.string() }),
  z.object({ kind: z.literal('watch_alert'), alertId: uuid, alertKind: z.enum(['silent', 'help']), since: z.string() }),
  z.object({ kind: z.literal('circular'), circularId: uuid, taskId: uuid, title: z.string(), since: z.string() }),
]);
export const captainCardSchema = z.object({
  householdId: uuid, householdNumber: z.string(), name: z.string(), address: z.string(), blockId: uuid, blockName: z.string(),
  channels: z.array(channelSchema), risk: z.array(riskFlagSchema), responderNotes: z.string(),
  members: z.array(z.object({ name: z.string(), phone: z.string().nullable() })),
  pending: z.array(pendingItemSchema),
});
export const captainListSchema = z.object({
  items: z.array(captainCardSchema),
  /** The overdue circulars on the list, with how many of its homes have them pending (for the bulk paper sign-off). */
  circulars: z.array(z.object({ id: uuid, title: z.string(), households: z.number() })),
});
export const captainListQuerySchema = z.object({ blockId: uuid.optional() });
export const bulkPaperSignoffSchema = z
  .object({
    circularId: uuid,
    /** The homes the 班長 handed or showed the paper copy to; or `all`: every home on their list with this circular pending. */
    householdIds: z.array(uuid).min(1, 'tick at least one household').max(2000).optional(),
    all: z.literal(true).optional(),
    blockId: uuid.optional(),
  })
  .refine((b) => !!b.householdIds !== !!b.all, { message: 'give householdIds or all: true (one of them)', path: ['householdIds'] });
export const bulkPaperSignoffResultSchema = z.object({ recorded: z.number(), alreadyAcknowledged: z.number() });

export type CaptainCard = z.infer<typeof captainCardSchema>;
export type PendingItem = z.infer<typeof pendingItemSchema>;

const tag = 'tasks';
export const taskRoutes = {
  list: defineRoute({ method: 'get', path: '/api/tasks', summary: "A 班長's tasks (officers: every 班's)", tag, access: 'session', query: taskListQuerySchema, response: taskListSchema }),
  resolve: defineRoute({ method: 'post', path: '/api/tasks/:id/resolve', summary: 'Mark a task done, with a note', tag, access: 'session', params: idParamsSchema, body: resolveTaskSchema, response: taskSchema }),
  captainList: defineRoute({ method: 'get', path: '/api/tasks/captain-list', summary: "A 班長's phone list: one card per household, riskiest first (officers: any 班)", tag, access: 'session', query: captainListQuerySchema, response: captainListSchema }),
  paperSignoff: defineRoute({ method: 'post', path: '/api/tasks/captain-list/paper-signoffs', summary: 'Record homes handed a printed circular as acknowledged by paper, in one transaction', tag, access: 'session', body: bulkPaperSignoffSchema, response: bulkPaperSignoffResultSchema }),
};
