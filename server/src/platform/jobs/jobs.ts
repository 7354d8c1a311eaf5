import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';
import { createOutageLog, isDatabaseUnavailable } from '../outage.js';
import { useKeptScheduleWindows } from './schedule-check.js';

/**
 * Durable jobs in PostgreSQL (pg-boss 10): anything that must happen later — a scheduled
 * publish, a reminder, an escalation — is a row that survives a restart and is claimed by
 * exactly one instance (FOR UPDATE SKIP LOCKED).
 *
 * How a job whose worker died comes back. pg-boss 10 has no heartbeat: a claimed job is
 * `active` with a `started_on`, and it is failed "by timeout" (then retried, while retries
 * remain) once `started_on + expire_in` has passed. Two things notice that: the worker that
 * holds it (it stops waiting for the handler at `expire_in` and fails the job, though the
 * handler itself runs on), and the supervision (`maintenanceIntervalSeconds`), which fails
 * every overdue active job — the only thing that notices a job whose process is gone. One
 * instance supervises per interval (pg-boss coordinates that in its `version` row). So a
 * killed worker's job is retried about `expire + supervision + retry delay + polling`
 * after it was claimed: seconds for the short steps below, not pg-boss's default of
 * 15 minutes plus 2 minutes.
 *
 * A retry can therefore overlap a handler that is still running (a live worker that overran
 * its expiry). That is safe because every handler is idempotent by marker: the multi-step
 * jobs write their state, a unique once-only marker and their next job in one transaction
 * (platform/db/transaction.ts), so the second run waits on the first's marker row and, once the
 * first commits, finds it and skips (and says so in the log); if the first died, its
 * transaction rolled back and the second does the whole step. Side effects (push, speaker,
 * socket) run after the commit and are reminders of stored state, safe to repeat.
 *
 * Each capability declares its queues, their settings and their handlers in its
 * `*.module.ts` (see platform/module.ts); each queue's payload type is added to `JobPayloads`
 * by declaration merging in the capability's `*.jobs.ts`, so a job is sent and handled with
 * one type. The settings: expire (seconds a claimed job may stay active before it is presumed
 * dead), retries (how many times; the first delay in seconds, doubling with jitter).
 *
 * The escalation steps expire after 10 s: the deadline hand-over of 37,000 silent homes of
 * a 100,000-household drill took 1.3 s with job pickup (`npm run bench`, 2 busy cores); a step that overruns is re-run, and the re-run waits on the first's locks, finds its
 * marker and skips, so a short expiry costs nothing but a log line, while a killed
 * instance's step is redone ~15 s after it was claimed (10 s + supervision + retry delay).
 *
 * The fan-outs to every household (ask, deliver, remind) would take minutes over 100,000
 * homes, so no single job does it (platform/jobs/fan-out.ts): a job walks the households in pages
 * of 250 (by id, from the cursor in its data) for about 15 s, then enqueues its
 * continuation (a stableJobId of the cursor, so a re-run cannot fork the chain) and ends.
 * A healthy job therefore ends well inside its 60 s expiry, and a dead worker's job comes
 * back within about a minute; what it re-sends is at most that job's 15 s of pushes and
 * prompts — a repeated reminder, never a lost one.
 */

/**
 * Queue name → the payload its jobs carry. Empty here: each capability adds its queues in its
 * `*.jobs.ts` (`declare module '../platform/jobs/jobs.js' { interface JobPayloads { … } }`),
 * so the platform knows no capability and every send and handler is typed by the same map.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface JobPayloads {}
export type QueueName = Extract<keyof JobPayloads, string>;

/** Why a job is sent outside any transaction: it acts on no state that a transaction wrote. */
export type DetachedReason =
  /** The next piece of a fan-out, named by a stable id from its cursor (a re-run cannot fork it). */
  | 'continuation'
  /** A periodic tick (a scan): the next tick covers a lost one. */
  | 'tick'
  /** Another attempt of a side effect that happened after a commit (a push). */
  | 'retry';

export interface SendOptions {
  /** A stable id (stableJobId): the same job sent twice is one row. */
  id?: string;
  startAfter?: Date;
  /** With singletonSeconds: one job per key per slot of that many seconds, across instances. */
  singletonKey?: string;
  singletonSeconds?: number;
}

export interface QueuePolicy {
  /** Seconds a claimed job may stay active before it is presumed dead and retried. */
  expireInSeconds: number;
  retryLimit: number;
  /** Seconds before the first retry; doubled (with jitter) for each further one. */
  retryDelay: number;
  /** How often an idle worker looks for due jobs (at least 0.5; default the instance's, 2 s): a step due at a moment people wait for. */
  pollingIntervalSeconds?: number;
}

/** How often overdue active jobs are looked for (one instance does it per interval). */
export const DEFAULT_SUPERVISE_SECONDS = 3;

/**
 * A job id derived from what the job is (a UUID shaped SHA-1 of the parts): the same job
 * enqueued twice — say by a step and by its retry — is one row (pg-boss inserts with ON
 * CONFLICT DO NOTHING on the id).
 */
export function stableJobId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export interface Jobs {
  /**
   * Enqueues a job that acts on state, in the transaction that writes that state: the job
   * exists if and only if the state was committed (an outbox). There is no other way to send
   * such a job; see sendDetached for the few that act on no state.
   */
  send<Q extends QueueName>(trx: Transaction<any>, queue: Q, data: JobPayloads[Q], options?: SendOptions): Promise<string | null>;
  /** Enqueues a job on its own connection, for the reasons DetachedReason names. */
  sendDetached<Q extends QueueName>(reason: DetachedReason, queue: Q, data: JobPayloads[Q], options?: SendOptions): Promise<string | null>;
  /** Creates the queue (or applies its settings to the existing one); before any send or work. */
  define(queue: QueueName, policy: QueuePolicy): Promise<void>;
  work<Q extends QueueName>(queue: Q, handler: (data: JobPayloads[Q]) => Promise<void>): Promise<void>;
  /** Runs a queue on a cron schedule (minute resolution); one instance fires each tick. */
  schedule(queue: QueueName, cron: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The same JSON value, whatever the order of its keys. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, canonical(v)]))
      : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export function createJobs(options: {
  connectionString: string;
  log: Logger;
  pollingIntervalSeconds?: number;
  /** Seconds between looks for jobs whose worker died (default DEFAULT_SUPERVISE_SECONDS). */
  superviseIntervalSeconds?: number;
  /** Per-queue overrides of the policies the modules define (tests). */
  policies?: Partial<Record<QueueName, Partial<QueuePolicy>>>;
}): Jobs {
  // pg-boss's schedule check, without its cron parse every 30 s on the event loop.
  useKeptScheduleWindows(options.log);
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: 4,
    // Completed jobs are kept a week for inspection, then removed by pg-boss's maintenance.
    deleteAfterDays: 7,
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
    // Supervision (expiry of dead workers' jobs, archiving) every few seconds, not every two
    // minutes: it is what brings back a job whose process was killed.
    maintenanceIntervalSeconds: options.superviseIntervalSeconds ?? DEFAULT_SUPERVISE_SECONDS,
  });
  // pg-boss keeps polling through a database outage and resumes by itself; every poll of
  // every queue fails meanwhile, so the outage is logged once rather than as a stream of errors.
  const outage = createOutageLog(options.log, 'job queue');
  boss.on('error', (error) => (isDatabaseUnavailable(error) ? outage.down(error) : options.log.error({ err: error }, 'job queue error')));
  const polling = options.pollingIntervalSeconds ?? 2;
  let started = false;
  // One read of every queue and of every schedule per start, so that one already as defined
  // (every start but the first) costs no further round trip.
  const queues = readOnce(() => boss.getQueues());
  // The rows as stored (pg-boss's Schedule type leaves out the timezone column).
  const schedules = readOnce(() => boss.getSchedules() as Promise<(PgBoss.Schedule & { timezone?: string })[]>);
  const pollingOf = new Map<string, number>();

  return {
    async send(trx, queue, data, sendOptions = {}) {
      return enqueue(queue, data, sendOptions, trx);
    },
    async sendDetached(_reason, queue, data, sendOptions = {}) {
      return enqueue(queue, data, sendOptions);
    },
    async define(queue, policy) {
      // How often this instance looks for its jobs is not the queue's (stored) policy.
      const { pollingIntervalSeconds, ...stored } = policy;
      if (pollingIntervalSeconds) pollingOf.set(queue, Math.min(polling, pollingIntervalSeconds));
      const settings = { name: queue, ...stored, ...options.policies?.[queue], retryBackoff: true };
      const found = (await queues.get()).get(queue);
      const same =
        found?.policy === 'standard' &&
        found.retryLimit === settings.retryLimit &&
        found.retryDelay === settings.retryDelay &&
        found.retryBackoff === true &&
        found.expireInSeconds === settings.expireInSeconds;
      if (same) return;
      if (!found) await boss.createQueue(queue, settings);
      // createQueue leaves an existing queue (say, another instance's) as it was: the settings are applied.
      await boss.updateQueue(queue, settings);
    },
    async work(queue, handler) {
      await boss.work<object>(queue, { pollingIntervalSeconds: pollingOf.get(queue) ?? polling, batchSize: 1, includeMetadata: true }, async ([job]) => {
        if (!job) return;
        outage.up();
        // A retry is worth a line: it means a worker died, overran its expiry, or failed.
        if (job.retryCount > 0) options.log.info({ queue, jobId: job.id, retry: job.retryCount }, 'job retried');
        try {
          await handler(job.data as never);
        } catch (error) {
          options.log.error({ err: error, queue, jobId: job.id }, 'job failed; it will be retried');
          throw error;
        }
      });
    },
    async schedule(queue, cron) {
      const data = {};
      const scheduleOptions = { tz: 'Asia/Tokyo', singletonKey: queue };
      // As with the queues: no write for a schedule already as it is.
      const found = (await schedules.get()).get(queue);
      const same = found?.cron === cron && found.timezone === scheduleOptions.tz && sameJson(found.data, data) && sameJson(found.options, scheduleOptions);
      if (!same) await boss.schedule(queue, cron, data, scheduleOptions);
    },
    async start() {
      await boss.start();
      started = true;
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      started = false;
      queues.forget();
      schedules.forget();
    },
  };

  function enqueue(queue: QueueName, data: object, { id, startAfter, singletonKey, singletonSeconds }: SendOptions, trx?: Kysely<any>) {
    return boss.send(queue, data, {
      ...(id && { id }),
      ...(startAfter && { startAfter }),
      ...(singletonKey && { singletonKey }),
      ...(singletonSeconds && { singletonSeconds }),
      // pg-boss writes the job through this: the caller's transaction.
      ...(trx && {
        db: { executeSql: async (text: string, values: unknown[]) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows }) },
      }),
    });
  }
}

/**
 * Rows read once and kept by name until `forget()` (a stop); a failed read is not kept, so
 * the next caller reads again.
 */
function readOnce<Row extends { name: string }>(read: () => Promise<Row[]>) {
  let rows: Promise<Map<string, Row>> | undefined;
  return {
    get() {
      rows ??= read().then(
        (list) => new Map(list.map((row) => [row.name, row])),
        (error: unknown) => {
          rows = undefined;
          throw error;
        },
      );
      return rows;
    },
    forget() {
      rows = undefined;
    },
  };
}
