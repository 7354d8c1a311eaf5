import { z } from 'zod';
import { int, queryInt, uuid } from './common.js';
import { defineRoute } from './route.js';
import { quakeAreas } from './quake-areas.js';
import { quakeCity } from './quake-cities.js';

/**
 * Earthquake-triggered safety confirmation: each association's trigger on JMA's telegrams
 * (its areas from JMA's 地震情報／細分区域 list, the intensity that starts a real event, the
 * hold-off, the aftershock window, drills from 訓練 telegrams), and the log of the telegrams
 * that named its areas with the decision taken for each.
 */

export const intensityValues = ['1', '2', '3', '4', '5-', '5+', '6-', '6+', '7'] as const;
export const quakeIntensitySchema = z.enum(intensityValues);

const areaCodes = new Set(quakeAreas.map((a) => a.code));
export const areaCodeSchema = z.string().refine((code) => areaCodes.has(code), 'must be an area code of JMA’s 地震情報／細分区域 list');
export const cityCodeSchema = z.string().refine((code) => quakeCity(code) !== undefined, 'must be a city code of JMA’s 地震情報／市町村等 list');
const cityCodesSchema = z.array(cityCodeSchema).max(50, 'at most 50 cities').refine((codes) => new Set(codes).size === codes.length, 'each city once');
/** A chosen city lies in a chosen area (its telegrams reach the association through the area). */
const citiesInAreas = (s: { areaCodes: string[]; cityCodes?: string[] }) => (s.cityCodes ?? []).every((code) => s.areaCodes.includes(quakeCity(code)?.areaCode ?? ''));
const citiesInAreasIssue = { message: 'each city must lie in a chosen area', path: ['cityCodes'] };

const quakeSettingsFields = z.object({
  /** Empty: no telegram starts anything (the trigger is off). */
  areaCodes: z.array(areaCodeSchema).max(20, 'at most 20 areas').refine((codes) => new Set(codes).size === codes.length, 'each area once'),
  /**
   * JMA 地震情報／市町村等 codes (7 digits), each in a chosen area: when chosen, a telegram that lists
   * cities decides on these cities' strongest reading, not the area's (trigger.policy.ts). Empty: the areas decide.
   */
  cityCodes: cityCodesSchema,
  minIntensity: quakeIntensitySchema,
  holdOffSeconds: int(0, 3600),
  aftershockSeconds: int(0, 7 * 24 * 3600),
  drillsFromTraining: z.boolean(),
  /** A started event's answer deadline after its start, and when its untaken visits go to volunteers, then officers, after that deadline. */
  deadlineSeconds: int(600, 72 * 3600),
  volunteersAfterSeconds: int(60, 24 * 3600),
  officersAfterSeconds: int(60, 24 * 3600),
});
export const quakeSettingsSchema = quakeSettingsFields
  .refine((s) => s.officersAfterSeconds > s.volunteersAfterSeconds, { message: 'officers come after volunteers', path: ['officersAfterSeconds'] })
  .refine(citiesInAreas, citiesInAreasIssue);
export type QuakeSettings = z.infer<typeof quakeSettingsSchema>;
/**
 * What a save takes: the event timing may be left out (an app cached from before it existed),
 * and then stays as stored, never reset to the defaults unseen; the order of the tiers is
 * checked again on the values that result.
 */
export const quakeSettingsSaveSchema = quakeSettingsFields
  .partial({ deadlineSeconds: true, volunteersAfterSeconds: true, officersAfterSeconds: true, cityCodes: true })
  .refine((s) => s.officersAfterSeconds === undefined || s.volunteersAfterSeconds === undefined || s.officersAfterSeconds > s.volunteersAfterSeconds, { message: 'officers come after volunteers', path: ['officersAfterSeconds'] })
  .refine(citiesInAreas, citiesInAreasIssue);
export type QuakeSettingsSave = z.infer<typeof quakeSettingsSaveSchema>;

export const quakeSettingsViewSchema = quakeSettingsFields.extend({
  areas: z.array(z.object({ code: z.string(), name: z.string() })),
  cities: z.array(z.object({ code: z.string(), name: z.string(), areaCode: z.string() })),
  updatedAt: z.string().nullable(),
});

export const quakeLogEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  title: z.string().nullable(),
  eventId: z.string().nullable(),
  infoType: z.string().nullable(),
  status: z.string().nullable(),
  reportAt: z.string().nullable(),
  url: z.string(),
  action: z.string(),
  reason: z.string(),
  intensity: quakeIntensitySchema.nullable(),
  /** Which reading decided: the chosen areas' (a 震度速報 lists areas only) or the chosen cities', with their names; null for a 取消 or none. */
  basis: z.enum(['area', 'city']).nullable(),
  places: z.array(z.string()),
  trigger: z.object({ status: z.enum(['pending', 'started', 'cancelled']), fireAt: z.string(), drillId: uuid.nullable() }).nullable(),
});
export const quakeLogSchema = z.object({ items: z.array(quakeLogEntrySchema) });
export type QuakeLogEntry = z.infer<typeof quakeLogEntrySchema>;

/** A notice of the JMA trigger to officers: the `quake:notice` socket event's fields (contracts/socket.ts QuakeNotice). */
export const quakeNoticeSchema = z.object({
  key: z.string(),
  kind: z.enum(['pending', 'started', 'cancelled', 'cancelled_after_start', 'aftershock', 'unreceived']),
  eventKind: z.enum(['real', 'drill']),
  intensity: z.string().nullable(),
  /** The intensity is 5弱 assumed from 震度５弱以上未入電 (no reading received yet); absent when it is a reading. */
  unreceived: z.boolean().optional(),
  areaNames: z.array(z.string()),
  quakeEventId: z.string(),
  drillId: uuid.nullable(),
  asked: z.boolean(),
  fireAt: z.string().nullable(),
});
export const quakeNoticesSchema = z.object({ items: z.array(quakeNoticeSchema) });

const tag = 'quakes';
export const quakeRoutes = {
  settings: defineRoute({ method: 'get', path: '/api/quakes/settings', summary: "The association's earthquake trigger (officers)", tag, access: 'session', response: quakeSettingsViewSchema }),
  saveSettings: defineRoute({ method: 'put', path: '/api/quakes/settings', summary: "Set the association's earthquake trigger (officers)", tag, access: 'session', body: quakeSettingsSaveSchema, response: quakeSettingsViewSchema }),
  log: defineRoute({ method: 'get', path: '/api/quakes/log', summary: 'JMA telegrams that named our areas, and the decision taken for each (officers)', tag, access: 'session', query: z.object({ limit: queryInt(1, 500).default(100) }), response: quakeLogSchema }),
  notices: defineRoute({ method: 'get', path: '/api/quakes/notices', summary: 'The trigger’s notices that still matter: pending triggers and open events it started or asked again in (officers)', tag, access: 'session', response: quakeNoticesSchema }),
};
