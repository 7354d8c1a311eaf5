import { z } from 'zod';
import { worrySchema } from './directory.js';
import { defineRoute } from './route.js';

/**
 * The directory's CSV import and export (お悩みハンドブック): a directory editor loads a city's
 * list or their own spreadsheet (Shift_JIS or UTF-8), previews it, then saves it; and downloads
 * the entries they can edit in the same format. The columns: docs/architecture.md.
 */

export const directoryImportQuerySchema = z.object({ mode: z.enum(['preview', 'commit']).default('preview') });
export const directoryExportQuerySchema = z.object({ encoding: z.enum(['utf-8', 'shift_jis']).default('utf-8') });

const issueSchema = z.object({ line: z.number(), column: z.string().optional(), message: z.string() });

export const directoryImportResultSchema = z.object({
  committed: z.boolean(),
  encoding: z.enum(['utf-8', 'shift_jis', 'utf-16le', 'utf-16be']),
  /** Data rows in the file. */
  rows: z.number(),
  /** Anything here and nothing is written: by line and column. */
  errors: z.array(issueSchema),
  /** Saved, but as a draft (not published): rows without a phone, web address or address. */
  warnings: z.array(issueSchema),
  summary: z.object({
    created: z.number(), updated: z.number(), unchanged: z.number(),
    /** Entries of the file that will not show in search: drafts, hidden, or not confirmed within 6 months. */
    unpublished: z.number(),
  }),
  /** The rows as they would be saved (at most 500). */
  items: z.array(z.object({
    line: z.number(),
    externalId: z.string().nullable(),
    organisation: z.string(),
    name: z.string(),
    worries: z.array(worrySchema),
    status: z.enum(['draft', 'published', 'stale', 'hidden']),
    /** Would show in search once saved (published and confirmed within its reconfirm period). */
    current: z.boolean(),
    change: z.enum(['create', 'update', 'unchanged']),
  })),
});
export type DirectoryImportResult = z.infer<typeof directoryImportResultSchema>;

/** The largest directory CSV accepted (a city's list of a few hundred services is tens of kB). */
export const DIRECTORY_UPLOAD_LIMIT = '2mb';

const tag = 'directory';
export const directoryImportRoutes = {
  import: defineRoute({
    method: 'post', path: '/api/directory/import',
    summary: 'Import directory entries from CSV (UTF-8 or Shift_JIS): preview, then commit (directory editors: officers)',
    tag, access: 'session', query: directoryImportQuerySchema, response: directoryImportResultSchema,
    rawBody: { type: 'text/csv', limit: DIRECTORY_UPLOAD_LIMIT },
  }),
  export: defineRoute({
    method: 'get', path: '/api/directory/export',
    summary: 'The entries the editor can change, as CSV in the import format (UTF-8 with BOM, or Shift_JIS: 422 listing cells it cannot hold)',
    tag, access: 'session', query: directoryExportQuerySchema, produces: 'text/csv',
  }),
};
