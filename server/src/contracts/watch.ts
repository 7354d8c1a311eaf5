import { z } from 'zod';
import { idParamsSchema, int, isoDateTime, optionalText, text, uuid } from './common.js';
import { defineRoute } from './route.js';

/** The watching (見守り) contract, shared by the server and the web app. */

export const alertKindSchema = z.enum(['silent', 'help', 'device_offline']);
export const alertStatusSchema = z.enum(['open', 'taken', 'resolved', 'cancelled']);
export const alertTierSchema = z.enum(['resident', 'family_captain', 'volunteers', 'officers']);
export const outcomeSchema = z.enum(['fine', 'needs_help', 'hospital', 'away', 'device_fixed', 'false_alarm', 'other']);

const time = text().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');

/**
 * A home's watch rules as stored. The timings are kept in seconds; the hour and minute
 * fields are the same values in the units people use (fractional when a rule was set in
 * seconds, as rehearsals and tests do).
 */
export const watchSettingsSchema = z.object({
  enabled: z.boolean(),
  inactivityHours: z.number(),
  quietHours: z.object({ start: time, end: time }).nullable(),
  offlineMinutes: z.number().int(),
  promptWaitMinutes: z.number(),
  tierWaitMinutes: z.number(),
  /** Silence before the home is checked and its resident asked. */
  inactivitySeconds: z.number().int(),
  /** How long the resident has to answer the speaker's prompt before family and the 班長 are told. */
  promptWaitSeconds: z.number().int(),
  /** How long each later tier (volunteers, then officers) waits for someone to take the alert. */
  tierWaitSeconds: z.number().int(),
  /** Whether the home is checked when it is not active by its usual hour (its learned rhythm) plus the grace. */
  rhythmEnabled: z.boolean(),
  rhythmGraceMinutes: z.number(),
  rhythmGraceSeconds: z.number().int(),
  shareWithFamily: z.boolean(),
  shareWithCaptain: z.boolean(),
  shareWithVolunteers: z.boolean(),
});

/** A change of rules: each timing in the unit people use, or in seconds (one unit per timing). */
export const watchSettingsUpdateSchema = z
  .object({
    enabled: z.boolean(),
    inactivityHours: int().min(1, 'must be at least 1 hour').max(168, 'at most 168 hours (a week)'),
    quietHours: z.object({ start: time, end: time }).nullable(),
    offlineMinutes: int().min(5, 'at least 5 minutes').max(1440),
    promptWaitMinutes: int(5, 240),
    tierWaitMinutes: int(5, 240),
    inactivitySeconds: int().min(1, 'must be at least 1 second').max(168 * 3600, 'at most a week'),
    promptWaitSeconds: int().min(1, 'must be at least 1 second').max(240 * 60, 'at most 4 hours'),
    tierWaitSeconds: int().min(1, 'must be at least 1 second').max(240 * 60, 'at most 4 hours'),
    rhythmEnabled: z.boolean(),
    rhythmGraceMinutes: int().min(30, 'at least 30 minutes').max(720, 'at most 12 hours'),
    rhythmGraceSeconds: int().min(60, 'must be at least 60 seconds').max(720 * 60, 'at most 12 hours'),
    shareWithFamily: z.boolean(),
    shareWithCaptain: z.boolean(),
    shareWithVolunteers: z.boolean(),
  })
  .partial()
  .refine((v) => !v.quietHours || v.quietHours.start !== v.quietHours.end, {
    message: 'quiet hours that start and end at the same time would cover the whole day',
    path: ['quietHours'],
  })
  .refine((v) => v.inactivityHours === undefined || v.inactivitySeconds === undefined, { message: 'give inactivityHours or inactivitySeconds, not both', path: ['inactivitySeconds'] })
  .refine((v) => v.promptWaitMinutes === undefined || v.promptWaitSeconds === undefined, { message: 'give promptWaitMinutes or promptWaitSeconds, not both', path: ['promptWaitSeconds'] })
  .refine((v) => v.tierWaitMinutes === undefined || v.tierWaitSeconds === undefined, { message: 'give tierWaitMinutes or tierWaitSeconds, not both', path: ['tierWaitSeconds'] })
  .refine((v) => v.rhythmGraceMinutes === undefined || v.rhythmGraceSeconds === undefined, { message: 'give rhythmGraceMinutes or rhythmGraceSeconds, not both', path: ['rhythmGraceSeconds'] });

export const awayRequestSchema = z
  .object({
    startsAt: isoDateTime('must be a date and time'),
    endsAt: isoDateTime('must be a date and time'),
    reason: optionalText(200).default(''),
  })
  .refine((v) => Date.parse(v.endsAt) > Date.parse(v.startsAt), { message: 'must be after the start', path: ['endsAt'] });

export const alertEventSchema = z.object({ at: z.string(), what: z.string(), tier: alertTierSchema.nullable(), personName: z.string().nullable(), detail: z.string() });

export const alertSchema = z.object({
  id: uuid,
  kind: alertKindSchema,
  status: alertStatusSchema,
  tier: alertTierSchema,
  raisedAt: z.string(),
  household: z.object({
    id: uuid, householdNumber: z.string(), name: z.string(), address: z.string(), blockName: z.string(), responderNotes: z.string(),
    members: z.array(z.object({ name: z.string(), phone: z.string().nullable() })),
  }),
  device: z.object({ id: uuid, label: z.string() }).nullable(),
  takenBy: z.string().nullable(),
  takenAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  outcome: outcomeSchema.nullable(),
  note: z.string(),
  lastActivityAt: z.string().nullable(),
  events: z.array(alertEventSchema),
});
export const alertListSchema = z.object({ items: z.array(alertSchema) });
export const alertListQuerySchema = z.object({ status: z.enum(['live', 'closed']).default('live') });
export const resolveAlertSchema = z.object({ outcome: outcomeSchema, note: optionalText(1000).default('') });

export const watchedHouseholdSchema = z.object({
  householdId: uuid,
  householdNumber: z.string(),
  name: z.string(),
  blockName: z.string(),
  lastActivityAt: z.string().nullable(),
  away: z.boolean(),
  devices: z.array(z.object({ id: uuid, label: z.string(), online: z.boolean(), battery: z.number().nullable() })),
  liveAlerts: z.array(z.object({ id: uuid, kind: alertKindSchema, tier: alertTierSchema, status: alertStatusSchema })),
});
export const watchBoardSchema = z.object({ items: z.array(watchedHouseholdSchema) });

/**
 * A home's learned daily rhythm (watch/rhythm.service.ts): the local hour by which it is usually
 * active (on `share` of its active days of the last 28), or null while it has fewer than
 * `minDays` active days or no steady hour.
 */
export const watchRhythmSchema = z.object({
  usualHour: z.number().int().nullable(),
  days: z.number().int(),
  minDays: z.number().int(),
  share: z.number(),
  learnedAt: z.string().nullable(),
});

export const householdWatchSchema = z.object({
  householdId: uuid,
  name: z.string(),
  settings: watchSettingsSchema,
  canEditSettings: z.boolean(),
  canEditConsent: z.boolean(),
  lastActivityAt: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
  rhythm: watchRhythmSchema,
  /** 14 days × 24 hours of activity counts, oldest first, in the association's time zone. */
  days: z.array(z.object({ date: z.string(), hours: z.array(z.number()) })),
  away: z.array(z.object({ id: uuid, startsAt: z.string(), endsAt: z.string(), reason: z.string() })),
  alerts: z.array(alertSchema),
});

export const accessLogSchema = z.object({
  items: z.array(z.object({ at: z.string(), personName: z.string().nullable(), householdName: z.string(), what: z.string() })),
});
export const awayParamsSchema = z.object({ id: uuid, awayId: uuid });

export type WatchSettings = z.infer<typeof watchSettingsSchema>;
export type WatchSettingsUpdate = z.input<typeof watchSettingsUpdateSchema>;
export type Alert = z.infer<typeof alertSchema>;
export type HouseholdWatch = z.infer<typeof householdWatchSchema>;
export type WatchRhythm = z.infer<typeof watchRhythmSchema>;
export type WatchedHousehold = z.infer<typeof watchedHouseholdSchema>;

const tag = 'watch';
export const watchRoutes = {
  alerts: defineRoute({ method: 'get', path: '/api/watch/alerts', summary: 'Watch alerts that have reached me (live or closed)', tag, access: 'session', query: alertListQuerySchema, response: alertListSchema }),
  takeAlert: defineRoute({ method: 'post', path: '/api/watch/alerts/:id/take', summary: "Take an alert (\"I'll go\"): escalation stops", tag, access: 'session', params: idParamsSchema, response: alertSchema }),
  resolveAlert: defineRoute({ method: 'post', path: '/api/watch/alerts/:id/resolve', summary: 'Resolve an alert with its outcome and a note', tag, access: 'session', params: idParamsSchema, body: resolveAlertSchema, response: alertSchema }),
  board: defineRoute({ method: 'get', path: '/api/watch/households', summary: 'The homes I watch, with their state', tag, access: 'session', response: watchBoardSchema }),
  household: defineRoute({ method: 'get', path: '/api/watch/households/:id', summary: "A home's activity (14 days), rules and alerts (the view is logged)", tag, access: 'session', params: idParamsSchema, response: householdWatchSchema }),
  updateSettings: defineRoute({ method: 'patch', path: '/api/watch/households/:id/settings', summary: "Change a home's watch rules or consent", tag, access: 'session', params: idParamsSchema, body: watchSettingsUpdateSchema, response: householdWatchSchema }),
  addAway: defineRoute({ method: 'post', path: '/api/watch/households/:id/away', summary: 'Add an away period (travel, hospital): no silent-home alerts meanwhile', tag, access: 'session', params: idParamsSchema, body: awayRequestSchema, response: householdWatchSchema, status: 201 }),
  removeAway: defineRoute({ method: 'delete', path: '/api/watch/households/:id/away/:awayId', summary: 'Remove an away period', tag, access: 'session', params: awayParamsSchema, response: householdWatchSchema }),
  accessLog: defineRoute({ method: 'get', path: '/api/watch/access-log', summary: 'Who viewed which home’s watch data (officers)', tag, access: 'session', response: accessLogSchema }),
};
