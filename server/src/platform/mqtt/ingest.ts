import { performance } from 'node:perf_hooks';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { collectingTx, runEffects } from '../db/transaction.js';
import type { OnUplink, Outcome, Uplink, UplinkTicket } from './mqtt-transport.js';

/** The batch's transaction: `tx.effects` are what runs after its commit. */
export type BatchTx = ReturnType<typeof collectingTx>;

/** One uplink as ingest holds it until its fate is durable. */
export interface Received {
  readonly uplink: Uplink;
}
interface Pending extends Received {
  /** performance.now() at receipt, for the lag metric. */
  receivedAt: number;
  /** Arrival order (answers go out in it). */
  order: number;
  ticket: UplinkTicket;
}

/** What a batch decided for one message; applied (counted, logged, answered) only after its commit. */
export interface Verdict {
  message: Received;
  outcome: Outcome;
  reason?: string;
  detail?: string;
}

/** A message refused before any storage: counted and logged with `reason`. */
export interface Refusal {
  refused: string;
  detail?: string;
}

/**
 * What ingest stores, and how: the device protocol's side of the door (devices/device.uplinks.ts).
 * Ingest itself knows batches, lanes, the transaction, acknowledgements, retries and metrics,
 * and nothing of what a message means.
 */
export interface UplinkStore<Checked extends { message: Received }> {
  /** The metric label of a kind: itself if the protocol knows it, else 'unknown' (label values stay bounded). */
  kindLabel(kind: string): string;
  /** Checks one message before any transaction: what to store, or why it is refused. */
  check(message: Received): Checked | Refusal;
  /**
   * Stores the checked messages of one batch in its transaction (`tx.db`) and pushes each
   * one's verdict; what reaches people goes through `tx.afterCommit`. Throwing fails the batch.
   */
  store(tx: BatchTx, checked: Checked[], verdicts: Verdict[]): Promise<void>;
}

export interface IngestOptions {
  maxBatch?: number;
  /**
   * How long a lane gathers a batch: from its first message when idle, and from the previous
   * batch under a steady stream (unless the batch is full first).
   */
  maxWaitMs?: number;
  /** Batches stored at once (each device always in the same lane, so in order). */
  lanes?: number;
  /** Backoff between attempts to store a batch while the database cannot take it. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

export interface Ingest {
  /**
   * Hands one uplink to ingest. The promise settles only once the message's fate is durable:
   * its batch committed (accepted or duplicate), or it was refused for good (rejected). The
   * transport acknowledges the message to the broker only then. While the database cannot
   * commit, the batch is retried and the promise stays pending: nothing is acknowledged and
   * nothing is dropped.
   */
  push: OnUplink;
  /** Stores what is still waiting; after `timeoutMs`, closes instead of waiting on. Returns at once after close(). */
  flush(timeoutMs?: number): Promise<void>;
  /** Stops retrying (shutdown): messages not yet stored stay unacknowledged, for the broker to deliver again. */
  close(): void;
  /** For /healthz: how ingest is doing right now. */
  status(): { inFlight: number; lastProcessedAt: number; storageFailing: boolean };
}

/**
 * The MQTT ingest door, batched and at least once: messages are gathered for a few
 * milliseconds (or up to a batch size) and stored in one transaction by the UplinkStore
 * (set-based statements, idempotent, with the effects of the batch). A redelivered message
 * therefore finds its event and all its effects, or neither. A device's messages always go
 * to the same lane, whose batches run one after another, so they are applied in the order
 * they arrived.
 *
 * Memory stays bounded by the transport: it stops taking messages from the broker while
 * too many are unacknowledged (MQTT 5 receive maximum, or TCP backpressure in Aedes).
 *
 * A bad message is counted and logged with the device id and dropped (acknowledged, so it is
 * not delivered again); it never throws into the broker, and it does not hold up the good
 * messages of its batch.
 */
export function createIngest<Checked extends { message: Received }>(
  ctx: { db: Db; log: Logger; metrics: Metrics },
  uplinks: UplinkStore<Checked>,
  options: IngestOptions = {},
): Ingest {
  const maxBatch = options.maxBatch ?? 2500;
  const maxWaitMs = options.maxWaitMs ?? 50;
  const retryMinMs = options.retryMinMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 5000;
  let closed = false;
  const wakers = new Set<() => void>();
  let inFlight = 0;
  let lastProcessedAt = Date.now();
  let failingSince: number | null = null;
  let retries = 0;
  let effectsDone: Promise<void> = Promise.resolve();

  const settle = (verdicts: Verdict[]) => {
    const now = performance.now();
    // Counted per batch (a label lookup per kind and outcome, not per message), by kind then
    // outcome: no key string made per message.
    const counts = new Map<string, Map<Outcome, number>>();
    for (const v of verdicts) {
      const item = v.message as Pending;
      if (v.outcome === 'rejected') {
        ctx.metrics.mqttRejections.inc({ reason: v.reason ?? 'rejected' });
        ctx.log.warn({ deviceId: item.uplink.deviceId, kind: item.uplink.kind, reason: v.reason, detail: v.detail }, 'device message rejected');
      }
      let byOutcome = counts.get(item.uplink.kind);
      if (!byOutcome) counts.set(item.uplink.kind, (byOutcome = new Map()));
      byOutcome.set(v.outcome, (byOutcome.get(v.outcome) ?? 0) + 1);
      ctx.metrics.ingestLag.observe((now - item.receivedAt) / 1000);
      inFlight--;
      item.ticket.settle(v.outcome);
    }
    for (const [kind, byOutcome] of counts) for (const [outcome, n] of byOutcome) ctx.metrics.mqttMessages.inc({ kind: uplinks.kindLabel(kind), outcome }, n);
    ctx.metrics.ingestInFlight.set(inFlight);
    lastProcessedAt = Date.now();
  };

  /**
   * One batch, one transaction. Nothing is answered here: the verdicts are applied by the
   * caller after the commit, so a batch that fails and is retried counts nothing twice.
   */
  const processBatch = async (batch: Pending[]): Promise<{ verdicts: Verdict[]; effects: (() => unknown)[] }> => {
    const verdicts: Verdict[] = [];
    const checked: Checked[] = [];
    for (const message of batch) {
      const result = uplinks.check(message);
      if ('refused' in result) verdicts.push({ message, outcome: 'rejected', reason: result.refused, detail: result.detail });
      else checked.push(result);
    }
    if (!checked.length) return { verdicts, effects: [] };
    const effects = await ctx.db.transaction().execute(async (trx) => {
      const tx = collectingTx(trx);
      await uplinks.store(tx, checked, verdicts);
      return tx.effects;
    });
    // The verdicts were gathered in processing order; answer in arrival order (PUBACKs go out in it).
    verdicts.sort((a, b) => (a.message as Pending).order - (b.message as Pending).order);
    return { verdicts, effects };
  };

  const pause = (ms: number) => {
    let wake = () => undefined as void;
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
      wakers.add(wake);
    }).finally(() => wakers.delete(wake));
  };

  /** Stores a batch, retrying while the database cannot take it; returns once it is settled (or ingest closed). */
  const store = async (batch: Pending[]): Promise<void> => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        const { verdicts, effects } = await processBatch(batch);
        if (verdicts.some((v) => v.outcome !== 'rejected')) ctx.metrics.ingestLastCommit.set(Date.now() / 1000);
        if (failingSince !== null) {
          ctx.log.warn({ retries, outageSeconds: Math.round((Date.now() - failingSince) / 1000) }, 'device messages are being stored again');
          failingSince = null;
          retries = 0;
        }
        settle(verdicts);
        // After the commit and the acknowledgements, and off the ingest path: a slow push
        // service must not hold up the next batch.
        if (effects.length) effectsDone = effectsDone.then(() => runEffects(effects, ctx.log));
        return;
      } catch (error) {
        if (!isTransient(error)) {
          // Something in the batch itself that the database refuses (or a bug): store it again
          // in halves, in order, down to the one at fault, which alone is dropped and logged —
          // about 2·log2(n) transactions for one bad message, not n.
          if (batch.length > 1) {
            const half = Math.ceil(batch.length / 2);
            await store(batch.slice(0, half));
            await store(batch.slice(half));
            return;
          }
          const [item] = batch as [Pending];
          ctx.log.error({ err: error, deviceId: item.uplink.deviceId, kind: item.uplink.kind }, 'device message could not be stored and is dropped');
          settle([{ message: item, outcome: 'rejected', reason: 'storage_error', detail: (error as Error).message }]);
          return;
        }
        // The database is away (or busy): keep the batch, acknowledge nothing, try again.
        // One log line per outage, not one per message or attempt; the metric counts attempts.
        ctx.metrics.ingestStorageRetries.inc();
        ctx.metrics.ingestInFlight.set(inFlight);
        retries++;
        if (failingSince === null) {
          failingSince = Date.now();
          ctx.log.error({ err: error, size: batch.length }, 'device messages cannot be stored; holding them unacknowledged and retrying');
        }
        await pause(Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(attempt, 16)));
      }
    }
  };

  /**
   * A lane stores its batches one after another. Devices are spread over a few lanes (by
   * device id, so each device's messages stay in order in one lane) so that one batch is
   * being parsed while another waits for PostgreSQL: with acknowledgements held until the
   * commit, a single lane would leave the CPU idle during every commit.
   */
  const lane = () => {
    let queue: Pending[] = [];
    let running: Promise<void> | null = null;
    let timer: NodeJS.Timeout | null = null;
    /** performance.now() when the lane last took a batch. */
    let takenAt = -Infinity;
    let flushing = false;
    const drain = async () => {
      while (queue.length && !closed) {
        // Under a steady stream a lane would otherwise take, the moment its commit returns,
        // only what arrived during that commit: the batch's fixed statements, its commit and
        // its WAL flush shared by few messages. So it gathers maxWaitMs from the previous
        // batch (unless full), bounding its commits to 1000/maxWaitMs a second.
        const wait = takenAt + maxWaitMs - performance.now();
        if (wait > 0 && queue.length < maxBatch && !flushing) {
          timer ??= setTimeout(start, wait);
          return;
        }
        takenAt = performance.now();
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await store(batch);
      }
    };
    // One drain at a time; `running` is cleared only when a drain has really finished, and a
    // drain starts only with something to do (a timer may fire after its items were taken).
    // A drain that stopped to gather left a timer that starts the next.
    const start = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (running || !queue.length || closed) return;
      ctx.metrics.ingestInFlight.set(inFlight);
      running = drain().finally(() => {
        running = null;
        if (!timer) start();
      });
    };
    return {
      add(item: Pending) {
        queue.push(item);
        if (queue.length >= maxBatch) start();
        else timer ??= setTimeout(start, maxWaitMs);
      },
      async flush() {
        flushing = true;
        try {
          start();
          while (running) await running;
        } finally {
          flushing = false;
        }
      },
      stop() {
        if (timer) clearTimeout(timer);
        timer = null;
      },
    };
  };
  const lanes = Array.from({ length: Math.max(1, options.lanes ?? 4) }, lane);
  const laneOf = (deviceId: string) => {
    let h = 0;
    for (let i = 0; i < deviceId.length; i++) h = (h * 31 + deviceId.charCodeAt(i)) | 0;
    return lanes[Math.abs(h) % lanes.length]!;
  };

  function close() {
    closed = true;
    for (const l of lanes) l.stop();
    for (const wake of wakers) wake();
  }

  let arrived = 0;
  const take = (uplink: Uplink, ticket: UplinkTicket) => {
    // The in-flight gauge is set as each batch settles (per message, it would be a metric
    // update per message); status() has the exact count.
    inFlight++;
    laneOf(uplink.deviceId).add({ uplink, receivedAt: performance.now(), order: arrived++, ticket });
  };
  const push: OnUplink = Object.assign((uplink: Uplink) => new Promise<Outcome>((resolve) => take(uplink, { settle: resolve })), { take });

  return {
    push,
    async flush(timeoutMs?: number) {
      // On shutdown with the database away, waiting for it would never end: give up in
      // time and leave the rest unacknowledged, for the broker to deliver again.
      const limit = timeoutMs === undefined ? undefined : setTimeout(close, timeoutMs);
      try {
        await Promise.all(lanes.map((l) => l.flush()));
        await effectsDone;
      } finally {
        if (limit) clearTimeout(limit);
      }
    },
    close,
    status: () => ({ inFlight, lastProcessedAt, storageFailing: failingSince !== null }),
  };
}

/**
 * Whether a failure to store is the database being away or busy (retry, acknowledge nothing)
 * rather than something about the messages (SQLSTATE classes 22 data exception and 23
 * integrity violation) or a bug. Retrying the latter forever would stop all ingest.
 */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return !/^(22|23)/.test(code);
  // Node's socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, …)
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /connect|connection|terminat|timeout|timed out|not queryable|pool/i.test(message);
}
