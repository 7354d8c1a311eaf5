import { z } from 'zod';
import { idParamsSchema, int, isoDateTime as isoDateTimeOf, okSchema, optionalText, text, uuid } from './common.js';
import { defineRoute } from './route.js';

/** Safety confirmation (安否確認) — drills and real events share one contract. */

export const drillKindSchema = z.enum(['drill', 'real']);
export const safetyStatusSchema = z.enum(['safe', 'needs_help', 'injured']);
export const whereSchema = z.enum(['home', 'evacuated', 'away']);
export const answerChannelSchema = z.enum(['app', 'speaker', 'proxy', 'visit']);
export const visitOutcomeSchema = z.enum(['safe', 'needs_help', 'injured', 'absent']);
export const escalationTierSchema = z.enum(['none', 'captain', 'volunteers', 'officers']);

const isoDateTime = isoDateTimeOf();

export const startDrillSchema = z.object({
  kind: drillKindSchema,
  title: text().trim().min(1, 'must not be empty').max(200),
  message: optionalText(2000).default(''),
  /** null: every household of the association. */
  targetBlockIds: z.array(uuid).min(1, 'choose at least one 班, or the whole association').max(200).nullable().default(null),
  announced: z.boolean().default(true),
  deadlineAt: isoDateTime,
  /**
   * When tasks nobody has taken go to volunteers, then officers: minutes after the deadline
   * (the web app), or the same in seconds (rehearsals and tests that run a drill in seconds).
   * One unit per tier; the default is 15 and 30 minutes.
   */
  volunteersAfterMinutes: int(1, 24 * 60).optional(),
  officersAfterMinutes: int(1, 24 * 60).optional(),
  volunteersAfterSeconds: int(1, 24 * 3600).optional(),
  officersAfterSeconds: int(1, 24 * 3600).optional(),
}).transform(({ volunteersAfterMinutes, officersAfterMinutes, volunteersAfterSeconds, officersAfterSeconds, ...rest }, ctx) => {
  if (volunteersAfterMinutes !== undefined && volunteersAfterSeconds !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give volunteersAfterMinutes or volunteersAfterSeconds, not both', path: ['volunteersAfterSeconds'] });
  }
  if (officersAfterMinutes !== undefined && officersAfterSeconds !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give officersAfterMinutes or officersAfterSeconds, not both', path: ['officersAfterSeconds'] });
  }
  const volunteers = volunteersAfterSeconds ?? (volunteersAfterMinutes ?? 15) * 60;
  const officers = officersAfterSeconds ?? (officersAfterMinutes ?? 30) * 60;
  if (officers <= volunteers) ctx.addIssue({ code: 'custom', message: 'officers come after volunteers', path: [officersAfterSeconds !== undefined ? 'officersAfterSeconds' : 'officersAfterMinutes'] });
  return { ...rest, volunteersAfterSeconds: volunteers, officersAfterSeconds: officers };
});

/**
 * The shelter an "evacuated" answer names (one of the association's listed shelters: checked
 * by the answer service, 400 naming shelterId); optional, a resident may not know; only with
 * where = 'evacuated'.
 */
const shelterOnlyWhenEvacuated = <T extends { where?: string; shelterId: string | null }>(value: T, ctx: z.RefinementCtx) => {
  if (value.shelterId !== null && (value.where ?? 'home') !== 'evacuated') {
    ctx.addIssue({ code: 'custom', message: 'a shelter is named only with where = evacuated', path: ['shelterId'] });
  }
};
const answerFields = {
  status: safetyStatusSchema,
  where: whereSchema.default('home'),
  note: optionalText(500).default(''),
  shelterId: uuid.nullable().default(null),
};
export const drillAnswerSchema = z.object(answerFields).superRefine(shelterOnlyWhenEvacuated);
export const proxyAnswerSchema = z.object({ ...answerFields, householdId: uuid }).superRefine(shelterOnlyWhenEvacuated);
/** A visit's outcome; "safe" (or help, or injured) at home unless it says they evacuated (and where). */
export const visitSchema = z
  .object({ householdId: uuid, outcome: visitOutcomeSchema, note: optionalText(500).default(''), where: whereSchema.default('home'), shelterId: uuid.nullable().default(null) })
  .superRefine(shelterOnlyWhenEvacuated);
export const takeTaskSchema = z.object({ householdId: uuid });

export const drillSummarySchema = z.object({
  id: uuid,
  kind: drillKindSchema,
  status: z.enum(['active', 'ended']),
  title: z.string(),
  message: z.string(),
  announced: z.boolean(),
  startedAt: z.string(),
  deadlineAt: z.string(),
  endedAt: z.string().nullable(),
  total: z.number(),
  accounted: z.number(),
});
export const drillListSchema = z.object({ items: z.array(drillSummarySchema) });

/** What a household sees: the question, and its own answer if any. */
export const myDrillSchema = z.object({
  drill: drillSummarySchema,
  householdId: uuid,
  answer: z.object({ status: safetyStatusSchema, where: whereSchema, note: z.string(), at: z.string(), channel: answerChannelSchema, shelterId: uuid.nullable(), shelterName: z.string().nullable() }).nullable(),
});
export const activeDrillsSchema = z.object({ items: z.array(myDrillSchema) });

const counts = z.object({ safe: z.number(), needsHelp: z.number(), injured: z.number(), unanswered: z.number(), accounted: z.number(), total: z.number() });

export const targetViewSchema = z.object({
  householdId: uuid,
  householdNumber: z.string(),
  name: z.string(),
  address: z.string(),
  blockId: uuid,
  blockName: z.string(),
  channels: z.array(z.string()),
  responderNotes: z.string(),
  members: z.array(z.object({ name: z.string(), phone: z.string().nullable() })),
  risk: z.array(z.enum(['lives_alone', 'speaker_only', 'paper_only'])),
  status: safetyStatusSchema.nullable(),
  where: whereSchema.nullable(),
  answeredAt: z.string().nullable(),
  channel: answerChannelSchema.nullable(),
  tier: escalationTierSchema,
  /** The tiers it went past because nobody in them could be reached. */
  skipped: z.array(z.enum(['captain', 'volunteers'])),
  takenBy: z.string().nullable(),
  visitOutcome: visitOutcomeSchema.nullable(),
  note: z.string(),
  /** The shelter an "evacuated" answer named (null: not evacuated, or not named; or deleted since). */
  shelterId: uuid.nullable(),
  shelterName: z.string().nullable(),
});

/** Households answered "evacuated", per shelter named (null: evacuated, shelter not named), and the people living in them. */
export const shelterHeadcountSchema = z.array(z.object({ shelterId: uuid.nullable(), name: z.string().nullable(), households: z.number(), people: z.number() }));

export const dashboardSchema = z.object({
  drill: drillSummarySchema,
  counts,
  byBlock: z.array(counts.extend({ blockId: uuid, blockName: z.string() })),
  /** Cumulative households accounted for, minute by minute since the start. */
  curve: z.array(z.object({ minute: z.number(), accounted: z.number() })),
  medianSecondsToAnswer: z.number().nullable(),
  /** Not yet accounted for, riskiest first (at most 200). */
  unanswered: z.array(targetViewSchema),
  /** Answered "needs help" or "injured": to be followed up. */
  needsFollowUp: z.array(targetViewSchema),
  /** 班 whose households went past a tier nobody in it could be reached in ("2班: no 班長 with a way in → volunteers"). */
  skips: z.array(z.object({ blockId: uuid, blockName: z.string(), skipped: z.array(z.enum(['captain', 'volunteers'])), to: escalationTierSchema, at: z.string() })),
  byShelter: shelterHeadcountSchema,
});

export const taskListSchema = z.object({ items: z.array(targetViewSchema) });

export const reportSchema = z.object({
  drill: drillSummarySchema,
  counts,
  byBlock: z.array(counts.extend({ blockId: uuid, blockName: z.string() })),
  byChannel: z.object({ app: z.number(), speaker: z.number(), proxy: z.number(), visit: z.number() }),
  medianSecondsToAnswer: z.number().nullable(),
  /** Seconds from the start until the last household was accounted for; null if some never were. */
  secondsUntilAllAccounted: z.number().nullable(),
  timeline: z.array(z.object({ at: z.string(), what: z.string() })),
  followUp: z.array(targetViewSchema),
  previous: z.array(z.object({ id: uuid, title: z.string(), startedAt: z.string(), responseRate: z.number(), medianSecondsToAnswer: z.number().nullable(), secondsUntilAllAccounted: z.number().nullable() })),
  /**
   * Whose households the report covers: the whole association (officers), or only the 班 a
   * 班長 captains (their rows and their totals; other 班 are left out, not anonymised).
   */
  scope: z.object({ kind: z.enum(['association', 'blocks']), blockNames: z.array(z.string()) }),
  byShelter: shelterHeadcountSchema,
});

export type StartDrill = z.input<typeof startDrillSchema>;
export type DrillSummary = z.infer<typeof drillSummarySchema>;
export type Dashboard = z.infer<typeof dashboardSchema>;
export type TargetView = z.infer<typeof targetViewSchema>;
export type DrillReport = z.infer<typeof reportSchema>;
export type MyDrill = z.infer<typeof myDrillSchema>;

const tag = 'drills';
const id = idParamsSchema;
export const drillRoutes = {
  list: defineRoute({ method: 'get', path: '/api/drills', summary: 'Safety confirmations: all for officers; the active ones for me otherwise', tag, access: 'session', response: drillListSchema }),
  mine: defineRoute({ method: 'get', path: '/api/drills/mine', summary: "Active safety confirmations addressed to my household, with our answer", tag, access: 'session', response: activeDrillsSchema }),
  start: defineRoute({ method: 'post', path: '/api/drills', summary: 'Start a drill or a real event (officers)', tag, access: 'session', body: startDrillSchema, response: drillSummarySchema, status: 201 }),
  answer: defineRoute({ method: 'post', path: '/api/drills/:id/answer', summary: 'My household is safe / needs help / is injured', tag, access: 'session', params: id, body: drillAnswerSchema, response: myDrillSchema, idempotent: true }),
  proxy: defineRoute({ method: 'post', path: '/api/drills/:id/proxy', summary: 'Record a household as confirmed in person (captain, volunteer, neighbour, officer)', tag, access: 'session', params: id, body: proxyAnswerSchema, response: myDrillSchema, idempotent: true }),
  take: defineRoute({ method: 'post', path: '/api/drills/:id/take', summary: "Take a silent household's visit (\"I'm going\"): its escalation stops", tag, access: 'session', params: id, body: takeTaskSchema, response: okSchema }),
  visit: defineRoute({ method: 'post', path: '/api/drills/:id/visit', summary: 'Record the outcome of a visit', tag, access: 'session', params: id, body: visitSchema, response: myDrillSchema, idempotent: true }),
  dashboard: defineRoute({ method: 'get', path: '/api/drills/:id/dashboard', summary: 'Live counts per 班, response curve, the unanswered by risk', tag, access: 'session', params: id, response: dashboardSchema }),
  tasks: defineRoute({ method: 'get', path: '/api/drills/:id/tasks', summary: 'Households to visit (班長; volunteers and officers once escalated)', tag, access: 'session', params: id, response: taskListSchema }),
  end: defineRoute({ method: 'post', path: '/api/drills/:id/end', summary: 'End it and make the report (officers)', tag, access: 'session', params: id, response: reportSchema }),
  report: defineRoute({ method: 'get', path: '/api/drills/:id/report', summary: 'The report of an ended safety confirmation', tag, access: 'session', params: id, response: reportSchema }),
  reportCsv: defineRoute({ method: 'get', path: '/api/drills/:id/report.csv', summary: 'The report as CSV, one row per household (Excel)', tag, access: 'session', params: id, produces: 'text/csv' }),
};
