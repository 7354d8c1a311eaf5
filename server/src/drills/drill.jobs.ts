/** The durable jobs of safety confirmation: their payloads (see platform/jobs/jobs.ts, JobPayloads). */
declare module '../platform/jobs/jobs.js' {
  interface JobPayloads {
    /** Push and prompt the households, pages for ≤15 s, then a continuation after `after`. */
    'drill-ask': { drillId: string; after?: string; round?: string };
    /** Silent households to their 班長 and both tier jobs, in one transaction. */
    'drill-deadline': { drillId: string };
    /** Untaken tasks up one tier, with its marker, in one transaction. */
    'drill-escalate': { drillId: string; tier: 'volunteers' | 'officers' };
  }
}
export {};
