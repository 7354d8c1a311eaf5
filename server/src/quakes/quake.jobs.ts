/** The durable jobs of earthquake triggers: their payloads (see platform/jobs/jobs.ts, JobPayloads). */
declare module '../platform/jobs/jobs.js' {
  interface JobPayloads {
    /** Reads the JMA feed once (every minute, one instance per tick). */
    'quake-poll': Record<string, never>;
    /** A pending trigger's hold-off has passed: start its event, unless cancelled meanwhile (or pending again in a later round). */
    'quake-fire': { triggerId: string; round?: number };
  }
}
export {};
