import { createHash } from 'node:crypto';
import { requireVisible, type Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import { deleteAttachment, findAttachment, insertAttachment } from './circular.repository.js';
import { attachmentView } from './circular-view.service.js';
import { officerCircular, visibleCircular, type CircularContext } from './circular-access.service.js';

/** Files attached to a circular: added and removed by its officers before publishing, read by those it reached. */

const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'image/gif'];
export const ATTACHMENT_LIMIT = '10mb';

async function changeableCircular(ctx: CircularContext, actor: Actor, id: string) {
  const circular = await officerCircular(ctx, actor, id);
  if (circular.status !== 'draft' && circular.status !== 'scheduled') throw new HttpError(409, 'circular_state', 'Attachments can be changed only before publishing.');
  return circular;
}

export async function addAttachment(ctx: CircularContext, actor: Actor, id: string, filename: string, content: Buffer) {
  await changeableCircular(ctx, actor, id);
  if (!content.length) throw HttpError.badRequest('The file is empty.', 'body');
  // The type comes from the bytes, not from the name or the header the browser sent.
  // Imported here, not at the top: ~35 modules the start need not load (see main.ts).
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = await fileTypeFromBuffer(content);
  if (!detected || !ATTACHMENT_TYPES.includes(detected.mime)) {
    throw HttpError.badRequest(`The file is ${detected ? `a ${detected.mime} file` : 'of an unknown type'}; attach a PDF or an image (PNG, JPEG, WebP, GIF).`, 'body');
  }
  const safeName = filename.replace(/[\\/\u0000-\u001f"]/g, '_');
  const attachment = await insertAttachment(ctx.db, {
    circular_id: id, association_id: actor.associationId, filename: safeName, content_type: detected.mime, size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'), content,
  });
  return attachmentView(id)(attachment);
}

export async function removeAttachment(ctx: CircularContext, actor: Actor, id: string, attachmentId: string) {
  await changeableCircular(ctx, actor, id);
  requireVisible((await deleteAttachment(ctx.db, id, attachmentId)) > 0, 'attachment');
}

export async function getAttachment(ctx: CircularContext, actor: Actor, id: string, attachmentId: string) {
  await visibleCircular(ctx, actor, id);
  const attachment = await findAttachment(ctx.db, id, attachmentId);
  requireVisible(!!attachment, 'attachment');
  return attachment!;
}
