import { z } from 'zod';

/**
 * The HTTP contract: request and response schemas shared by the server (which validates
 * with them and generates /api/openapi.json from them) and the web app (which takes its
 * types from them). Field names are camelCase on the wire.
 */

export const languageSchema = z.enum(['ja', 'ja-easy', 'en']);
export const channelSchema = z.enum(['app', 'speaker', 'paper']);
export const uuid = z.uuid({ message: 'must be an id (UUID)' });

// ── The input boundary ─────────────────────────────────────────────────────────────────
// Every value a client sends goes through these helpers, so what reaches PostgreSQL is
// something it can store: text without NUL (PostgreSQL text cannot hold U+0000) or broken
// UTF-16 (a lone surrogate cannot be encoded as UTF-8, and breaks the audit log's jsonb),
// dates in years people mean, and integers that fit their column. A value outside answers
// 400 naming the field, before any handler (and so before any write) runs.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text that PostgreSQL and JSON can store as sent: no NUL, no unpaired surrogate. */
export const text = () =>
  z
    .string({ error: 'must be text' })
    .refine((v) => !v.includes('\u0000'), 'must not contain a NUL character')
    .refine((v) => !LONE_SURROGATE.test(v), 'must not contain a broken character (an unpaired surrogate)');

/** Trimmed text of at most `max` characters that must not be empty. */
export const trimmed = (max: number) => text().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
/** Trimmed text of at most `max` characters, possibly empty. */
export const optionalText = (max: number) => text().trim().max(max, `at most ${max} characters`);
/** A search term (query strings too): text, trimmed, at most `max` characters. */
export const searchText = (max = 100) => optionalText(max);

/** The range of a PostgreSQL `integer` (int4) column. */
export const INT4 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;
/**
 * An integer that fits an `integer` column, within [min, max] (by default the whole int4
 * range). zod's .int() alone allows ±2^53, which PostgreSQL refuses with a 500.
 */
export const int = (min: number = INT4.min, max: number = INT4.max) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(Math.max(min, INT4.min), `must be at least ${Math.max(min, INT4.min)}`)
    .max(Math.min(max, INT4.max), `must be at most ${Math.min(max, INT4.max)}`);
/** The same for a query string value (always text on the wire). */
export const queryInt = (min: number = INT4.min, max: number = INT4.max) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(Math.max(min, INT4.min), `must be at least ${Math.max(min, INT4.min)}`)
    .max(Math.min(max, INT4.max), `must be at most ${Math.min(max, INT4.max)}`);

/** Years people mean: PostgreSQL and JavaScript disagree about year 0 and year 275760. */
export const YEARS = { min: 1900, max: 2200 } as const;
const yearInRange = (iso: string) => {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= YEARS.min && year <= YEARS.max;
};
const yearMessage = `must be between the years ${YEARS.min} and ${YEARS.max}`;
/** A date and time with its offset (ISO 8601), in a sensible year. */
export const isoDateTime = (message = 'must be a date and time (ISO 8601)') =>
  z.iso.datetime({ offset: true, message }).refine(yearInRange, yearMessage);
/** A calendar date YYYY-MM-DD, in a sensible year. */
export const isoDate = (message = 'must be a date YYYY-MM-DD') => z.iso.date({ message }).refine(yearInRange, yearMessage);

export const emailSchema = z.email({ message: 'must be an email address' }).max(254).transform((v) => v.toLowerCase());
/** Japanese phone numbers as people write them: digits with optional hyphens, optional +81. */
export const phoneSchema = text()
  .trim()
  .transform((v) => v.replace(/[‐－―ー\s-]/g, '').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)))
  .pipe(z.string().regex(/^(\+81|0)\d{9,10}$/, 'must be a phone number such as 090-1234-5678'));
export const passwordSchema = text().min(8, 'at least 8 characters').max(200, 'at most 200 characters');

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

// ── Session ────────────────────────────────────────────────────────────────────────────

export const loginRequestSchema = z.object({
  identifier: text().trim().min(1, 'enter your email or phone number').max(254),
  password: text().min(1, 'enter your password').max(200),
});

export const sessionViewSchema = z.object({
  person: z.object({ id: uuid, name: z.string(), preferredLanguage: languageSchema }),
  association: z.object({ id: uuid, name: z.string() }),
  roles: z.object({
    officer: z.boolean(),
    captainOf: z.array(z.object({ id: uuid, name: z.string() })),
    volunteer: z.boolean(),
    welfareCommissioner: z.boolean(),
    watcherOf: z.array(z.object({ id: uuid, name: z.string() })),
    household: z.object({ id: uuid, name: z.string() }).nullable(),
  }),
  csrfToken: z.string(),
});

export const updateMeRequestSchema = z.object({ preferredLanguage: languageSchema });
export const changePasswordRequestSchema = z.object({ currentPassword: z.string().min(1, 'enter your current password').max(200), newPassword: passwordSchema });

// ── Household onboarding by passcode ───────────────────────────────────────────────────

export const passcodeSchema = text()
  .trim()
  .transform((v) => v.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[A-Z0-9]{8}$/, 'must be the 8-character code printed on the sheet'));

export const joinLookupRequestSchema = z.object({ code: passcodeSchema });
export const joinLookupResponseSchema = z.object({
  household: z.object({ name: z.string(), blockName: z.string() }),
  members: z.array(z.object({ id: uuid, name: z.string(), hasAccount: z.boolean() })),
});

export const joinRequestSchema = z
  .object({
    code: passcodeSchema,
    personId: uuid.optional(),
    name: trimmed(100).optional(),
    email: emailSchema.optional(),
    phone: phoneSchema.optional(),
    password: passwordSchema,
    preferredLanguage: languageSchema.default('ja'),
  })
  .refine((v) => v.personId || v.name, { message: 'choose who you are or enter your name', path: ['name'] })
  .refine((v) => v.email || v.phone, { message: 'enter an email address or a phone number', path: ['email'] });

// ── Roster ─────────────────────────────────────────────────────────────────────────────

export const blockViewSchema = z.object({
  id: uuid,
  name: z.string(),
  sortOrder: z.number(),
  householdCount: z.number(),
  captains: z.array(z.object({ personId: uuid, name: z.string() })),
});
export const blockListSchema = z.object({ items: z.array(blockViewSchema) });
export const createBlockRequestSchema = z.object({ name: trimmed(100), sortOrder: int().optional() });
export const updateBlockRequestSchema = createBlockRequestSchema.partial();
export const setCaptainsRequestSchema = z.object({
  personIds: z.array(uuid).max(10),
  /** The first day of the new term; captains usually rotate each April. */
  startsOn: isoDate().optional(),
});

export const householdListQuerySchema = z.object({
  blockId: uuid.optional(),
  q: searchText(100).optional(),
  limit: queryInt(1, 500).default(100),
  offset: queryInt(0).default(0),
});

export const householdSummarySchema = z.object({
  id: uuid,
  householdNumber: z.string(),
  name: z.string(),
  address: z.string(),
  blockId: uuid,
  blockName: z.string(),
  channels: z.array(channelSchema),
  responderNotes: z.string(),
  memberCount: z.number(),
});
export const householdListSchema = z.object({ items: z.array(householdSummarySchema), total: z.number() });

export const personViewSchema = z.object({
  id: uuid,
  name: z.string(),
  kana: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  preferredLanguage: languageSchema,
  hasAccount: z.boolean(),
  householdId: uuid.nullable(),
  roles: z.array(z.string()),
});
export const personListSchema = z.object({ items: z.array(personViewSchema) });
export const personListQuerySchema = z.object({
  q: searchText(100).optional(),
  withoutHousehold: z.enum(['true', 'false']).optional(),
});

export const householdDetailSchema = householdSummarySchema.extend({
  members: z.array(personViewSchema),
  devices: z.array(z.object({ id: uuid, label: z.string(), online: z.boolean() })),
});

const householdFields = {
  householdNumber: trimmed(50),
  name: trimmed(100),
  address: trimmed(300),
  blockId: uuid,
  channels: z.array(channelSchema).min(1, 'choose at least one channel').max(3),
  responderNotes: optionalText(1000),
};
export const createHouseholdRequestSchema = z.object({ ...householdFields, responderNotes: householdFields.responderNotes.default('') });
/** A PATCH changes only the fields it names: no defaults (zod applies them inside .partial(), which would blank what was not sent). */
export const updateHouseholdRequestSchema = z.object(householdFields).partial();

const personFields = {
  name: trimmed(100),
  kana: optionalText(100),
  phone: phoneSchema.nullable().optional(),
  email: emailSchema.nullable().optional(),
  preferredLanguage: languageSchema,
};
export const createPersonRequestSchema = z.object({
  ...personFields,
  kana: personFields.kana.default(''),
  preferredLanguage: personFields.preferredLanguage.default('ja'),
  householdId: uuid.nullable().optional(),
});
/** A PATCH changes only the fields it names: no defaults, or naming one field would reset the others. */
export const updatePersonRequestSchema = z.object(personFields).partial();

export const rosterImportQuerySchema = z.object({ mode: z.enum(['preview', 'commit']).default('preview') });
export const rosterImportResultSchema = z.object({
  committed: z.boolean(),
  encoding: z.enum(['utf-8', 'shift_jis', 'utf-16le', 'utf-16be']),
  rows: z.number(),
  errors: z.array(z.object({ line: z.number(), column: z.string().optional(), message: z.string() })),
  summary: z.object({
    blocks: z.object({ created: z.number(), unchanged: z.number() }),
    households: z.object({ created: z.number(), updated: z.number(), unchanged: z.number() }),
    people: z.object({ created: z.number(), updated: z.number(), unchanged: z.number() }),
  }),
});
export const rosterExportQuerySchema = z.object({ encoding: z.enum(['utf-8', 'shift_jis']).default('utf-8') });

export const passcodeSheetRequestSchema = z
  .object({ blockId: uuid.optional(), householdIds: z.array(uuid).max(2000).optional() })
  .refine((v) => v.blockId || v.householdIds?.length, { message: 'choose a 班 or households', path: ['blockId'] });
export const passcodeSheetSchema = z.object({
  items: z.array(
    z.object({
      householdId: uuid,
      householdNumber: z.string(),
      householdName: z.string(),
      address: z.string(),
      blockName: z.string(),
      code: z.string(),
      joinUrl: z.string(),
      qrSvg: z.string(),
      expiresAt: z.string(),
    }),
  ),
});

// ── Devices ────────────────────────────────────────────────────────────────────────────

export const deviceViewSchema = z.object({
  id: uuid,
  label: z.string(),
  householdId: uuid.nullable(),
  householdName: z.string().nullable(),
  online: z.boolean(),
  revoked: z.boolean(),
  lastSeenAt: z.string().nullable(),
  battery: z.number().nullable(),
  credentialsIssuedAt: z.string(),
});
export const deviceListSchema = z.object({ items: z.array(deviceViewSchema) });
export const createDeviceRequestSchema = z.object({ label: trimmed(100), householdId: uuid.nullable().optional() });
export const deviceCredentialsSchema = z.object({
  device: deviceViewSchema,
  credentials: z.object({
    username: z.string(),
    password: z.string(),
    mqttUrl: z.string(),
    topicPrefix: z.string(),
  }),
});

export const idParamsSchema = z.object({ id: uuid });
export const okSchema = z.object({ ok: z.literal(true) });

export type LoginRequest = z.input<typeof loginRequestSchema>;
export type SessionView = z.infer<typeof sessionViewSchema>;
export type JoinLookupResponse = z.infer<typeof joinLookupResponseSchema>;
export type JoinRequest = z.input<typeof joinRequestSchema>;
export type BlockView = z.infer<typeof blockViewSchema>;
export type HouseholdSummary = z.infer<typeof householdSummarySchema>;
export type HouseholdDetail = z.infer<typeof householdDetailSchema>;
export type HouseholdList = z.infer<typeof householdListSchema>;
export type PersonView = z.infer<typeof personViewSchema>;
export type CreateHouseholdRequest = z.input<typeof createHouseholdRequestSchema>;
export type UpdateHouseholdRequest = z.input<typeof updateHouseholdRequestSchema>;
export type CreatePersonRequest = z.input<typeof createPersonRequestSchema>;
export type UpdatePersonRequest = z.input<typeof updatePersonRequestSchema>;
export type RosterImportResult = z.infer<typeof rosterImportResultSchema>;
export type PasscodeSheet = z.infer<typeof passcodeSheetSchema>;
export type DeviceView = z.infer<typeof deviceViewSchema>;
export type DeviceCredentials = z.infer<typeof deviceCredentialsSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
