import { z } from 'zod';
import { uuid } from './common.js';
import { defineRoute } from './route.js';

/**
 * Readiness: who can be reached how, per 班 and tier, with the gaps named (the rule of who
 * can be reached is common/reachability.repository.ts), the registration rate per 班 over
 * time, and a preflight for a scope before a drill or a circular goes out.
 */

export const reachChannelSchema = z.enum(['app', 'speaker', 'paper']);

/** A household behind a gap: enough to find it (and a link to its roster page by id). */
export const reachHouseholdSchema = z.object({
  id: uuid, householdNumber: z.string(), name: z.string(), address: z.string(), blockId: uuid, blockName: z.string(),
  channels: z.array(reachChannelSchema),
});

export const roleHolderSchema = z.object({ personId: uuid, name: z.string(), reachable: z.boolean() });

/** Where a silent home's visit goes when its 班長 cannot be reached: the next tier with someone in it. */
export const visitsGoToSchema = z.enum(['volunteers', 'officers', 'nobody']);

export const blockReadinessSchema = z.object({
  id: uuid,
  name: z.string(),
  households: z.number().int(),
  /** Households with a member who can be reached through the app. */
  registered: z.number().int(),
  speakersOnline: z.number().int(),
  /** Households paper alone reaches (no app, no speaker online). */
  paperOnly: z.array(reachHouseholdSchema),
  /** Households no channel reaches. */
  nobody: z.array(reachHouseholdSchema),
  captains: z.array(roleHolderSchema),
  /** No 班長 of this 班 can be reached (none assigned, or none with a login or push): where visits go instead. */
  captainGap: z.object({ assigned: z.number().int(), visitsGoTo: visitsGoToSchema }).nullable(),
});

export const tierReadinessSchema = z.object({
  tier: z.enum(['volunteers', 'officers']),
  holders: z.array(roleHolderSchema),
  reachable: z.boolean(),
});

export const registrationSeriesSchema = z.object({
  period: z.enum(['week', 'month']),
  /** The start of each period (YYYY-MM-DD in the association's time zone), oldest first. */
  periods: z.array(z.string()),
  /** Registered households at the end of each period, per 班 (same order as `periods`). */
  blocks: z.array(z.object({ blockId: uuid, registered: z.array(z.number().int()) })),
});

export const readinessSchema = z.object({
  blocks: z.array(blockReadinessSchema),
  tiers: z.array(tierReadinessSchema),
  registration: registrationSeriesSchema,
});

export const readinessQuerySchema = z.object({
  blockId: uuid.optional(),
  period: z.enum(['week', 'month']).default('week'),
});

export const preflightBodySchema = z.object({
  /** The scope: these 班, or null for the whole association. */
  blockIds: z.array(uuid).min(1, 'choose at least one 班, or the whole association').max(200).nullable().default(null),
});

export const preflightSchema = z.object({
  households: z.number().int(),
  nobody: z.array(reachHouseholdSchema),
  blocksWithoutCaptain: z.array(z.object({ id: uuid, name: z.string(), assigned: z.number().int(), visitsGoTo: visitsGoToSchema })),
  /** Association-wide tiers with nobody who can be reached in them. */
  unreachableTiers: z.array(z.enum(['volunteers', 'officers'])),
});

export type Readiness = z.infer<typeof readinessSchema>;
export type BlockReadiness = z.infer<typeof blockReadinessSchema>;
export type ReachHousehold = z.infer<typeof reachHouseholdSchema>;
export type Preflight = z.infer<typeof preflightSchema>;

const tag = 'readiness';
export const readinessRoutes = {
  view: defineRoute({
    method: 'get', path: '/api/readiness', summary: 'Who can be reached how, per 班 and tier, with the gaps (officers: every 班; a 班長: their own)', tag, access: 'session',
    query: readinessQuerySchema, response: readinessSchema,
  }),
  preflight: defineRoute({
    method: 'post', path: '/api/readiness/preflight', summary: 'Before a drill or circular: the homes nobody can reach and the tiers with nobody in them, for a scope (officers)', tag, access: 'session',
    body: preflightBodySchema, response: preflightSchema,
  }),
};
