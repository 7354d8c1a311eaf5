import { z } from 'zod';
import { queryInt, uuid } from './common.js';
import { directorySearchQuerySchema, directorySearchSchema, worrySchema } from './directory.js';
import { defineRoute } from './route.js';

/**
 * Referrals (お悩みハンドブック, issue 14 item 4): a 班長, volunteer or officer who found a
 * household needing help (a watch alert resolved "needs help", a drill visit "needs help" or
 * "injured") records which directory service they pointed it to. Worries are taxonomy codes
 * only (no free text, no diagnosis), and the household's consent is required. Officers see
 * counts per worry and per 班 per month, never households; a count below
 * `REFERRAL_COUNT_THRESHOLD` shows as "1–2" (null), so a small 班 cannot be re-identified.
 */

export const REFERRAL_COUNT_THRESHOLD = 3;
export const referralSourceSchema = z.enum(['watch_alert', 'drill_visit']);

export const referralBodySchema = z.object({
  source: referralSourceSchema,
  /** The watch alert's id, or the drill's. */
  sourceId: uuid,
  householdId: uuid,
  serviceId: uuid,
  worries: z.array(worrySchema).min(1, 'tick at least one worry').max(20)
    .refine((w) => new Set(w).size === w.length, 'each worry once'),
  /** 世帯の同意を得た: required, and true. */
  consent: z.literal(true, { error: 'the household’s consent is required (世帯の同意)' }),
});

export const referralSchema = z.object({
  id: uuid,
  createdAt: z.string(),
  source: referralSourceSchema,
  serviceId: uuid,
  serviceName: z.string(),
  organisation: z.string(),
  phone: z.string(),
  worries: z.array(worrySchema),
  referredBy: z.string().nullable(),
});

export const referralListSchema = z.object({ items: z.array(referralSchema) });

/** The worries ticked (`worries=care,loneliness`), as the public search takes them; none: the general lines. */
export const referralServicesQuerySchema = z.object({ worries: directorySearchQuerySchema.shape.worries });

export const referralCountsQuerySchema = z.object({
  /** How many months back, this one included (the association's time zone). */
  months: queryInt(1, 36).default(12),
});

/** A count, or null when it is 1 or 2 (below the threshold: shown as "1–2"). Cells with no referral are left out. */
const cell = z.number().int().nullable();
export const referralCountsSchema = z.object({
  /** YYYY-MM, oldest first. */
  months: z.array(z.string()),
  threshold: z.number().int(),
  byWorry: z.array(z.object({ month: z.string(), worry: worrySchema, count: cell })),
  byBlock: z.array(z.object({ month: z.string(), blockId: uuid, blockName: z.string(), count: cell })),
  /** Months whose 班 margin is withheld (a cell below the threshold in either margin): no 班 rows for them. */
  blocksWithheld: z.array(z.string()),
});

export type Referral = z.infer<typeof referralSchema>;
export type ReferralCounts = z.infer<typeof referralCountsSchema>;

const tag = 'referrals';
export const referralRoutes = {
  services: defineRoute({
    method: 'get', path: '/api/referrals/services', summary: 'Directory services for a household needing help, local first (班長, volunteers, officers)', tag, access: 'session',
    query: referralServicesQuerySchema, response: directorySearchSchema,
  }),
  create: defineRoute({
    method: 'post', path: '/api/referrals', summary: 'Record a referral from a needs-help watch alert or drill visit, with the household’s consent', tag, access: 'session',
    body: referralBodySchema, response: referralSchema, status: 201,
  }),
  household: defineRoute({
    method: 'get', path: '/api/referrals/households/:householdId', summary: 'A household’s referrals (those who may see the household)', tag, access: 'session',
    params: z.object({ householdId: uuid }), response: referralListSchema,
  }),
  counts: defineRoute({
    method: 'get', path: '/api/referrals/counts', summary: 'Referral counts per worry and per 班 per month, small counts suppressed (officers)', tag, access: 'session',
    query: referralCountsQuerySchema, response: referralCountsSchema,
  }),
  countsCsv: defineRoute({
    method: 'get', path: '/api/referrals/counts.csv', summary: 'The referral counts as CSV (officers)', tag, access: 'session',
    query: referralCountsQuerySchema, produces: 'text/csv',
  }),
};
