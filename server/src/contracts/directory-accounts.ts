import { z } from 'zod';
import { emailSchema, passwordSchema, text, trimmed, uuid } from './common.js';
import { editorServiceSchema, historyQuerySchema, historySchema, serviceBodySchema, serviceUpdateSchema } from './directory.js';
import { defineRoute } from './route.js';

/**
 * The directory's own logins, apart from residents (their own cookie: no association route
 * knows them): an organisation, invited by a directory editor, edits its own services, and
 * its changes wait for an editor's review; a city editor (deployment-wide) reviews any
 * organisation's changes. An officer is the directory editor of their association's entries.
 */

export const directoryInviteSchema = z.object({
  /** The organisation (found among the association's by name, else added). */
  organisation: trimmed(200),
  /** The organisation's login (an email address). */
  login: emailSchema,
});

export const directoryInvitationSchema = z.object({
  login: z.string(),
  organisation: z.string(),
  /** One-time code, shown once (to print or send): valid 14 days. */
  code: z.string(),
  url: z.string(),
  expiresAt: z.string(),
});

export const directoryJoinSchema = z.object({ code: text().trim().min(1, 'enter the invitation code').max(100), password: passwordSchema });
export const directoryLoginSchema = z.object({ login: emailSchema, password: text().min(1, 'enter your password').max(200) });

/** One field of a change: the published value and the proposed one. */
export const fieldChangeSchema = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() });

export const pendingChangeSchema = z.object({
  id: uuid,
  createdAt: z.string(),
  changes: z.array(fieldChangeSchema),
});

export const accountServiceSchema = editorServiceSchema.extend({
  /** The change waiting for review (the published values above still show until it is approved). */
  pending: pendingChangeSchema.nullable(),
  /** The last reviewed change, with the reason when it was rejected. */
  lastReview: z.object({ status: z.enum(['approved', 'rejected']), reason: z.string(), at: z.string() }).nullable(),
});

export const directoryAccountViewSchema = z.object({
  account: z.object({ id: uuid, name: z.string(), login: z.string(), role: z.enum(['organisation', 'city_editor']) }),
  organisation: z.object({ id: uuid, name: z.string() }).nullable(),
  csrfToken: z.string(),
  services: z.array(accountServiceSchema),
  /** Pending changes this account may review (a city editor's). */
  toReview: z.number().int(),
});

/** What an organisation may change: everything but whether it shows, where it serves and which organisation it is (the editors decide those). */
export const organisationChangeSchema = serviceUpdateSchema.omit({ status: true, areas: true, organisation: true });

/** A new service an organisation proposes: a draft until an editor approves it (then published). */
export const organisationNewServiceSchema = z.object(serviceBodySchema.shape).omit({ organisation: true, status: true, areas: true })
  .refine((s) => s.phone !== '' || s.web !== '' || s.address !== '', { message: 'give a phone number, a web address or an address', path: ['phone'] })
  .refine((s) => (s.lat === null) === (s.lon === null), { message: 'give both latitude and longitude, or neither', path: ['lon'] });

export const reviewItemSchema = pendingChangeSchema.extend({
  serviceId: uuid,
  service: z.string(),
  organisation: z.string(),
  submittedBy: z.string(),
});
export const reviewListSchema = z.object({ items: z.array(reviewItemSchema) });
export const rejectSchema = z.object({ reason: trimmed(500) });
export const reviewDecisionSchema = z.object({ id: uuid, status: z.enum(['approved', 'rejected']) });

export type DirectoryAccountView = z.infer<typeof directoryAccountViewSchema>;
export type AccountService = z.infer<typeof accountServiceSchema>;
export type ReviewItem = z.infer<typeof reviewItemSchema>;

const tag = 'directory';
const idParams = z.object({ id: uuid });
export const directoryAccountRoutes = {
  invite: defineRoute({
    method: 'post', path: '/api/directory/invitations', summary: 'Invite an organisation to keep its own entries (officers): a one-time code', tag, access: 'session',
    body: directoryInviteSchema, response: directoryInvitationSchema, status: 201,
  }),
  review: defineRoute({
    method: 'get', path: '/api/directory/review', summary: 'Organisations’ changes waiting for review of the association’s entries (officers)', tag, access: 'session',
    response: reviewListSchema,
  }),
  approve: defineRoute({
    method: 'post', path: '/api/directory/review/:id/approve', summary: 'Publish an organisation’s change (officers)', tag, access: 'session',
    params: idParams, response: reviewDecisionSchema,
  }),
  reject: defineRoute({
    method: 'post', path: '/api/directory/review/:id/reject', summary: 'Turn down an organisation’s change, with a reason (officers)', tag, access: 'session',
    params: idParams, body: rejectSchema, response: reviewDecisionSchema,
  }),
  // The directory accounts' own door (its own cookie; access is checked by the directory, not the resident session).
  join: defineRoute({
    method: 'post', path: '/api/directory/account/join', summary: 'An invited organisation sets its password and signs in', tag, access: 'public',
    body: directoryJoinSchema, response: directoryAccountViewSchema,
  }),
  login: defineRoute({
    method: 'post', path: '/api/directory/account/login', summary: 'Sign in as an organisation or a city editor', tag, access: 'public',
    body: directoryLoginSchema, response: directoryAccountViewSchema,
  }),
  logout: defineRoute({ method: 'post', path: '/api/directory/account/logout', summary: 'Sign out of the directory account', tag, access: 'public' }),
  me: defineRoute({
    method: 'get', path: '/api/directory/account', summary: 'The signed-in directory account: its organisation’s services and their pending changes', tag, access: 'public',
    response: directoryAccountViewSchema,
  }),
  change: defineRoute({
    method: 'patch', path: '/api/directory/account/services/:id', summary: 'Propose a change to the organisation’s service (published after review)', tag, access: 'public',
    params: idParams, body: organisationChangeSchema, response: accountServiceSchema,
  }),
  reconfirm: defineRoute({
    method: 'post', path: '/api/directory/account/services/:id/confirm', summary: 'The organisation confirms its service is still right', tag, access: 'public',
    params: idParams, response: accountServiceSchema,
  }),
  propose: defineRoute({
    method: 'post', path: '/api/directory/account/services', summary: 'The organisation proposes a new service (shown only once an editor approves it)', tag, access: 'public',
    body: organisationNewServiceSchema, response: accountServiceSchema, status: 201,
  }),
  history: defineRoute({
    method: 'get', path: '/api/directory/account/history', summary: 'The changes to the entries the account keeps (an organisation: its own; a city editor: the city’s), newest first, paged', tag, access: 'public',
    query: historyQuerySchema, response: historySchema,
  }),
  cityReview: defineRoute({
    method: 'get', path: '/api/directory/account/review', summary: 'Every organisation’s changes waiting for review (city editors)', tag, access: 'public',
    response: reviewListSchema,
  }),
  cityApprove: defineRoute({
    method: 'post', path: '/api/directory/account/review/:id/approve', summary: 'Publish an organisation’s change (city editors)', tag, access: 'public',
    params: idParams, response: reviewDecisionSchema,
  }),
  cityReject: defineRoute({
    method: 'post', path: '/api/directory/account/review/:id/reject', summary: 'Turn down an organisation’s change (city editors)', tag, access: 'public',
    params: idParams, body: rejectSchema, response: reviewDecisionSchema,
  }),
};
