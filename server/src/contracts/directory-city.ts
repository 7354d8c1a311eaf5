import { z } from 'zod';
import { directoryAreaSchema, editorServiceRoutes, editorServiceSchema } from './directory.js';
import { directoryInvitationSchema, directoryInviteSchema } from './directory-accounts.js';
import { directoryExportQuerySchema, directoryImportQuerySchema, directoryImportResultSchema, DIRECTORY_UPLOAD_LIMIT } from './directory-import.js';
import { defineRoute } from './route.js';

/**
 * A city editor's own entries (signed in at the directory's door, its own cookie and CSRF
 * token): the entries the city keeps, serving the city or areas under it — added, changed,
 * published, hidden, reconfirmed, imported and exported as the officers' are. Another city's
 * entry is a 404; an officer or an organisation cannot reach these routes.
 */

export const cityDirectoryListSchema = z.object({
  city: directoryAreaSchema,
  /** The city and every area under it (what an entry may serve). */
  areas: z.array(directoryAreaSchema),
  items: z.array(editorServiceSchema),
});
export type CityDirectoryList = z.infer<typeof cityDirectoryListSchema>;

const tag = 'directory';
export const directoryCityRoutes = {
  ...editorServiceRoutes(
    '/api/directory/account/city/services', 'public',
    { editors: 'city editors', keeper: 'the city', serving: 'the city or areas in it', listed: 'The entries the city keeps' },
    cityDirectoryListSchema,
  ),
  import: defineRoute({
    method: 'post', path: '/api/directory/account/city/import', summary: 'Import the city’s entries from CSV (UTF-8 or Shift_JIS): preview, then commit (city editors)',
    tag, access: 'public', query: directoryImportQuerySchema, response: directoryImportResultSchema, rawBody: { type: 'text/csv', limit: DIRECTORY_UPLOAD_LIMIT },
  }),
  export: defineRoute({
    method: 'get', path: '/api/directory/account/city/export', summary: 'The city’s entries as CSV in the import format (city editors)',
    tag, access: 'public', query: directoryExportQuerySchema, produces: 'text/csv',
  }),
  invite: defineRoute({
    method: 'post', path: '/api/directory/account/city/invitations', summary: 'Invite an organisation of the city’s entries to keep them (city editors): a one-time code',
    tag, access: 'public', body: directoryInviteSchema, response: directoryInvitationSchema, status: 201,
  }),
};
