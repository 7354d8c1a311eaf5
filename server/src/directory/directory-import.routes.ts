import { directoryImportRoutes } from '../contracts/directory-import.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import type { ServiceContext } from '../common/service-context.js';
import type { Response } from 'express';
import { exportDirectory, importDirectory } from './directory-import.service.js';
import { officerEditor } from './directory.service.js';

/** The CSV as a download named by its day. */
export function sendDirectoryCsv(res: Response, encoding: 'utf-8' | 'shift_jis', { csv, date }: { csv: Buffer; date: string }) {
  res.setHeader('Content-Type', `text/csv; charset=${encoding}`);
  res.setHeader('Content-Disposition', `attachment; filename="directory-${date}.csv"; filename*=UTF-8''${encodeURIComponent(`お悩みハンドブック-${date}.csv`)}`);
  res.send(csv);
}

/** The directory's CSV: import (preview, then commit) and export, for its editors. */
export function registerDirectoryImportRoutes(api: ApiRouter, ctx: Pick<ServiceContext, 'db' | 'log'>) {
  api.handle(directoryImportRoutes.import, async ({ actor, query, req }) => {
    const editor = officerEditor(actor);
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
    return importDirectory(ctx, editor, body, query.mode === 'commit');
  });
  api.handle(directoryImportRoutes.export, async ({ actor, query, res }) => {
    sendDirectoryCsv(res, query.encoding, await exportDirectory(ctx, officerEditor(actor), query.encoding));
  });
}
