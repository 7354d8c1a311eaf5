import { z } from 'zod';
import { uuid } from './common.js';
import { directoryAreaSchema, editorServiceSchema, serviceBodySchema, serviceUpdateSchema } from './directory.js';
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
const idParams = z.object({ id: uuid });
export const directoryCityRoutes = {
  list: defineRoute({
    method: 'get', path: '/api/directory/account/city/services', summary: 'The entries the city keeps, every status (city editors)', tag, access: 'public',
    response: cityDirectoryListSchema,
  }),
  create: defineRoute({
    method: 'post', path: '/api/directory/account/city/services', summary: 'Add a service the city keeps, serving the city or areas in it (city editors)', tag, access: 'public',
    body: serviceBodySchema, response: editorServiceSchema, status: 201,
  }),
  update: defineRoute({
    method: 'patch', path: '/api/directory/account/city/services/:id', summary: 'Change a service the city keeps (city editors)', tag, access: 'public',
    params: idParams, body: serviceUpdateSchema, response: editorServiceSchema,
  }),
  confirm: defineRoute({
    method: 'post', path: '/api/directory/account/city/services/:id/confirm', summary: 'Mark a service the city keeps confirmed today (city editors)', tag, access: 'public',
    params: idParams, response: editorServiceSchema,
  }),
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
