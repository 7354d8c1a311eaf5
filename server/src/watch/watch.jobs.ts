/** The durable jobs of watching over homes: their payloads (see platform/jobs/jobs.ts, JobPayloads). */
declare module '../platform/jobs/jobs.js' {
  interface JobPayloads {
    /** Raise silent-home and device alerts; the next tick covers a missed one. */
    'watch-scan': Record<string, never>;
    /** One tier of a silent-home alert (tier, marker and next tier in one transaction). */
    'watch-escalate': { alertId: string; tier: 'family_captain' | 'volunteers' | 'officers' };
    /** Delete raw device events past retention (idempotent). */
    'watch-retention': Record<string, never>;
    /** Learn every home's daily rhythm and move the next checks it changes (idempotent). */
    'watch-rhythm': Record<string, never>;
  }
}
export {};
