import { z } from 'zod';
import { channelSchema, householdLineFields, idParamsSchema, int, isoDateTime as isoDateTimeOf, queryInt, searchText, text, uuid } from './common.js';
import { worrySchema } from './directory.js';
import { defineRoute } from './route.js';

/**
 * The circulars (電子回覧板) contract: schemas shared by the server, which validates with
 * them and documents them in OpenAPI, and the web app, which takes its types from them.
 */

export const categories = ['notice', 'event', 'disaster', 'garbage', 'safety', 'other'] as const;
export const categorySchema = z.enum(categories);

const title = text().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const body = text().max(20_000, 'at most 20,000 characters');
const option = text().trim().min(1, 'an option must not be empty').max(100, 'at most 100 characters');
const isoDateTime = isoDateTimeOf();

export const questionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('yes_no'), prompt: title }),
  z.object({ type: z.literal('single'), prompt: title, options: z.array(option).min(2, 'give at least 2 options').max(10) }),
  z.object({ type: z.literal('multiple'), prompt: title, options: z.array(option).min(2, 'give at least 2 options').max(10) }),
  z.object({ type: z.literal('attendance'), prompt: title, maxHeadcount: int(1, 50).default(10) }),
]);

export const answerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('yes_no'), yes: z.boolean() }),
  z.object({ type: z.literal('single'), option: int(0, 9) }),
  z.object({ type: z.literal('multiple'), options: z.array(int(0, 9)).max(10) }),
  z.object({ type: z.literal('attendance'), attending: z.boolean(), headcount: int(0, 50) }),
]);

const version = z.object({ title, bodyMarkdown: body });

const circularFields = {
  title,
  bodyMarkdown: body,
  category: categorySchema,
  /** null: the whole association. */
  targetBlockIds: z.array(uuid).min(1, 'choose at least one 班, or the whole association').max(200).nullable(),
  /** null: publish when the officer presses publish. */
  publishAt: isoDateTime.nullable(),
  dueAt: isoDateTime.nullable(),
  question: questionSchema.nullable(),
  /** やさしい日本語 and English versions, shown by each member's language. */
  easyJapanese: version.nullable(),
  english: version.nullable(),
  /** Hours before the due date at which unread households are reminded. */
  reminderHoursBeforeDue: z.array(int(1, 24 * 14)).max(5),
  /** Directory services it links (published, current, serving the association). */
  helpServiceIds: z.array(uuid).max(10, 'at most 10 services').refine((ids) => new Set(ids).size === ids.length, 'each service once'),
  /** Worries of its link to the public search (/help?worries=…). */
  helpWorries: z.array(worrySchema).max(20).refine((w) => new Set(w).size === w.length, 'each worry once'),
};

export const circularInputSchema = z.object({
  ...circularFields,
  bodyMarkdown: circularFields.bodyMarkdown.default(''),
  category: circularFields.category.default('notice'),
  targetBlockIds: circularFields.targetBlockIds.default(null),
  publishAt: circularFields.publishAt.default(null),
  dueAt: circularFields.dueAt.default(null),
  question: circularFields.question.default(null),
  easyJapanese: circularFields.easyJapanese.default(null),
  english: circularFields.english.default(null),
  reminderHoursBeforeDue: circularFields.reminderHoursBeforeDue.default([24]),
  helpServiceIds: circularFields.helpServiceIds.default([]),
  helpWorries: circularFields.helpWorries.default([]),
});
/** A PATCH changes only the fields it names: no defaults here. */
export const circularUpdateSchema = z.object(circularFields).partial();

export const correctionSchema = z.object({
  title: title.optional(),
  bodyMarkdown: body.optional(),
  note: text().trim().min(1, 'say what was corrected').max(500),
});
export const withdrawSchema = z.object({ reason: text().trim().min(1, 'give a reason').max(500) });

export const circularStatusSchema = z.enum(['draft', 'scheduled', 'published', 'withdrawn']);

export const circularListQuerySchema = z.object({
  q: searchText(100).optional(),
  status: circularStatusSchema.optional(),
  limit: queryInt(1, 200).default(50),
  offset: queryInt(0).default(0),
});

const attachmentView = z.object({ id: uuid, filename: z.string(), contentType: z.string(), size: z.number(), url: z.string() });

export const circularSummarySchema = z.object({
  id: uuid,
  status: circularStatusSchema,
  category: categorySchema,
  title: z.string(),
  publishedAt: z.string().nullable(),
  publishAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  corrected: z.boolean(),
  hasQuestion: z.boolean(),
  /** For a household: when it acknowledged, or null. */
  acknowledgedAt: z.string().nullable(),
  /** For a household: when it answered the question, or null. */
  answeredAt: z.string().nullable(),
  /** For officers: the read rate so far. */
  progress: z.object({ total: z.number(), acknowledged: z.number() }).nullable(),
});
export const circularListSchema = z.object({ items: z.array(circularSummarySchema), total: z.number() });

/** A circular's links to the local support directory: current services only, and the worry search's address (null without worries). */
export const circularHelpSchema = z.object({
  services: z.array(z.object({ id: uuid, name: z.string(), organisation: z.string(), phone: z.string(), hours: z.string() })),
  worries: z.array(worrySchema),
  searchUrl: z.string().nullable(),
});

export const circularDetailSchema = circularSummarySchema.extend({
  /** The version in the viewer's language; officers also get every version below. */
  display: z.object({ language: z.enum(['ja', 'ja-easy', 'en']), title: z.string(), bodyHtml: z.string() }),
  bodyMarkdown: z.string(),
  easyJapanese: version.nullable(),
  english: version.nullable(),
  targetBlockIds: z.array(uuid).nullable(),
  question: questionSchema.nullable(),
  reminderHoursBeforeDue: z.array(z.number()),
  correction: z.object({ note: z.string(), at: z.string() }).nullable(),
  withdrawal: z.object({ reason: z.string(), at: z.string() }).nullable(),
  attachments: z.array(attachmentView),
  /** Its links to the local support directory. */
  help: circularHelpSchema,
  /** For a household member: their household's state. */
  household: z
    .object({
      id: uuid,
      acknowledgedAt: z.string().nullable(),
      acknowledgedChannel: channelSchema.nullable(),
      answer: answerSchema.nullable(),
      canAnswer: z.boolean(),
    })
    .nullable(),
});

export const acknowledgeResultSchema = z.object({ acknowledgedAt: z.string(), channel: channelSchema, first: z.boolean() });
export const answerRequestSchema = z.object({ answer: answerSchema });

export const progressSchema = z.object({
  circularId: uuid,
  total: z.number(),
  acknowledged: z.number(),
  answered: z.number(),
  byChannel: z.object({ app: z.number(), speaker: z.number(), paper: z.number() }),
  /** paperCopies: the 班's homes that need a printed copy (they chose paper, or nobody there can read it in the app). */
  byBlock: z.array(z.object({ blockId: uuid, blockName: z.string(), total: z.number(), acknowledged: z.number(), answered: z.number(), paperCopies: z.number() })),
  /** Per option (yes/no: [yes, no]; attendance: [attending, not attending] and headcount). */
  tallies: z.object({ counts: z.array(z.number()), headcount: z.number().nullable() }).nullable(),
});

export const unreadQuerySchema = z.object({ blockId: uuid.optional() });
export const unreadListSchema = z.object({
  items: z.array(
    z.object({
      ...householdLineFields,
      blockId: uuid,
      blockName: z.string(),
      channels: z.array(channelSchema),
      responderNotes: z.string(),
      members: z.array(z.object({ name: z.string(), phone: z.string().nullable() })),
    }),
  ),
});

export const paperSignoffRequestSchema = z.object({ householdIds: z.array(uuid).min(1, 'choose at least one household').max(2000) });
export const paperSignoffResultSchema = z.object({ recorded: z.number(), alreadyAcknowledged: z.number() });

export const printQuerySchema = z.object({ blockId: uuid });
export const printSheetSchema = z.object({
  circular: z.object({ title: z.string(), bodyHtml: z.string(), category: categorySchema, publishedAt: z.string().nullable(), dueAt: z.string().nullable(), question: questionSchema.nullable() }),
  associationName: z.string(),
  blockName: z.string(),
  /** Its links to the local support directory, printed with their address and QR code. */
  help: circularHelpSchema,
  /** The homes the 班長 brings a printed copy to (one copy each), who sign the sheet. */
  households: z.array(
    z.object({
      householdNumber: z.string(),
      householdName: z.string(),
      acknowledgedAt: z.string().nullable(),
      /** Why it needs paper: it chose the paper channel, and/or nobody there can read it in the app. */
      reasons: z.array(z.enum(['paper_channel', 'no_app_reader'])),
    }),
  ),
  /** The circular's attachments, printed with it (images inline, PDF pages rendered). */
  attachments: z.array(attachmentView),
});

export const attachmentQuerySchema = z.object({ filename: text().trim().min(1, 'give the file name').max(200) });
export const attachmentParamsSchema = z.object({ id: uuid, attachmentId: uuid });
/** The largest attachment accepted. */
export const ATTACHMENT_LIMIT = '10mb';
export const uploadedAttachmentSchema = z.object({ id: z.string(), filename: z.string(), contentType: z.string(), size: z.number(), url: z.string() });

export type Question = z.infer<typeof questionSchema>;
export type Answer = z.infer<typeof answerSchema>;
export type CircularInput = z.input<typeof circularInputSchema>;
export type CircularSummary = z.infer<typeof circularSummarySchema>;
export type CircularDetail = z.infer<typeof circularDetailSchema>;
export type CircularList = z.infer<typeof circularListSchema>;
export type Progress = z.infer<typeof progressSchema>;
export type UnreadList = z.infer<typeof unreadListSchema>;
export type PrintSheet = z.infer<typeof printSheetSchema>;
export type Category = z.infer<typeof categorySchema>;
/** Kept here for the importers written before the task list had a contract of its own. */
export type { Task } from './tasks.js';

const tag = 'circulars';
const id = idParamsSchema;
export const circularRoutes = {
  list: defineRoute({ method: 'get', path: '/api/circulars', summary: 'Circulars: all of them for officers, those addressed to me otherwise (search works on Japanese)', tag, access: 'session', query: circularListQuerySchema, response: circularListSchema }),
  create: defineRoute({ method: 'post', path: '/api/circulars', summary: 'Create a draft circular', tag, access: 'session', body: circularInputSchema, response: circularDetailSchema, status: 201 }),
  get: defineRoute({ method: 'get', path: '/api/circulars/:id', summary: 'One circular, in my language, with my household’s state', tag, access: 'session', params: id, response: circularDetailSchema }),
  update: defineRoute({ method: 'patch', path: '/api/circulars/:id', summary: 'Edit a draft or scheduled circular', tag, access: 'session', params: id, body: circularUpdateSchema, response: circularDetailSchema }),
  delete: defineRoute({ method: 'delete', path: '/api/circulars/:id', summary: 'Delete a draft', tag, access: 'session', params: id }),
  publish: defineRoute({ method: 'post', path: '/api/circulars/:id/publish', summary: 'Publish now, or schedule for its publish time', tag, access: 'session', params: id, response: circularDetailSchema }),
  correct: defineRoute({ method: 'post', path: '/api/circulars/:id/correct', summary: 'Correct a published circular (shown as corrected)', tag, access: 'session', params: id, body: correctionSchema, response: circularDetailSchema }),
  withdraw: defineRoute({ method: 'post', path: '/api/circulars/:id/withdraw', summary: 'Withdraw a circular', tag, access: 'session', params: id, body: withdrawSchema, response: circularDetailSchema }),

  addAttachment: defineRoute({ method: 'post', path: '/api/circulars/:id/attachments', summary: 'Attach a PDF or an image (type checked by content, 10 MB at most)', tag, access: 'session', params: id, query: attachmentQuerySchema, rawBody: { type: 'application/octet-stream', limit: ATTACHMENT_LIMIT }, response: uploadedAttachmentSchema, status: 201 }),
  removeAttachment: defineRoute({ method: 'delete', path: '/api/circulars/:id/attachments/:attachmentId', summary: 'Remove an attachment from a draft', tag, access: 'session', params: attachmentParamsSchema }),
  attachment: defineRoute({ method: 'get', path: '/api/circulars/:id/attachments/:attachmentId', summary: 'Download an attachment (only for those the circular reached)', tag, access: 'session', params: attachmentParamsSchema, produces: 'application/octet-stream' }),

  acknowledge: defineRoute({ method: 'post', path: '/api/circulars/:id/acknowledge', summary: 'My household has read it (既読); the first acknowledgement is kept', tag, access: 'session', params: id, response: acknowledgeResultSchema }),
  answer: defineRoute({ method: 'put', path: '/api/circulars/:id/answer', summary: "Answer the circular's question (changeable until the due date)", tag, access: 'session', params: id, body: answerRequestSchema, response: circularDetailSchema, idempotent: true }),
  progress: defineRoute({ method: 'get', path: '/api/circulars/:id/progress', summary: 'Read rate and answers, per 班 (captains: their 班)', tag, access: 'session', params: id, response: progressSchema }),
  unread: defineRoute({ method: 'get', path: '/api/circulars/:id/unread', summary: 'Households that have not read it, with contacts to chase them', tag, access: 'session', params: id, query: unreadQuerySchema, response: unreadListSchema }),
  paperSignoffs: defineRoute({ method: 'post', path: '/api/circulars/:id/paper-signoffs', summary: 'Record sign-offs from the paper 回覧板', tag, access: 'session', params: id, body: paperSignoffRequestSchema, response: paperSignoffResultSchema }),
  print: defineRoute({ method: 'get', path: '/api/circulars/:id/print', summary: 'A 班’s printable circular with its sign-off table', tag, access: 'session', params: id, query: printQuerySchema, response: printSheetSchema }),
};
