import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import { collectingTx, runEffects, type Tx } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { MAX_PAYLOAD_BYTES, uplinkSchemas, type UplinkKind } from '../../../devices/src/protocol.js';

export interface Uplink {
  /** From the authenticated connection (embedded broker) or the broker-enforced topic (Mosquitto). */
  deviceId: string;
  associationId: string;
  kind: string;
  payload: Buffer;
}

export type Outcome = 'accepted' | 'duplicate' | 'rejected';

export interface ActivityEvent {
  householdId: string;
  associationId: string;
  at: Date;
  type: 'presence' | 'button' | 'voice';
  count?: number;
  button?: string;
}

/** How far ahead of the server's clock a device's timestamp may be before it is refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A button press that does not apply (an unknown prompt, a circular not addressed to this
 * household): the message is stored without effect and counted as `<kind>_not_applicable`.
 * HttpErrors below 500 from the services mean the same.
 */
export class NotApplicable extends Error {}

/**
 * What a device event does to the rest of tonari. Every callback runs inside the transaction
 * that stores the event (`tx.db`), so an event and its effects commit together or not at
 * all; what reaches people (sockets, push, speakers) goes through `tx.afterCommit`.
 */
export interface IngestContext {
  db: Db;
  log: Logger;
  metrics: Metrics;
  realtime: Realtime;
  /** The resident pressed the acknowledge button for a message read aloud (a circular's id). */
  onAcknowledge?: (tx: Tx, event: { deviceId: string; householdId: string; messageId: string }) => Promise<void>;
  /** Signs of life in homes (presence, buttons, the voice assistant), a batch at a time. */
  onActivities?: (tx: Tx, events: ActivityEvent[]) => Promise<void>;
  /** The resident answered a prompt (a watch check or a drill) with a button. */
  onAnswer?: (tx: Tx, event: { householdId: string; associationId: string; promptId: string; button: 'safe' | 'help'; at: Date }) => Promise<void>;
  /** Devices heard from (any accepted message): their offline alerts can close. */
  onDevicesSeen?: (tx: Tx, deviceIds: string[]) => Promise<void>;
}

type Envelope = { bootId: string; seq: number; ts: string };
interface Pending {
  uplink: Uplink;
  /** performance.now() at receipt, for the lag metric. */
  receivedAt: number;
  resolve: (outcome: Outcome) => void;
}
interface Valid extends Pending {
  kind: UplinkKind;
  data: Record<string, unknown>;
  device?: { id: string; association_id: string; household_id: string | null };
}
/** What a batch decided for one message; applied (counted, logged, answered) only after its commit. */
interface Verdict {
  item: Pending;
  kind: string;
  outcome: Outcome;
  reason?: string;
  detail?: string;
}

export interface IngestOptions {
  maxBatch?: number;
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
  push(uplink: Uplink): Promise<Outcome>;
  /** Stores what is still waiting; after `timeoutMs`, closes instead of waiting on. Returns at once after close(). */
  flush(timeoutMs?: number): Promise<void>;
  /** Stops retrying (shutdown): messages not yet stored stay unacknowledged, for the broker to deliver again. */
  close(): void;
  /** For /healthz: how ingest is doing right now. */
  status(): { inFlight: number; lastProcessedAt: number; storageFailing: boolean };
}

/**
 * Device ingest, batched and at least once: messages are gathered for a few milliseconds (or
 * up to a batch size) and written in one transaction with a handful of set-based statements —
 * one INSERT for every event of the batch (idempotent on device, boot id and seq), one UPDATE
 * for the devices' latest heartbeats, one upsert of the homes' hourly activity, and the
 * effects of answers and acknowledgements. A redelivered message therefore finds its event
 * and all its effects, or neither. A device's messages always go to the same lane, whose
 * batches run one after another, so they are applied in the order they arrived.
 *
 * Memory stays bounded by the transport: it stops taking messages from the broker while
 * too many are unacknowledged (MQTT 5 receive maximum, or TCP backpressure in Aedes).
 *
 * A bad message is counted and logged with the device id and dropped (acknowledged, so it is
 * not delivered again); it never throws into the broker, and it does not hold up the good
 * messages of its batch.
 */
export function createIngest(ctx: IngestContext, options: IngestOptions = {}): Ingest {
  const maxBatch = options.maxBatch ?? 1000;
  const maxWaitMs = options.maxWaitMs ?? 10;
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
    for (const v of verdicts) {
      if (v.outcome === 'rejected') {
        ctx.metrics.mqttRejections.inc({ reason: v.reason ?? 'rejected' });
        ctx.log.warn({ deviceId: v.item.uplink.deviceId, kind: v.item.uplink.kind, reason: v.reason, detail: v.detail }, 'device message rejected');
      }
      ctx.metrics.mqttMessages.inc({ kind: v.kind, outcome: v.outcome });
      ctx.metrics.ingestLag.observe((now - v.item.receivedAt) / 1000);
      inFlight--;
      v.item.resolve(v.outcome);
    }
    ctx.metrics.ingestInFlight.set(inFlight);
    lastProcessedAt = Date.now();
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
        const { verdicts, effects } = await processBatch(ctx, batch);
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
          // Something in the batch itself that the database refuses (or a bug): store the
          // messages one by one, so only the one at fault is dropped, and logged.
          if (batch.length > 1) {
            for (const item of batch) await store([item]);
            return;
          }
          const [item] = batch as [Pending];
          ctx.log.error({ err: error, deviceId: item.uplink.deviceId, kind: item.uplink.kind }, 'device message could not be stored and is dropped');
          settle([{ item, kind: item.uplink.kind in uplinkSchemas ? item.uplink.kind : 'unknown', outcome: 'rejected', reason: 'storage_error', detail: (error as Error).message }]);
          return;
        }
        // The database is away (or busy): keep the batch, acknowledge nothing, try again.
        // One log line per outage, not one per message or attempt; the metric counts attempts.
        ctx.metrics.ingestStorageRetries.inc();
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
    const drain = async () => {
      while (queue.length && !closed) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await store(batch);
      }
    };
    // One drain at a time; `running` is cleared only when a drain has really finished, and a
    // drain starts only with something to do (a timer may fire after its items were taken).
    const start = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (running || !queue.length || closed) return;
      running = drain().finally(() => {
        running = null;
        start();
      });
    };
    return {
      add(item: Pending) {
        queue.push(item);
        if (queue.length >= maxBatch) start();
        else timer ??= setTimeout(start, maxWaitMs);
      },
      async flush() {
        start();
        while (running) await running;
      },
      stop() {
        if (timer) clearTimeout(timer);
        timer = null;
      },
    };
  };
  const lanes = Array.from({ length: Math.max(1, options.lanes ?? 3) }, lane);
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

  return {
    push: (uplink) =>
      new Promise((resolve) => {
        inFlight++;
        ctx.metrics.ingestInFlight.set(inFlight);
        laneOf(uplink.deviceId).add({ uplink, receivedAt: performance.now(), resolve });
      }),
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

const notApplicable = (error: unknown) => error instanceof NotApplicable || (error instanceof HttpError && error.status < 500);

function validate(item: Pending, verdicts: Verdict[]): Valid | undefined {
  const { uplink } = item;
  const reject = (reason: string, detail?: string) =>
    void verdicts.push({ item, kind: uplink.kind in uplinkSchemas ? uplink.kind : 'unknown', outcome: 'rejected', reason, detail });
  if (!(uplink.kind in uplinkSchemas)) return reject('unknown_kind');
  const kind = uplink.kind as UplinkKind;
  if (uplink.payload.length > MAX_PAYLOAD_BYTES) return reject('oversize', `${uplink.payload.length} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(uplink.payload.toString('utf8'));
  } catch {
    return reject('invalid_json');
  }
  const parsed = uplinkSchemas[kind].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return reject('invalid_payload', `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  }
  const data = parsed.data as Record<string, unknown>;
  if (kind !== 'status' && Date.parse((data as Envelope).ts) - Date.now() > MAX_CLOCK_SKEW_MS) return reject('future_timestamp', (data as Envelope).ts);
  return { ...item, kind, data };
}

/**
 * One batch, one transaction. Nothing is answered here: the verdicts are applied by the
 * caller after the commit, so a batch that fails and is retried counts nothing twice.
 */
async function processBatch(ctx: IngestContext, batch: Pending[]): Promise<{ verdicts: Verdict[]; effects: (() => unknown)[] }> {
  const verdicts: Verdict[] = [];
  const valid = batch.map((item) => validate(item, verdicts)).filter((v): v is Valid => !!v);
  if (!valid.length) return { verdicts, effects: [] };

  const effects = await ctx.db.transaction().execute(async (trx) => {
    const tx = collectingTx(trx);
    // Only live devices, and only under their own association.
    const ids = [...new Set(valid.map((v) => v.uplink.deviceId))].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    const devices = ids.length
      ? await trx.selectFrom('devices').select(['id', 'association_id', 'household_id']).where('id', 'in', ids).where('revoked_at', 'is', null).execute()
      : [];
    const byId = new Map(devices.map((d) => [d.id, d]));
    const known: Valid[] = [];
    for (const v of valid) {
      const device = byId.get(v.uplink.deviceId);
      if (!device || device.association_id !== v.uplink.associationId) verdicts.push({ item: v, kind: v.kind, outcome: 'rejected', reason: 'unknown_device' });
      else known.push({ ...v, device });
    }

    // Status messages (online on connect, offline as the last will) are rare. The batch is cut
    // at each one, so that a device's heartbeat before its last will is applied before it.
    const seen = new Set<string>();
    let events: Valid[] = [];
    for (const item of known) {
      if (item.kind !== 'status') {
        events.push(item);
        continue;
      }
      await storeEvents(ctx, tx, events, seen, verdicts);
      events = [];
      const online = (item.data as { online: boolean }).online;
      const updated = await trx
        .updateTable('devices')
        // A last will says when the device vanished, not that it was heard from.
        .set(online ? { online, last_seen_at: sql`now()` } : { online })
        .where('id', '=', item.device!.id)
        .returning(['last_seen_at', 'last_heartbeat'])
        .executeTakeFirstOrThrow();
      if (online) seen.add(item.device!.id);
      verdicts.push({ item, kind: 'status', outcome: 'accepted' });
      const device = item.device!;
      tx.afterCommit(() => publishStatus(ctx, device.association_id, device.id, online, updated.last_seen_at, updated.last_heartbeat));
    }
    await storeEvents(ctx, tx, events, seen, verdicts);
    if (seen.size) await ctx.onDevicesSeen?.(tx, [...seen]);
    return tx.effects;
  });
  // The verdicts were gathered in processing order; answer in arrival order (PUBACKs go out in it).
  const order = new Map(batch.map((item, i) => [item, i]));
  verdicts.sort((a, b) => order.get(a.item)! - order.get(b.item)!);
  return { verdicts, effects };
}

/** Events (everything but status), set-based: one INSERT, one UPDATE of heartbeats, one batch of activity. */
async function storeEvents(ctx: IngestContext, tx: ReturnType<typeof collectingTx>, events: Valid[], seen: Set<string>, verdicts: Verdict[]) {
  if (!events.length) return;
  const trx = tx.db;
  // Every event once: one INSERT for the batch; what comes back is what was new.
  const rows = events.map((e) => {
    const envelope = e.data as Envelope;
    return { device_id: e.device!.id, boot_id: envelope.bootId, seq: envelope.seq, association_id: e.device!.association_id, kind: e.kind, sent_at: envelope.ts, payload: JSON.stringify(e.data) };
  });
  const inserted = await trx
    .insertInto('device_messages')
    .values(rows)
    .onConflict((oc) => oc.columns(['device_id', 'boot_id', 'seq']).doNothing())
    .returning(['device_id', 'boot_id', 'seq'])
    .execute();
  const fresh = new Set(inserted.map((r) => `${r.device_id}|${r.boot_id}|${r.seq}`));
  const accepted: Valid[] = [];
  for (const e of events) {
    const envelope = e.data as Envelope;
    const key = `${e.device!.id}|${envelope.bootId}|${envelope.seq}`;
    // The first of a key in this batch is the new one; a repeat within the batch, or of a
    // stored one, is a duplicate: its effects were committed with it, so there is nothing to do.
    if (fresh.delete(key)) accepted.push(e);
    else verdicts.push({ item: e, kind: e.kind, outcome: 'duplicate' });
  }
  if (!accepted.length) return;
  const at = (e: Valid) => new Date(Math.min(Date.parse((e.data as Envelope).ts), Date.now()));

  // Devices: the latest heartbeat of each by arrival, and "heard from" for all. Arrival, not
  // the device's clock: a heartbeat stamped minutes fast would otherwise hide every later one
  // until real time caught up. A device's messages arrive in one lane, whose batches commit
  // one after another in arrival order, so the last accepted here is the latest; `ts` stays
  // in the stored heartbeat as data.
  const latest = new Map<string, Valid>();
  for (const e of accepted) if (e.kind === 'heartbeat') latest.set(e.device!.id, e);
  const heartbeats = [...latest.values()].map((e) => ({ id: e.device!.id, hb: e.data }));
  const updatedDevices = heartbeats.length
    ? await sql<{ id: string; association_id: string; last_seen_at: Date; last_heartbeat: { battery?: number | null } }>`
        update devices d set online = true, last_seen_at = now(), last_heartbeat = v.hb
        from jsonb_to_recordset(${JSON.stringify(heartbeats)}::jsonb) as v(id uuid, hb jsonb)
        where d.id = v.id
        returning d.id, d.association_id, d.last_seen_at, d.last_heartbeat`.execute(trx)
    : { rows: [] };
  const others = [...new Set(accepted.filter((a) => a.kind !== 'heartbeat').map((a) => a.device!.id))];
  if (others.length) await trx.updateTable('devices').set({ online: true, last_seen_at: sql`now()` }).where('id', 'in', others).execute();
  for (const d of updatedDevices.rows) tx.afterCommit(() => publishStatus(ctx, d.association_id, d.id, true, d.last_seen_at, d.last_heartbeat));
  for (const e of accepted) seen.add(e.device!.id);

  // Homes: activity as a batch; answers and acknowledgements (rare) one by one, in order.
  const activities: ActivityEvent[] = accepted
    .filter((e) => e.kind === 'activity' && e.device!.household_id)
    .map((e) => {
      const a = e.data as { type: 'presence' | 'button' | 'voice'; count?: number; button?: string };
      return { householdId: e.device!.household_id!, associationId: e.device!.association_id, at: at(e), type: a.type, count: a.count, button: a.button };
    });
  if (activities.length) await ctx.onActivities?.(tx, activities);
  for (const e of accepted) {
    const householdId = e.device!.household_id;
    const press = (e.kind === 'answer' || e.kind === 'ack') && householdId;
    if (!press) {
      verdicts.push({ item: e, kind: e.kind, outcome: 'accepted' });
      continue;
    }
    // The press's effect under a savepoint: one that does not apply is undone alone, and
    // the message stays stored (it was in the INSERT above) without effect.
    const mark = tx.effects.length;
    await sql`savepoint device_press`.execute(trx);
    try {
      if (e.kind === 'answer') {
        const answer = e.data as { promptId: string; button: 'safe' | 'help' };
        await ctx.onAnswer?.(tx, { householdId, associationId: e.device!.association_id, promptId: answer.promptId, button: answer.button, at: at(e) });
      } else {
        await ctx.onAcknowledge?.(tx, { deviceId: e.device!.id, householdId, messageId: (e.data as { messageId: string }).messageId });
      }
      await sql`release savepoint device_press`.execute(trx);
    } catch (error) {
      // Anything but "this press is not for you" is the database failing: the whole batch goes again.
      if (!notApplicable(error)) throw error;
      await sql`rollback to savepoint device_press`.execute(trx);
      tx.effects.length = mark;
      verdicts.push({ item: e, kind: e.kind, outcome: 'rejected', reason: `${e.kind}_not_applicable`, detail: (error as Error).message });
      continue;
    }
    verdicts.push({ item: e, kind: e.kind, outcome: 'accepted' });
  }
}

/**
 * A device's live status reaches officers at once when it goes online or offline, and
 * otherwise at most every STATUS_EVERY_MS: a fleet's heartbeats would else be one socket
 * event per device per batch, each a cross-instance NOTIFY and a watch-board refetch in
 * every officer's browser. The database has every heartbeat; pages load it from there.
 */
const STATUS_EVERY_MS = 15_000;
const lastStatus = new WeakMap<object, Map<string, { at: number; online: boolean }>>();

function publishStatus(ctx: IngestContext, associationId: string, deviceId: string, online: boolean, lastSeenAt: Date | null, heartbeat: unknown) {
  let sent = lastStatus.get(ctx.realtime);
  if (!sent) lastStatus.set(ctx.realtime, (sent = new Map()));
  const previous = sent.get(deviceId);
  const now = Date.now();
  if (previous && previous.online === online && now - previous.at < STATUS_EVERY_MS) return;
  sent.set(deviceId, { at: now, online });
  const battery = (heartbeat as { battery?: number | null } | null)?.battery ?? null;
  ctx.realtime.deviceStatus(associationId, { deviceId, online, lastSeenAt: lastSeenAt?.toISOString() ?? null, battery });
}
