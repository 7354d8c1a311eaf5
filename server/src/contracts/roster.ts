import { z } from 'zod';
import { channelSchema, householdLineFields, int, isoDate, languageSchema, optionalText, phoneSchema, emailSchema, queryInt, searchText, trimmed, uuid, idParamsSchema } from './common.js';
import { defineRoute } from './route.js';

/** The roster contract: 班 (blocks), households, people, the CSV import and export, and join passcodes. */

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
  /** Family who joined from elsewhere to answer for the household (not at the address). */
  livesElsewhere: z.boolean(),
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
      ...householdLineFields,
      blockName: z.string(),
      code: z.string(),
      joinUrl: z.string(),
      qrSvg: z.string(),
      expiresAt: z.string(),
    }),
  ),
});

// ── Uptake: invitation letters, the 班長's unregistered list, help desk, family ───────────

export const passcodeItemSchema = passcodeSheetSchema.shape.items.element;
export const unregisteredHouseholdsSchema = z.object({
  block: z.object({ id: uuid, name: z.string() }),
  /** Households of the 班 in which nobody can be reached through the app yet. */
  items: z.array(
    z.object({
      ...householdLineFields,
      channels: z.array(channelSchema),
      members: z.array(z.object({ name: z.string(), phone: z.string().nullable() })),
    }),
  ),
  /** All households of the 班, for the registration rate. */
  householdCount: z.number(),
});

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
export type PasscodeItem = z.infer<typeof passcodeItemSchema>;
export type UnregisteredHouseholds = z.infer<typeof unregisteredHouseholdsSchema>;

/** The largest roster CSV accepted. */
export const ROSTER_UPLOAD_LIMIT = '5mb';

const tag = 'roster';
export const rosterRoutes = {
  blocks: defineRoute({ method: 'get', path: '/api/blocks', summary: 'List 班 (officers: all; captains: their own)', tag, access: 'session', response: blockListSchema }),
  createBlock: defineRoute({ method: 'post', path: '/api/blocks', summary: 'Create a 班', tag, access: 'session', body: createBlockRequestSchema, response: blockViewSchema, status: 201 }),
  updateBlock: defineRoute({ method: 'patch', path: '/api/blocks/:id', summary: 'Rename or reorder a 班', tag, access: 'session', params: idParamsSchema, body: updateBlockRequestSchema, response: blockViewSchema }),
  setCaptains: defineRoute({ method: 'put', path: '/api/blocks/:id/captains', summary: "Set a 班's captains from a date (yearly rotation)", tag, access: 'session', params: idParamsSchema, body: setCaptainsRequestSchema, response: blockViewSchema }),

  households: defineRoute({ method: 'get', path: '/api/households', summary: 'List the households the caller may see', tag, access: 'session', query: householdListQuerySchema, response: householdListSchema }),
  household: defineRoute({ method: 'get', path: '/api/households/:id', summary: 'One household with its members and devices', tag, access: 'session', params: idParamsSchema, response: householdDetailSchema }),
  createHousehold: defineRoute({ method: 'post', path: '/api/households', summary: 'Create a household', tag, access: 'session', body: createHouseholdRequestSchema, response: householdDetailSchema, status: 201 }),
  updateHousehold: defineRoute({ method: 'patch', path: '/api/households/:id', summary: 'Edit a household', tag, access: 'session', params: idParamsSchema, body: updateHouseholdRequestSchema, response: householdDetailSchema }),

  people: defineRoute({ method: 'get', path: '/api/people', summary: 'Search the people of the association (officers)', tag, access: 'session', query: personListQuerySchema, response: personListSchema }),
  createPerson: defineRoute({ method: 'post', path: '/api/people', summary: 'Add a person (to a household, or outside any)', tag, access: 'session', body: createPersonRequestSchema, response: personViewSchema, status: 201 }),
  updatePerson: defineRoute({ method: 'patch', path: '/api/people/:id', summary: 'Edit a person', tag, access: 'session', params: idParamsSchema, body: updatePersonRequestSchema, response: personViewSchema }),

  importRoster: defineRoute({
    method: 'post',
    path: '/api/roster/import',
    summary: 'Import a roster CSV (UTF-8 with or without BOM, Shift_JIS, or UTF-16 tab-separated): preview, then commit',
    tag, access: 'session', query: rosterImportQuerySchema, response: rosterImportResultSchema,
    rawBody: { type: 'text/csv', limit: ROSTER_UPLOAD_LIMIT },
  }),
  exportRoster: defineRoute({ method: 'get', path: '/api/roster/export', summary: 'Export the roster as CSV for Excel (Shift_JIS: 422 listing cells it cannot hold)', tag, access: 'session', query: rosterExportQuerySchema, produces: 'text/csv' }),

  passcodes: defineRoute({ method: 'post', path: '/api/passcodes', summary: 'Issue one-time join passcodes with QR codes for a printed sheet', tag, access: 'session', body: passcodeSheetRequestSchema, response: passcodeSheetSchema }),

  letters: defineRoute({ method: 'post', path: '/api/passcodes/letters', summary: 'Issue invitation letters (QR passcodes) for the unregistered households of a 班 (officers; 班長 their own 班); registered homes never get one', tag, access: 'session', body: passcodeSheetRequestSchema, response: passcodeSheetSchema }),
  unregistered: defineRoute({ method: 'get', path: '/api/blocks/:id/unregistered', summary: "A 班's households nobody can reach through the app yet (officers; 班長 their own 班)", tag, access: 'session', params: idParamsSchema, response: unregisteredHouseholdsSchema }),
  helpDeskPasscode: defineRoute({ method: 'post', path: '/api/households/:id/help-desk-passcode', summary: "Help desk: a fresh passcode for a resident's phone to scan now (officers; audited)", tag, access: 'session', params: idParamsSchema, response: passcodeItemSchema }),
  familyInvitation: defineRoute({ method: 'post', path: '/api/households/:id/family-invitation', summary: 'A passcode for family living elsewhere to join the household (its members and officers)', tag, access: 'session', params: idParamsSchema, response: passcodeItemSchema }),
};
