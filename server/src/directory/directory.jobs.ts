/** The directory's durable jobs: their payloads (see platform/jobs/jobs.ts, JobPayloads). */
declare module '../platform/jobs/jobs.js' {
  interface JobPayloads {
    /** Mark entries past their reconfirm period stale, and hide those stale past the grace period (idempotent; daily). */
    'directory-freshness': Record<string, never>;
  }
}
export {};
