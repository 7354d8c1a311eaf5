import { idParamsSchema } from '../contracts/http.js';
import {
  acknowledgeResultSchema,
  answerRequestSchema,
  attachmentParamsSchema,
  attachmentQuerySchema,
  circularDetailSchema,
  circularInputSchema,
  circularListQuerySchema,
  circularListSchema,
  circularUpdateSchema,
  correctionSchema,
  paperSignoffRequestSchema,
  paperSignoffResultSchema,
  printQuerySchema,
  printSheetSchema,
  progressSchema,
  unreadListSchema,
  unreadQuerySchema,
  withdrawSchema,
} from '../contracts/circulars.js';
import { z } from 'zod';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import * as circulars from './circular.service.js';

export function registerCircularRoutes(api: ApiRouter, ctx: circulars.CircularContext) {
  const tag = 'circulars';
  const id = idParamsSchema;

  api.route('get', '/api/circulars', { summary: 'Circulars: all of them for officers, those addressed to me otherwise (search works on Japanese)', tag, access: 'session', query: circularListQuerySchema, response: circularListSchema }, async ({ actor, query }) =>
    circulars.listCirculars(ctx, actor, query),
  );
  api.route('post', '/api/circulars', { summary: 'Create a draft circular', tag, access: 'session', body: circularInputSchema, response: circularDetailSchema, status: 201 }, async ({ actor, body }) =>
    circulars.createDraft(ctx, actor, body),
  );
  api.route('get', '/api/circulars/:id', { summary: 'One circular, in my language, with my household’s state', tag, access: 'session', params: id, response: circularDetailSchema }, async ({ actor, params }) =>
    circulars.getCircular(ctx, actor, params.id),
  );
  api.route('patch', '/api/circulars/:id', { summary: 'Edit a draft or scheduled circular', tag, access: 'session', params: id, body: circularUpdateSchema, response: circularDetailSchema }, async ({ actor, params, body }) =>
    circulars.updateDraft(ctx, actor, params.id, body),
  );
  api.route('delete', '/api/circulars/:id', { summary: 'Delete a draft', tag, access: 'session', params: id }, async ({ actor, params }) => {
    await circulars.deleteDraft(ctx, actor, params.id);
  });
  api.route('post', '/api/circulars/:id/publish', { summary: 'Publish now, or schedule for its publish time', tag, access: 'session', params: id, response: circularDetailSchema }, async ({ actor, params }) =>
    circulars.publish(ctx, actor, params.id),
  );
  api.route('post', '/api/circulars/:id/correct', { summary: 'Correct a published circular (shown as corrected)', tag, access: 'session', params: id, body: correctionSchema, response: circularDetailSchema }, async ({ actor, params, body }) =>
    circulars.correct(ctx, actor, params.id, body),
  );
  api.route('post', '/api/circulars/:id/withdraw', { summary: 'Withdraw a circular', tag, access: 'session', params: id, body: withdrawSchema, response: circularDetailSchema }, async ({ actor, params, body }) =>
    circulars.withdraw(ctx, actor, params.id, body.reason),
  );

  api.route(
    'post',
    '/api/circulars/:id/attachments',
    { summary: 'Attach a PDF or an image (type checked by content, 10 MB at most)', tag, access: 'session', params: id, query: attachmentQuerySchema, rawBody: { type: 'application/octet-stream', limit: circulars.ATTACHMENT_LIMIT }, response: z.object({ id: z.string(), filename: z.string(), contentType: z.string(), size: z.number(), url: z.string() }), status: 201 },
    async ({ actor, params, query, req }) => {
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body)) throw HttpError.badRequest('Send the file as the request body.', 'body');
      return circulars.addAttachment(ctx, actor, params.id, query.filename, body);
    },
  );
  api.route('delete', '/api/circulars/:id/attachments/:attachmentId', { summary: 'Remove an attachment from a draft', tag, access: 'session', params: attachmentParamsSchema }, async ({ actor, params }) => {
    await circulars.removeAttachment(ctx, actor, params.id, params.attachmentId);
  });
  api.route('get', '/api/circulars/:id/attachments/:attachmentId', { summary: 'Download an attachment (only for those the circular reached)', tag, access: 'session', params: attachmentParamsSchema, produces: 'application/octet-stream' }, async ({ actor, params, res }) => {
    const file = await circulars.getAttachment(ctx, actor, params.id, params.attachmentId);
    res.setHeader('Content-Type', file.content_type);
    res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    res.setHeader('ETag', `"${file.sha256}"`);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.send(file.content);
  });

  api.route('post', '/api/circulars/:id/acknowledge', { summary: 'My household has read it (既読); the first acknowledgement is kept', tag, access: 'session', params: id, response: acknowledgeResultSchema }, async ({ actor, params }) =>
    circulars.acknowledgeAsMember(ctx, actor, params.id),
  );
  api.route('put', '/api/circulars/:id/answer', { summary: "Answer the circular's question (changeable until the due date)", tag, access: 'session', params: id, body: answerRequestSchema, response: circularDetailSchema, idempotent: true }, async ({ actor, params, body, idempotencyKey }) =>
    circulars.answer(ctx, actor, params.id, body.answer, idempotencyKey),
  );
  api.route('get', '/api/circulars/:id/progress', { summary: 'Read rate and answers, per 班 (captains: their 班)', tag, access: 'session', params: id, response: progressSchema }, async ({ actor, params }) =>
    circulars.progress(ctx, actor, params.id),
  );
  api.route('get', '/api/circulars/:id/unread', { summary: 'Households that have not read it, with contacts to chase them', tag, access: 'session', params: id, query: unreadQuerySchema, response: unreadListSchema }, async ({ actor, params, query }) =>
    circulars.unread(ctx, actor, params.id, query.blockId),
  );
  api.route('post', '/api/circulars/:id/paper-signoffs', { summary: 'Record sign-offs from the paper 回覧板', tag, access: 'session', params: id, body: paperSignoffRequestSchema, response: paperSignoffResultSchema }, async ({ actor, params, body }) =>
    circulars.recordPaperSignoffs(ctx, actor, params.id, body.householdIds),
  );
  api.route('get', '/api/circulars/:id/print', { summary: 'A 班’s printable circular with its sign-off table', tag, access: 'session', params: id, query: printQuerySchema, response: printSheetSchema }, async ({ actor, params, query }) =>
    circulars.printSheet(ctx, actor, params.id, query.blockId),
  );
}

