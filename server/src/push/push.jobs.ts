/** The durable jobs of Web Push: their payloads (see platform/jobs/jobs.ts, JobPayloads). */
declare module '../platform/jobs/jobs.js' {
  interface JobPayloads {
    /** One more attempt of a push that failed other than "gone" (10 s timeout). */
    'push-send': { subscriptionId: string; payload: { title: string; body: string; url: string } };
  }
}
export {};
