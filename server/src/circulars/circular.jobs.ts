/** The durable jobs of circulars: their payloads (see platform/jobs/jobs.ts, JobPayloads). */
declare module '../platform/jobs/jobs.js' {
  interface JobPayloads {
    /** Publish a scheduled circular: status, recipients and the follow-up jobs in one transaction. */
    'circular-publish': { circularId: string };
    /** Push and speak to the recipients, pages for ≤15 s, then a continuation after `after`. */
    'circular-deliver': { circularId: string; after?: string };
    /** The same for the unread, `hours` before the due time. */
    'circular-reminder': { circularId: string; hours?: number; after?: string };
    /** Captains' tasks for the households still unread at the due time. */
    'circular-overdue': { circularId: string };
  }
}
export {};
