import { z } from 'zod';
import { idParamsSchema, okSchema, uuid } from './common.js';
import { defineRoute } from './route.js';

/**
 * Shelters: the association's designated evacuation sites (指定緊急避難場所, and whether each is
 * also a 指定避難所), imported from the GSI or a municipality's open-data CSV; the ones listed
 * are what residents see and name when they answer "evacuated".
 */

export const hazardSchema = z.enum(['flood', 'landslide', 'storm_surge', 'earthquake', 'tsunami', 'fire', 'inland_flood', 'volcano']);

export const shelterSchema = z.object({
  id: uuid,
  sourceId: z.string(),
  name: z.string(),
  kana: z.string(),
  address: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  capacity: z.number().nullable(),
  hazards: z.array(hazardSchema),
  /** Also a 指定避難所 (a place to stay); null when the file did not say. */
  alsoEvacuationCentre: z.boolean().nullable(),
  serves: z.string(),
  listed: z.boolean(),
  updatedAt: z.string(),
});
export const shelterListSchema = z.object({ items: z.array(shelterSchema) });

export const shelterImportQuerySchema = z.object({ mode: z.enum(['preview', 'commit']).default('preview') });
export const shelterImportResultSchema = z.object({
  committed: z.boolean(),
  encoding: z.enum(['utf-8', 'shift_jis', 'utf-16le', 'utf-16be']),
  /** Which list the header says it is: the GSI's, or a municipality's standard open data. */
  format: z.enum(['gsi', 'municipal']).nullable(),
  rows: z.number(),
  errors: z.array(z.object({ line: z.number(), column: z.string().optional(), message: z.string() })),
  summary: z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), listed: z.number() }),
  /** The rows as they would be saved (at most 500). */
  items: z.array(z.object({ line: z.number(), sourceId: z.string(), name: z.string(), address: z.string(), hazards: z.array(hazardSchema), capacity: z.number().nullable(), listed: z.boolean(), change: z.enum(['create', 'update', 'unchanged']) })),
});
export const updateShelterSchema = z.object({ listed: z.boolean() });

export type Shelter = z.infer<typeof shelterSchema>;
export type ShelterImportResult = z.infer<typeof shelterImportResultSchema>;
export type Hazard = z.infer<typeof hazardSchema>;

/** The largest shelter CSV accepted (a prefecture's GSI list is about 1 MB). */
export const SHELTER_UPLOAD_LIMIT = '5mb';

const tag = 'shelters';
export const shelterRoutes = {
  list: defineRoute({ method: 'get', path: '/api/shelters', summary: "The association's shelters: the listed ones (everyone); every one, listed or not (officers)", tag, access: 'session', response: shelterListSchema }),
  import: defineRoute({
    method: 'post', path: '/api/shelters/import',
    summary: 'Import the GSI 指定緊急避難場所 CSV or a municipal 指定緊急避難場所一覧 (UTF-8 or Shift_JIS): preview, then commit (officers)',
    tag, access: 'session', query: shelterImportQuerySchema, response: shelterImportResultSchema,
    rawBody: { type: 'text/csv', limit: SHELTER_UPLOAD_LIMIT },
  }),
  update: defineRoute({ method: 'patch', path: '/api/shelters/:id', summary: 'List or unlist a shelter for residents (officers)', tag, access: 'session', params: idParamsSchema, body: updateShelterSchema, response: shelterSchema }),
  remove: defineRoute({ method: 'delete', path: '/api/shelters/:id', summary: 'Delete a shelter (officers)', tag, access: 'session', params: idParamsSchema, response: okSchema }),
};
