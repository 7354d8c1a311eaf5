import { z, type ZodType } from 'zod';
import { optionalText, queryInt, trimmed, uuid } from './common.js';
import { defineRoute, type Access } from './route.js';

/**
 * The local support directory (お悩みハンドブック): organisations and their services, found
 * anonymously by worries. The worry taxonomy's codes are stable (labels in the web app's i18n:
 * `directory.worry.<code>` in ja, en and ja-easy).
 */

export const WORRIES = [
  'care', 'loneliness', 'child_rearing', 'money', 'health', 'housing', 'violence', 'work', 'disability', 'food', 'general',
] as const;
export const worrySchema = z.enum(WORRIES, { error: `must be one of ${WORRIES.join(', ')}` });
export type Worry = z.infer<typeof worrySchema>;

export const AGE_GROUPS = ['children', 'youth', 'adults', 'seniors', 'all'] as const;
export const ageGroupSchema = z.enum(AGE_GROUPS, { error: `must be one of ${AGE_GROUPS.join(', ')}` });
/** The languages a service is given in (labels: `directory.language.<code>`). */
export const SERVICE_LANGUAGES = ['ja', 'en', 'zh', 'ko', 'vi', 'pt', 'easy-ja'] as const;
export const serviceLanguageSchema = z.enum(SERVICE_LANGUAGES, { error: `must be one of ${SERVICE_LANGUAGES.join(', ')}` });
/** A map position's two halves (degrees; both set, or both null: no pin). */
export const latitudeSchema = z.number({ error: 'must be a number (degrees)' }).min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90');
export const longitudeSchema = z.number({ error: 'must be a number (degrees)' }).min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180');
export const serviceStatusSchema = z.enum(['draft', 'published', 'stale', 'hidden']);
const areaCode = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be an area code (lower-case letters, digits and -)');

/** `worries=care,loneliness` (or repeated `worries=`): each a known code. */
const worriesQuery = z
  .union([z.string().max(300), z.array(z.string().max(40)).max(20)])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((w) => w.trim()).filter(Boolean))
  .pipe(z.array(z.string()).max(20, 'at most 20 worries').superRefine((codes, ctx) => {
    const unknown = codes.filter((c) => !(WORRIES as readonly string[]).includes(c));
    if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown worry ${unknown.join(', ').slice(0, 80)}: must be one of ${WORRIES.join(', ')}` });
  }))
  .transform((codes) => [...new Set(codes)] as Worry[]);

export const directorySearchQuerySchema = z.object({
  worries: worriesQuery.default([]),
  /** The area searched from: an association's area code (its slug); unset, the deployment's first association. */
  area: areaCode.optional(),
});

export const directoryAreaSchema = z.object({ code: z.string(), name: z.string(), kind: z.string() });

export const directoryResultSchema = z.object({
  id: uuid,
  name: z.string(),
  description: z.string(),
  organisation: z.string(),
  worries: z.array(worrySchema),
  matched: z.number().int(),
  ageGroups: z.array(z.string()),
  languages: z.array(z.string()),
  address: z.string(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  phone: z.string(),
  hours: z.string(),
  walkIn: z.boolean(),
  web: z.string(),
  cost: z.string(),
  /** YYYY-MM-DD. */
  lastConfirmedOn: z.string(),
  /** The area it serves closest to the searcher (the association, a school district, the city…). */
  servesArea: z.string(),
});

export const directorySearchSchema = z.object({
  /** The area searched from, with its ancestors (most local first). */
  area: directoryAreaSchema,
  areas: z.array(directoryAreaSchema),
  /** No worry asked: the general help lines. */
  general: z.boolean(),
  results: z.array(directoryResultSchema),
});

const url = optionalText(500).refine((v) => v === '' || /^https?:\/\//.test(v), 'must start with http:// or https://');
const phone = optionalText(30).refine((v) => /^[0-9０-９+#\-()（） ]*$/.test(v), 'must be a phone number (digits and -)');

export const serviceBodySchema = z.object({
  organisation: trimmed(200),
  name: trimmed(200),
  description: optionalText(2000).default(''),
  worries: z.array(worrySchema).min(1, 'choose at least one worry').max(20),
  ageGroups: z.array(ageGroupSchema).max(10).default([]),
  languages: z.array(serviceLanguageSchema).max(10).default(['ja']),
  address: optionalText(300).default(''),
  lat: latitudeSchema.nullable().default(null),
  lon: longitudeSchema.nullable().default(null),
  phone: phone.default(''),
  hours: optionalText(300).default(''),
  walkIn: z.boolean().default(false),
  web: url.default(''),
  cost: optionalText(200).default(''),
  status: z.enum(['draft', 'published', 'hidden']).default('draft'),
  /** The areas it serves (codes or names): an officer's entry, their association only (unset); a city editor's, the city (unset) or areas under it. */
  areas: z.array(trimmed(200)).max(50).default([]),
}).refine((s) => s.phone !== '' || s.web !== '' || s.address !== '', { message: 'give a phone number, a web address or an address', path: ['phone'] })
  .refine((s) => (s.lat === null) === (s.lon === null), { message: 'give both latitude and longitude, or neither', path: ['lon'] });

export const serviceUpdateSchema = z.object({
  /** Another organisation for the entry: the editor's own of this name, else a new one of theirs. */
  organisation: trimmed(200).optional(),
  name: trimmed(200).optional(),
  description: optionalText(2000).optional(),
  worries: z.array(worrySchema).min(1, 'choose at least one worry').max(20).optional(),
  phone: phone.optional(),
  hours: optionalText(300).optional(),
  walkIn: z.boolean().optional(),
  web: url.optional(),
  cost: optionalText(200).optional(),
  address: optionalText(300).optional(),
  status: z.enum(['draft', 'published', 'hidden']).optional(),
  ageGroups: z.array(ageGroupSchema).max(10).optional(),
  languages: z.array(serviceLanguageSchema).max(10).optional(),
  /** The map pin (null clears it). Only one half may be sent; the entry as saved must have both or neither. */
  lat: latitudeSchema.nullable().optional(),
  lon: longitudeSchema.nullable().optional(),
  /** The areas it serves instead (a city editor's entries: the city or areas under it). */
  areas: z.array(trimmed(200)).min(1, 'choose at least one area').max(50).optional(),
});

/** Days before its reconfirm date from which an entry is reminded of and shown as due soon. */
export const REMIND_DAYS = 30;

export const editorServiceSchema = directoryResultSchema.omit({ matched: true, servesArea: true }).extend({
  status: serviceStatusSchema,
  /** Published but not confirmed within its reconfirm period: hidden from search. */
  stale: z.boolean(),
  /** The day ('YYYY-MM-DD') by which it must be reconfirmed to stay current, and the days left (negative once past). */
  confirmBy: z.string(),
  daysLeft: z.number().int(),
  /** Published, current, and within REMIND_DAYS of its reconfirm date. */
  dueSoon: z.boolean(),
  areaCodes: z.array(z.string()),
  /** This editor may change it (their association's entry; a city editor's, their city's). */
  editable: z.boolean(),
  /** Kept by the city's editors (市の登録): an officer cannot change it. */
  cityOwned: z.boolean(),
  /** Hidden by the freshness pass (stale past its grace period): still to phone and reconfirm. */
  hiddenStale: z.boolean(),
  /** The organisation's own directory login, if it has one (for the editors' 確認待ち list). */
  organisationLogin: z.string().nullable(),
});

export const editorListSchema = z.object({
  areas: z.array(directoryAreaSchema),
  /** The association's public search page (for its QR code), or null before it has an area. */
  searchUrl: z.string().nullable(),
  items: z.array(editorServiceSchema),
});

/**
 * 変更履歴: the directory's audit (`directory_audit`) of the entries the viewer keeps, newest
 * first. `action` is the audit's without its `directory.` prefix; `fields` are the columns a
 * change named (labels: `directory.review.field.<column>`). `imported` is a CSV import: one row
 * for the whole file, about no single entry.
 */
export const HISTORY_ACTIONS = [
  'service.create', 'service.update', 'service.confirm', 'service.propose', 'change.propose', 'change.approve', 'change.reject',
  'service.stale', 'service.hide_stale', 'service.remind', 'imported',
] as const;
export const historyQuerySchema = z.object({
  /** The `next` of the page before: rows older than it. */
  before: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be the `next` of the page before').optional(),
  limit: queryInt(1, 100).default(30),
});
export const historyItemSchema = z.object({
  id: z.string(),
  at: z.string(),
  /** The entry (its name now); null for an import. */
  serviceId: uuid.nullable(),
  service: z.string().nullable(),
  action: z.enum(HISTORY_ACTIONS),
  /** An import's rows of the file and what they did (added, changed, the same); null for any other row. */
  imported: z.object({ rows: z.number().int(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() }).nullable(),
  fields: z.array(z.string()),
  /** Who: an officer (their name, to officers only), a city editor (account), an organisation (account), the daily freshness job, or an account (or person) deleted since. */
  actor: z.object({ kind: z.enum(['officer', 'city_editor', 'organisation', 'system', 'deleted']), name: z.string().nullable(), login: z.string().nullable() }),
  /** A rejection's reason. */
  reason: z.string(),
});
export const historySchema = z.object({
  /** The zone the times are shown in: the officer's association's; a city editor's or an organisation's, the deployment's default. */
  timeZone: z.string(),
  items: z.array(historyItemSchema),
  /** Pass as `before` for the next (older) page; null on the last. */
  next: z.string().nullable(),
});
export type DirectoryHistory = z.infer<typeof historySchema>;
export type DirectoryHistoryItem = z.infer<typeof historyItemSchema>;

export type DirectorySearch = z.infer<typeof directorySearchSchema>;
export type DirectoryResult = z.infer<typeof directoryResultSchema>;
export type EditorService = z.infer<typeof editorServiceSchema>;

const tag = 'directory';
const idParams = z.object({ id: uuid });

/** Whose editors a set of editor routes serves, as their summaries name them. */
export interface EditorsOf {
  /** Who may call them, e.g. `officers`. */
  editors: string;
  /** Who keeps the entries they change, e.g. `the association`. */
  keeper: string;
  /** What a new entry serves, e.g. `the association`. */
  serving: string;
  /** What the list shows, e.g. `The directory entries serving the association`. */
  listed: string;
}

/**
 * An editor's list of entries and their create, update and confirm routes under `base`: the
 * officers' (directoryRoutes) and a city editor's (directory-city.ts) differ only in path,
 * access, the list's response and who the summaries name.
 */
export function editorServiceRoutes<const B extends string, const A extends Access, L extends ZodType>(base: B, access: A, who: EditorsOf, listResponse: L) {
  return {
    list: defineRoute({ method: 'get', path: base, summary: `${who.listed}, every status (${who.editors})`, tag, access, response: listResponse }),
    create: defineRoute({
      method: 'post', path: base, summary: `Add a service (and its organisation) that ${who.keeper} keeps, serving ${who.serving} (${who.editors})`, tag, access,
      body: serviceBodySchema, response: editorServiceSchema, status: 201,
    }),
    update: defineRoute({
      method: 'patch', path: `${base}/:id`, summary: `Change a service ${who.keeper} keeps (${who.editors})`, tag, access,
      params: idParams, body: serviceUpdateSchema, response: editorServiceSchema,
    }),
    confirm: defineRoute({
      method: 'post', path: `${base}/:id/confirm`, summary: `Mark a service ${who.keeper} keeps confirmed today (${who.editors})`, tag, access,
      params: idParams, response: editorServiceSchema,
    }),
  };
}

export const directoryRoutes = {
  search: defineRoute({
    method: 'get', path: '/api/directory/search', summary: 'Anonymous search of local support services by worries (nothing about the visitor is stored)', tag, access: 'public',
    query: directorySearchQuerySchema, response: directorySearchSchema,
  }),
  ...editorServiceRoutes(
    '/api/directory/services', 'session',
    { editors: 'officers', keeper: 'the association', serving: 'the association', listed: 'The directory entries serving the association' },
    editorListSchema,
  ),
  history: defineRoute({
    method: 'get', path: '/api/directory/history', summary: 'The changes to the association’s entries, newest first, paged (officers)', tag, access: 'session',
    query: historyQuerySchema, response: historySchema,
  }),
};
