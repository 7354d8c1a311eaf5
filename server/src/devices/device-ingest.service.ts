import { sql } from 'kysely';
import type { Db } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import type { Realtime } from '../realtime/realtime.js';
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

export interface IngestContext {
  db: Db;
  log: Logger;
  metrics: Metrics;
  realtime: Realtime;
  /** The resident pressed the acknowledge button for a message read aloud (a circular's id). */
  onAcknowledge?: (event: { deviceId: string; householdId: string; messageId: string }) => Promise<void>;
  /** Signs of life in homes (presence, buttons, the voice assistant), a batch at a time. */
  onActivities?: (events: ActivityEvent[]) => Promise<void>;
  /** The resident answered a prompt (a watch check or a drill) with a button. */
  onAnswer?: (event: { householdId: string; associationId: string; promptId: string; button: 'safe' | 'help'; at: Date }) => Promise<void>;
  /** Devices heard from (any accepted message): their offline alerts can close. */
  onDevicesSeen?: (deviceIds: string[]) => Promise<void>;
}

type Envelope = { bootId: string; seq: number; ts: string };
interface Pending {
  uplink: Uplink;
  resolve: (outcome: Outcome) => void;
}
interface Valid extends Pending {
  kind: UplinkKind;
  data: Record<string, unknown>;
  device?: { id: string; association_id: string; household_id: string | null };
}

/**
 * Device ingest, batched: messages are gathered for a few milliseconds (or up to a batch
 * size) and written with a handful of set-based statements — one INSERT for every event of
 * the batch (idempotent on device, boot id and seq), one UPDATE for the devices' latest
 * heartbeats, one upsert of the homes' hourly activity. Batches run one after another, so
 * each device's messages are applied in the order they arrived.
 *
 * A bad message is counted and logged with the device id and dropped; it never throws into
 * the broker, and it does not hold up the good messages of its batch.
 */
export function createIngest(ctx: IngestContext, options: { maxBatch?: number; maxWaitMs?: number } = {}) {
  const maxBatch = options.maxBatch ?? 1000;
  const maxWaitMs = options.maxWaitMs ?? 10;
  let queue: Pending[] = [];
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const drain = async () => {
    while (queue.length) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await processBatch(ctx, batch);
      } catch (error) {
        ctx.log.error({ err: error, size: batch.length }, 'device batch could not be stored');
        ctx.metrics.mqttRejections.inc({ reason: 'storage_error' }, batch.length);
        for (const item of batch) item.resolve('rejected');
      }
    }
  };
  // One drain at a time; `running` is cleared only when a drain has really finished, and a
  // drain starts only with something to do (a timer may fire after its items were taken).
  const start = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (running || !queue.length) return;
    running = drain().finally(() => {
      running = null;
      start();
    });
  };

  return {
    push: (uplink: Uplink): Promise<Outcome> =>
      new Promise((resolve) => {
        queue.push({ uplink, resolve });
        if (queue.length >= maxBatch) start();
        else timer ??= setTimeout(start, maxWaitMs);
      }),
    /** Stores what is still waiting: on shutdown, after the broker has stopped delivering. */
    async flush() {
      start();
      while (running) await running;
    },
  };
}

function rejector(ctx: IngestContext) {
  return (item: Pending, reason: string, detail?: string) => {
    const { uplink } = item;
    ctx.metrics.mqttRejections.inc({ reason });
    ctx.metrics.mqttMessages.inc({ kind: uplink.kind in uplinkSchemas ? uplink.kind : 'unknown', outcome: 'rejected' });
    ctx.log.warn({ deviceId: uplink.deviceId, kind: uplink.kind, reason, detail }, 'device message rejected');
    item.resolve('rejected');
  };
}

function validate(ctx: IngestContext, item: Pending): Valid | undefined {
  const reject = rejector(ctx);
  const { uplink } = item;
  if (!(uplink.kind in uplinkSchemas)) return void reject(item, 'unknown_kind');
  const kind = uplink.kind as UplinkKind;
  if (uplink.payload.length > MAX_PAYLOAD_BYTES) return void reject(item, 'oversize', `${uplink.payload.length} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(uplink.payload.toString('utf8'));
  } catch {
    return void reject(item, 'invalid_json');
  }
  const parsed = uplinkSchemas[kind].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return void reject(item, 'invalid_payload', `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  }
  const data = parsed.data as Record<string, unknown>;
  if (kind !== 'status' && Date.parse((data as Envelope).ts) - Date.now() > MAX_CLOCK_SKEW_MS) return void reject(item, 'future_timestamp', (data as Envelope).ts);
  return { ...item, kind, data };
}

async function processBatch(ctx: IngestContext, batch: Pending[]) {
  const reject = rejector(ctx);
  const accept = (item: Pending, kind: string) => {
    ctx.metrics.mqttMessages.inc({ kind, outcome: 'accepted' });
    item.resolve('accepted');
  };
  const valid = batch.map((item) => validate(ctx, item)).filter((v): v is Valid => !!v);
  if (!valid.length) return;

  // Only live devices, and only under their own association.
  const ids = [...new Set(valid.map((v) => v.uplink.deviceId))].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const devices = ids.length
    ? await ctx.db.selectFrom('devices').select(['id', 'association_id', 'household_id']).where('id', 'in', ids).where('revoked_at', 'is', null).execute()
    : [];
  const byId = new Map(devices.map((d) => [d.id, d]));
  const known: Valid[] = [];
  for (const v of valid) {
    const device = byId.get(v.uplink.deviceId);
    if (!device || device.association_id !== v.uplink.associationId) reject(v, 'unknown_device');
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
    await storeEvents(ctx, events, seen);
    events = [];
    const online = (item.data as { online: boolean }).online;
    const updated = await ctx.db
      .updateTable('devices')
      // A last will says when the device vanished, not that it was heard from.
      .set(online ? { online, last_seen_at: sql`now()` } : { online })
      .where('id', '=', item.device!.id)
      .returning(['last_seen_at', 'last_heartbeat'])
      .executeTakeFirstOrThrow();
    if (online) seen.add(item.device!.id);
    accept(item, 'status');
    publishStatus(ctx, item.device!.association_id, item.device!.id, online, updated.last_seen_at, updated.last_heartbeat);
  }
  await storeEvents(ctx, events, seen);
  await ctx.onDevicesSeen?.([...seen]);
}

/** Events (everything but status), set-based: one INSERT, one UPDATE of heartbeats, one batch of activity. */
async function storeEvents(ctx: IngestContext, events: Valid[], seen: Set<string>) {
  const reject = rejector(ctx);
  const accept = (item: Pending, kind: string) => {
    ctx.metrics.mqttMessages.inc({ kind, outcome: 'accepted' });
    item.resolve('accepted');
  };
  if (!events.length) return;
  // Every event once: one INSERT for the batch; what comes back is what was new.
  const rows = events.map((e) => {
    const envelope = e.data as Envelope;
    return { device_id: e.device!.id, boot_id: envelope.bootId, seq: envelope.seq, association_id: e.device!.association_id, kind: e.kind, sent_at: envelope.ts, payload: JSON.stringify(e.data) };
  });
  const inserted = await ctx.db
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
    // The first of a key in this batch is the new one; a repeat within the batch, or of a stored one, is a duplicate.
    if (fresh.delete(key)) accepted.push(e);
    else {
      ctx.metrics.mqttMessages.inc({ kind: e.kind, outcome: 'duplicate' });
      e.resolve('duplicate');
    }
  }
  if (!accepted.length) return;
  const at = (e: Valid) => new Date(Math.min(Date.parse((e.data as Envelope).ts), Date.now()));

  // Devices: the newest heartbeat of each (by the device's clock), and "heard from" for all.
  const latest = new Map<string, Valid>();
  for (const e of accepted.filter((a) => a.kind === 'heartbeat')) {
    const current = latest.get(e.device!.id);
    if (!current || Date.parse((current.data as Envelope).ts) <= Date.parse((e.data as Envelope).ts)) latest.set(e.device!.id, e);
  }
  const heartbeats = [...latest.values()].map((e) => ({ id: e.device!.id, hb: e.data, ts: (e.data as Envelope).ts }));
  const updatedDevices = heartbeats.length
    ? await sql<{ id: string; association_id: string; last_seen_at: Date; last_heartbeat: { battery?: number | null } }>`
        update devices d set online = true, last_seen_at = now(), last_heartbeat = v.hb
        from jsonb_to_recordset(${JSON.stringify(heartbeats)}::jsonb) as v(id uuid, hb jsonb, ts timestamptz)
        where d.id = v.id and (d.last_heartbeat is null or (d.last_heartbeat->>'ts')::timestamptz <= v.ts)
        returning d.id, d.association_id, d.last_seen_at, d.last_heartbeat`.execute(ctx.db)
    : { rows: [] };
  const others = [...new Set(accepted.filter((a) => a.kind !== 'heartbeat').map((a) => a.device!.id))];
  if (others.length) await ctx.db.updateTable('devices').set({ online: true, last_seen_at: sql`now()` }).where('id', 'in', others).execute();
  for (const d of updatedDevices.rows) publishStatus(ctx, d.association_id, d.id, true, d.last_seen_at, d.last_heartbeat);
  for (const e of accepted) seen.add(e.device!.id);

  // Homes: activity as a batch; answers and acknowledgements (rare) one by one, in order.
  const activities: ActivityEvent[] = accepted
    .filter((e) => e.kind === 'activity' && e.device!.household_id)
    .map((e) => {
      const a = e.data as { type: 'presence' | 'button' | 'voice'; count?: number; button?: string };
      return { householdId: e.device!.household_id!, associationId: e.device!.association_id, at: at(e), type: a.type, count: a.count, button: a.button };
    });
  if (activities.length) await ctx.onActivities?.(activities);
  for (const e of accepted) {
    const householdId = e.device!.household_id;
    try {
      if (e.kind === 'answer' && householdId) {
        const answer = e.data as { promptId: string; button: 'safe' | 'help' };
        await ctx.onAnswer?.({ householdId, associationId: e.device!.association_id, promptId: answer.promptId, button: answer.button, at: at(e) });
      }
      if (e.kind === 'ack' && householdId) await ctx.onAcknowledge?.({ deviceId: e.device!.id, householdId, messageId: (e.data as { messageId: string }).messageId });
    } catch (error) {
      // A press for something not addressed to this household: stored, counted, no effect.
      reject(e, `${e.kind}_not_applicable`, (error as Error).message);
      continue;
    }
    accept(e, e.kind);
  }
}

function publishStatus(ctx: IngestContext, associationId: string, deviceId: string, online: boolean, lastSeenAt: Date | null, heartbeat: unknown) {
  const battery = (heartbeat as { battery?: number | null } | null)?.battery ?? null;
  ctx.realtime.deviceStatus(associationId, { deviceId, online, lastSeenAt: lastSeenAt?.toISOString() ?? null, battery });
}
