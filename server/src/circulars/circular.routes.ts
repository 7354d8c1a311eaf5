import { circularRoutes } from '../contracts/circulars.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import * as circulars from './circular.service.js';

export function registerCircularRoutes(api: ApiRouter, ctx: circulars.CircularContext) {
  api.handle(circularRoutes.list, async ({ actor, query }) => circulars.listCirculars(ctx, actor, query));
  api.handle(circularRoutes.create, async ({ actor, body }) => circulars.createDraft(ctx, actor, body));
  api.handle(circularRoutes.get, async ({ actor, params }) => circulars.getCircular(ctx, actor, params.id));
  api.handle(circularRoutes.update, async ({ actor, params, body }) => circulars.updateDraft(ctx, actor, params.id, body));
  api.handle(circularRoutes.delete, async ({ actor, params }) => {
    await circulars.deleteDraft(ctx, actor, params.id);
  });
  api.handle(circularRoutes.publish, async ({ actor, params }) => circulars.publish(ctx, actor, params.id));
  api.handle(circularRoutes.correct, async ({ actor, params, body }) => circulars.correct(ctx, actor, params.id, body));
  api.handle(circularRoutes.withdraw, async ({ actor, params, body }) => circulars.withdraw(ctx, actor, params.id, body.reason));

  api.handle(circularRoutes.addAttachment, async ({ actor, params, query, req }) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) throw HttpError.badRequest('Send the file as the request body.', 'body');
    return circulars.addAttachment(ctx, actor, params.id, query.filename, body);
  });
  api.handle(circularRoutes.removeAttachment, async ({ actor, params }) => {
    await circulars.removeAttachment(ctx, actor, params.id, params.attachmentId);
  });
  api.handle(circularRoutes.attachment, async ({ actor, params, res }) => {
    const file = await circulars.getAttachment(ctx, actor, params.id, params.attachmentId);
    res.setHeader('Content-Type', file.content_type);
    res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    res.setHeader('ETag', `"${file.sha256}"`);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.send(file.content);
  });

  api.handle(circularRoutes.acknowledge, async ({ actor, params }) => circulars.acknowledgeAsMember(ctx, actor, params.id));
  api.handle(circularRoutes.answer, async ({ actor, params, body, idempotencyKey }) => circulars.answer(ctx, actor, params.id, body.answer, idempotencyKey));
  api.handle(circularRoutes.progress, async ({ actor, params }) => circulars.progress(ctx, actor, params.id));
  api.handle(circularRoutes.unread, async ({ actor, params, query }) => circulars.unread(ctx, actor, params.id, query.blockId));
  api.handle(circularRoutes.paperSignoffs, async ({ actor, params, body }) => circulars.recordPaperSignoffs(ctx, actor, params.id, body.householdIds));
  api.handle(circularRoutes.print, async ({ actor, params, query }) => circulars.printSheet(ctx, actor, params.id, query.blockId));
}

