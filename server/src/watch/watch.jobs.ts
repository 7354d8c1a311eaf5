/** The durable jobs of watching over homes: their payloads (see platform/jobs/jobs.ts, JobPayloads). */
declare module '../platform/jobs/jobs.js' {
  interface JobPayloads {
    /** Raise silent-home and device alerts; the next tick covers a missed one. */
    'watch-scan': Record<string, never>;
    /** One tier of a silent-home alert (tier, marker and next tier in one transaction). */
    'watch-escalate': { alertId: string; tier: 'family_captain' | 'volunteers' | 'officers' };
    /** Delete raw device events past retention (idempotent). */
    'watch-retention': Record<string, never>;
    /** Hourly: learn the daily rhythm of each association whose watch day (04:00 by its clock) rolled over since it was last learned (once-only by its marker). */
    'watch-rhythm': Record<string, never>;
    /** An officer changed the association's zone: relearn its homes' rhythms by the new clock, in chunks (once-only by its marker). */
    'watch-rhythm-zone': { associationId: string };
  }
}
export {};
