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

/** How far ahead of the server's clock a device's timestamp may be before it is refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export interface IngestContext {
  db: Db;
  log: Logger;
  metrics: Metrics;
  realtime: Realtime;
  /** The resident pressed the acknowledge button for a message read aloud (a circular's id). */
  onAcknowledge?: (event: { deviceId: string; householdId: string; messageId: string }) => Promise<void>;
  /** A sign of life in the home (presence, a button, the voice assistant). */
  onActivity?: (event: { householdId: string; associationId: string; at: Date; type: 'presence' | 'button' | 'voice'; count?: number; button?: string }) => Promise<void>;
  /** The resident answered a prompt (a watch check or a drill) with a button. */
  onAnswer?: (event: { householdId: string; associationId: string; promptId: string; button: 'safe' | 'help'; at: Date }) => Promise<void>;
  /** The device was heard from (any accepted message): an offline alert for it can close. */
  onDeviceSeen?: (deviceId: string) => Promise<void>;
}

/**
 * Runs each device's uplinks one after another, in arrival order, while different devices
 * proceed in parallel: a device's state must not be overwritten by its own older message.
 */
export function createIngestQueue(ctx: IngestContext) {
  const tails = new Map<string, Promise<unknown>>();
  return (uplink: Uplink): Promise<'accepted' | 'duplicate' | 'rejected'> => {
    const previous = tails.get(uplink.deviceId) ?? Promise.resolve();
    const next = previous.then(() => ingestUplink(ctx, uplink));
    tails.set(uplink.deviceId, next);
    void next.finally(() => {
      if (tails.get(uplink.deviceId) === next) tails.delete(uplink.deviceId);
    });
    return next;
  };
}

/**
 * Validates and stores one device uplink. A bad message is counted and logged with the
 * device id and dropped; it never throws into the broker. Each event is stored once per
 * (device, boot id, seq): a redelivered QoS 1 message changes nothing.
 */
export async function ingestUplink(ctx: IngestContext, uplink: Uplink): Promise<'accepted' | 'duplicate' | 'rejected'> {
  const reject = (reason: string, detail?: string) => {
    ctx.metrics.mqttRejections.inc({ reason });
    ctx.metrics.mqttMessages.inc({ kind: uplink.kind in uplinkSchemas ? uplink.kind : 'unknown', outcome: 'rejected' });
    ctx.log.warn({ deviceId: uplink.deviceId, kind: uplink.kind, reason, detail }, 'device message rejected');
    return 'rejected' as const;
  };
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

  try {
    const device = await ctx.db
      .selectFrom('devices')
      .select(['id', 'association_id', 'household_id'])
      .where('id', '=', uplink.deviceId)
      .where('association_id', '=', uplink.associationId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!device) return reject('unknown_device');

    if (kind === 'status') {
      const online = (parsed.data as { online: boolean }).online;
      const updated = await ctx.db
        .updateTable('devices')
        // A last will says when the device vanished, not that it was heard from.
        .set(online ? { online, last_seen_at: sql`now()` } : { online })
        .where('id', '=', device.id)
        .returning(['last_seen_at', 'last_heartbeat'])
        .executeTakeFirstOrThrow();
      ctx.metrics.mqttMessages.inc({ kind, outcome: 'accepted' });
      if (online) await ctx.onDeviceSeen?.(device.id);
      publishStatus(ctx, device.association_id, device.id, online, updated.last_seen_at, updated.last_heartbeat);
      return 'accepted';
    }

    const event = parsed.data as { bootId: string; seq: number; ts: string };
    if (Date.parse(event.ts) - Date.now() > MAX_CLOCK_SKEW_MS) return reject('future_timestamp', event.ts);
    const inserted = await ctx.db
      .insertInto('device_messages')
      .values({
        device_id: device.id, boot_id: event.bootId, seq: event.seq, association_id: device.association_id,
        kind, sent_at: event.ts, payload: JSON.stringify(event),
      })
      .onConflict((oc) => oc.columns(['device_id', 'boot_id', 'seq']).doNothing())
      .returning('seq')
      .executeTakeFirst();
    if (!inserted) {
      ctx.metrics.mqttMessages.inc({ kind, outcome: 'duplicate' });
      return 'duplicate';
    }
    if (kind === 'ack' && device.household_id) {
      const messageId = (parsed.data as { messageId: string }).messageId;
      try {
        await ctx.onAcknowledge?.({ deviceId: device.id, householdId: device.household_id, messageId });
      } catch (error) {
        // A press for something not addressed to this household: stored, counted, no effect.
        return reject('ack_without_message', `${messageId}: ${(error as Error).message}`);
      }
    }
    const at = new Date(Math.min(Date.parse(event.ts), Date.now()));
    try {
      if (kind === 'activity' && device.household_id) {
        const activity = parsed.data as { type: 'presence' | 'button' | 'voice'; count?: number; button?: string };
        await ctx.onActivity?.({ householdId: device.household_id, associationId: device.association_id, at, type: activity.type, count: activity.count, button: activity.button });
      }
      if (kind === 'answer' && device.household_id) {
        const answer = parsed.data as { promptId: string; button: 'safe' | 'help' };
        await ctx.onAnswer?.({ householdId: device.household_id, associationId: device.association_id, promptId: answer.promptId, button: answer.button, at });
      }
    } catch (error) {
      return reject(`${kind}_not_applicable`, (error as Error).message);
    }
    await ctx.onDeviceSeen?.(device.id);
    if (kind !== 'heartbeat') {
      await ctx.db.updateTable('devices').set({ online: true, last_seen_at: sql`now()` }).where('id', '=', device.id).execute();
      ctx.metrics.mqttMessages.inc({ kind, outcome: 'accepted' });
      return 'accepted';
    }
    const heartbeat = event as { bootId: string; seq: number; ts: string; battery: number | null };
    // Another instance may store an older heartbeat after a newer one: the newest by device clock wins.
    const updated = await ctx.db
      .updateTable('devices')
      .set({ online: true, last_seen_at: sql`now()`, last_heartbeat: JSON.stringify(heartbeat) })
      .where('id', '=', device.id)
      .where((eb) => eb.or([eb('last_heartbeat', 'is', null), eb(sql`(last_heartbeat->>'ts')::timestamptz`, '<=', heartbeat.ts)]))
      .returning(['last_seen_at'])
      .executeTakeFirst();
    if (!updated) {
      ctx.metrics.mqttMessages.inc({ kind, outcome: 'accepted' });
      return 'accepted';
    }
    ctx.metrics.mqttMessages.inc({ kind, outcome: 'accepted' });
    publishStatus(ctx, device.association_id, device.id, true, updated.last_seen_at, heartbeat);
    return 'accepted';
  } catch (error) {
    ctx.log.error({ err: error, deviceId: uplink.deviceId, kind }, 'device message could not be stored');
    ctx.metrics.mqttRejections.inc({ reason: 'storage_error' });
    return 'rejected';
  }
}

function publishStatus(ctx: IngestContext, associationId: string, deviceId: string, online: boolean, lastSeenAt: Date | null, heartbeat: unknown) {
  const battery = (heartbeat as { battery?: number | null } | null)?.battery ?? null;
  ctx.realtime.deviceStatus(associationId, { deviceId, online, lastSeenAt: lastSeenAt?.toISOString() ?? null, battery });
}
