import { directoryImportRoutes } from '../contracts/directory-import.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import type { ServiceContext } from '../common/service-context.js';
import { exportDirectory, importDirectory } from './directory-import.service.js';

/** The directory's CSV: import (preview, then commit) and export, for its editors. */
export function registerDirectoryImportRoutes(api: ApiRouter, ctx: Pick<ServiceContext, 'db' | 'log'>) {
  api.handle(directoryImportRoutes.import, async ({ actor, query, req }) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
    return importDirectory(ctx, actor, body, query.mode === 'commit');
  });
  api.handle(directoryImportRoutes.export, async ({ actor, query, res }) => {
    const { csv, date } = await exportDirectory(ctx, actor, query.encoding);
    res.setHeader('Content-Type', `text/csv; charset=${query.encoding}`);
    res.setHeader('Content-Disposition', `attachment; filename="directory-${date}.csv"; filename*=UTF-8''${encodeURIComponent(`お悩みハンドブック-${date}.csv`)}`);
    res.send(csv);
  });
}
