import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from './logger.js';
import { createOutageLog, isDatabaseUnavailable } from './outage.js';

/**
 * Durable jobs in PostgreSQL (pg-boss): anything that must happen later — a scheduled
 * publish, a reminder, an escalation — is a row that survives a restart and is claimed by
 * exactly one instance (FOR UPDATE SKIP LOCKED). Handlers are also written to be safe to
 * run twice, because a job whose instance died mid-way is retried.
 */
export const queues = [
  'circular-publish', 'circular-deliver', 'circular-reminder', 'circular-overdue', 'push-send',
  'watch-scan', 'watch-escalate', 'watch-retention',
  'drill-ask', 'drill-deadline', 'drill-escalate',
] as const;
export type QueueName = (typeof queues)[number];

export interface Jobs {
  /**
   * Enqueues a job. Pass the transaction that writes the state the job acts on, so the job
   * exists if and only if that state was committed (an outbox).
   */
  send(queue: QueueName, data: object, options?: { startAfter?: Date; singletonKey?: string; trx?: Kysely<any> }): Promise<string | null>;
  work<T extends object>(queue: QueueName, handler: (data: T) => Promise<void>): Promise<void>;
  /** Runs a queue on a cron schedule (minute resolution); one instance fires each tick. */
  schedule(queue: QueueName, cron: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createJobs(options: { connectionString: string; log: Logger; pollingIntervalSeconds?: number }): Jobs {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: 4,
    // Completed jobs are kept a week for inspection, then removed by pg-boss's maintenance.
    deleteAfterDays: 7,
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
  });
  // pg-boss keeps polling through a database outage and resumes by itself; every poll of
  // every queue fails meanwhile, so the outage is logged once rather than as a stream of errors.
  const outage = createOutageLog(options.log, 'job queue');
  boss.on('error', (error) => (isDatabaseUnavailable(error) ? outage.down(error) : options.log.error({ err: error }, 'job queue error')));
  const polling = options.pollingIntervalSeconds ?? 2;
  let started = false;

  return {
    async send(queue, data, { startAfter, singletonKey, trx } = {}) {
      return boss.send(queue, data, {
        ...(startAfter && { startAfter }),
        ...(singletonKey && { singletonKey }),
        ...(trx && {
          db: { executeSql: async (text: string, values: unknown[]) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows }) },
        }),
      });
    },
    async work(queue, handler) {
      await boss.work<object>(queue, { pollingIntervalSeconds: polling, batchSize: 1 }, async ([job]) => {
        if (!job) return;
        outage.up();
        try {
          await handler(job.data as never);
        } catch (error) {
          options.log.error({ err: error, queue, jobId: job.id }, 'job failed; it will be retried');
          throw error;
        }
      });
    },
    async schedule(queue, cron) {
      await boss.schedule(queue, cron, {}, { tz: 'Asia/Tokyo', singletonKey: queue });
    },
    async start() {
      await boss.start();
      for (const queue of queues) await boss.createQueue(queue);
      started = true;
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      started = false;
    },
  };
}
