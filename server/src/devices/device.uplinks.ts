import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import type { ActivityEvent } from '../platform/module.js';
import type { DeviceStatus } from '../contracts/socket.js';
import type { BatchTx, Received, Refusal, UplinkStore, Verdict } from '../platform/mqtt/ingest.js';
import { underSavepoint, type UplinkDispatch } from '../platform/mqtt/uplink-dispatch.js';
import { MAX_PAYLOAD_BYTES, uplinkSchemas, type Answer, type Heartbeat, type UplinkKind } from '../../../devices/src/protocol.js';
import { commonShape } from './uplink-shapes.js';
import { insertDeviceMessages, liveDevices, markDevicesHeard, recordHeartbeats, setDeviceOnline, withdrawDeviceMessages } from './device.repository.js';

/** How far ahead of the server's clock a device's timestamp may be before it is refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * How far behind it: a sane window, and one PostgreSQL's timestamptz takes (it refuses year
 * 0000, which the ISO format allows) — a message the database refuses would otherwise fail
 * its whole batch.
 */
const MAX_AGE_MS = 366 * 86_400_000;

export interface DeviceUplinkContext {
  log: Logger;
  metrics: Metrics;
  realtime: Realtime;
  /** The modules' handlers by uplink kind (platform/mqtt/uplink-dispatch.ts). */
  handlers: UplinkDispatch;
}

type Envelope = { bootId: string; seq: number; ts: string };
type LiveDevice = { id: string; association_id: string; household_id: string | null; block_id: string | null };
interface Checked {
  message: Received;
  kind: UplinkKind;
  data: Record<string, unknown>;
  /** Set once its device is found live (storeBatch): one object shape from the check on. */
  device: LiveDevice | null;
}
interface Known extends Checked {
  device: LiveDevice;
}

/**
 * The device protocol's side of the MQTT door (platform/mqtt/ingest.ts batches and commits):
 * each uplink is checked against its schema (devices/src/protocol.ts), must come from a live
 * device of its association, and is stored once per device, boot id and seq with a handful
 * of set-based statements per batch — one INSERT for every event, one UPDATE for the devices'
 * latest heartbeats — then handed to the modules' handlers of its kind (the homes' activity
 * as a batch, answers and acknowledgements one by one), all in the batch's transaction.
 */
export function deviceUplinks(ctx: DeviceUplinkContext): UplinkStore<Checked> {
  return {
    kindLabel: (kind) => (isKind(kind) ? kind : 'unknown'),
    check,
    store: (tx, checked, verdicts) => storeBatch(ctx, tx, checked, verdicts),
  };
}

/** Own keys only: `toString`, `constructor` or `__proto__` are no kinds (`in` would say they are). */
const isKind = (kind: string): kind is UplinkKind => Object.hasOwn(uplinkSchemas, kind);

/**
 * Whether a parsed payload holds a string PostgreSQL's text and jsonb refuse: NUL, or half of
 * a surrogate pair. Either can only come from a `\u` escape (JSON.parse refuses a raw control
 * character, and decoding UTF-8 never yields a lone surrogate), so the payload's text is
 * searched for one first, and the strings walked only when it has one (rare).
 */
function hasUnstorableString(text: string, json: unknown): boolean {
  return text.includes('\\u') && unstorable(json);
}
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function unstorable(value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, item] of Object.entries(value)) if (unstorable(key) || unstorable(item)) return true;
  return false;
}

function check(message: Received): Checked | Refusal {
  const { uplink } = message;
  const refuse = (refused: string, detail?: string): Refusal => ({ refused, detail });
  if (!isKind(uplink.kind)) return refuse('unknown_kind');
  const kind = uplink.kind;
  if (uplink.payload.length > MAX_PAYLOAD_BYTES) return refuse('oversize', `${uplink.payload.length} bytes`);
  let json: unknown;
  const text = uplink.payload.toString('utf8');
  try {
    json = JSON.parse(text);
  } catch {
    return refuse('invalid_json');
  }
  if (hasUnstorableString(text, json)) return refuse('invalid_payload', 'a string holds NUL or a lone surrogate');
  // Heartbeats and presence reports (nearly all of a fleet's stream) without zod when they are
  // plainly valid; anything else, or anything doubtful, through the schema (uplink-shapes.ts).
  let data = commonShape(kind, json);
  if (!data) {
    const parsed = uplinkSchemas[kind].safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return refuse('invalid_payload', `${issue.path.join('.') || 'payload'}: ${issue.message}`);
    }
    data = parsed.data as Record<string, unknown>;
  }
  if (kind !== 'status') {
    const { ts } = data as Envelope;
    const skew = Date.parse(ts) - Date.now();
    if (skew > MAX_CLOCK_SKEW_MS) return refuse('future_timestamp', ts);
    if (!(skew >= -MAX_AGE_MS)) return refuse('stale_timestamp', ts);
  }
  return { message, kind, data, device: null };
}

async function storeBatch(ctx: DeviceUplinkContext, tx: BatchTx, checked: Checked[], verdicts: Verdict[]) {
  // Only live devices, and only under their own association.
  const ids = [...new Set(checked.map((v) => v.message.uplink.deviceId))].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const devices = ids.length ? await liveDevices(tx.db, ids) : [];
  const byId = new Map(devices.map((d) => [d.id, d]));
  const known: Known[] = [];
  for (const v of checked) {
    const device = byId.get(v.message.uplink.deviceId);
    if (!device || device.association_id !== v.message.uplink.associationId) verdicts.push({ message: v.message, outcome: 'rejected', reason: 'unknown_device' });
    else {
      v.device = device;
      known.push(v as Known);
    }
  }

  // Status messages (online on connect, offline as the last will) are rare. The batch is cut
  // at each one, so that a device's heartbeat before its last will is applied before it.
  const seen = new Set<string>();
  // What officers see live: each device's last status in the batch, sent once it committed.
  const statuses: Statuses = new Map();
  let events: Known[] = [];
  for (const item of known) {
    if (item.kind !== 'status') {
      events.push(item);
      continue;
    }
    await storeEvents(ctx, tx, events, seen, statuses, verdicts);
    events = [];
    const online = (item.data as { online: boolean }).online;
    const { device } = item;
    const updated = await setDeviceOnline(tx.db, device.id, online);
    if (online) seen.add(device.id);
    verdicts.push({ message: item.message, outcome: 'accepted' });
    noteStatus(statuses, device.association_id, device.id, online, updated.last_seen_at, updated.last_heartbeat);
  }
  await storeEvents(ctx, tx, events, seen, statuses, verdicts);
  if (statuses.size) tx.afterCommit(() => publishStatuses(ctx, statuses));
  if (seen.size) await ctx.handlers.devicesSeen(tx, [...seen]);
}

/**
 * Events (everything but status), set-based: one INSERT of the logged kinds, one UPDATE of
 * heartbeats, one batch of activity. A heartbeat is state, not a logged event: no row of its
 * own (at 100,000 speakers a row a minute would be 144 M rows a day, each there only as its
 * once-only marker); the devices' UPDATE is its once-only check (recordHeartbeats).
 */
async function storeEvents(ctx: DeviceUplinkContext, tx: BatchTx, events: Known[], seen: Set<string>, statuses: Statuses, verdicts: Verdict[]) {
  if (!events.length) return;
  const logged = events.filter((e) => e.kind !== 'heartbeat');
  const inserted = logged.length
    ? await insertDeviceMessages(
        tx.db,
        logged.map((e) => {
          // The envelope goes in its columns, not a second time in the payload.
          const { bootId, seq, ts, ...payload } = e.data as Envelope;
          return { device_id: e.device.id, boot_id: bootId, seq, kind: e.kind, sent_at: ts, payload };
        }),
      )
    : null;
  // Null: every one was new (the usual case). Else the keys stored now: the first of a key in
  // this batch is the new one; a repeat within the batch, or of a stored one, is a duplicate:
  // its effects were committed with it, so there is nothing to do.
  let accepted = logged;
  if (inserted) {
    accepted = [];
    for (const e of logged) {
      const envelope = e.data as Envelope;
      if (inserted.delete(`${e.device.id}|${envelope.bootId}|${envelope.seq}`)) accepted.push(e);
      else verdicts.push({ message: e.message, outcome: 'duplicate' });
    }
  }
  const at = (e: Known) => new Date(Math.min(Date.parse((e.data as Envelope).ts), Date.now()));

  // Devices: the latest heartbeat of each, and "heard from" for all. A device's messages
  // arrive in one lane, whose batches commit one after another in arrival order; within the
  // batch, as in the database (recordHeartbeats), a heartbeat of the boot already held with a
  // seq not above its seq is a repeat, and one of a boot that began before the held one's is an
  // old boot's message delivered again: duplicates, nothing to apply. Arrival, not the clock,
  // orders one boot's heartbeats: one stamped minutes fast would otherwise hide every later one
  // until real time caught up.
  const latest = new Map<string, Known>();
  const beats: Known[] = [];
  for (const e of events) {
    if (e.kind !== 'heartbeat') continue;
    const hb = e.data as Heartbeat;
    const held = latest.get(e.device.id)?.data as Heartbeat | undefined;
    if (held && (held.bootId === hb.bootId ? hb.seq <= held.seq : bootBegan(hb) < bootBegan(held))) {
      verdicts.push({ message: e.message, outcome: 'duplicate' });
      continue;
    }
    beats.push(e);
    latest.set(e.device.id, e);
  }
  // One UPDATE for every device of the batch: its latest heartbeat, or (hb null) heard from
  // by other kinds only.
  const heard = [...latest.values()].map((e) => ({ id: e.device.id, hb: e.data as Heartbeat | null }));
  for (const id of new Set(accepted.filter((a) => !latest.has(a.device.id)).map((a) => a.device.id))) heard.push({ id, hb: null });
  const recorded = heard.length ? await recordHeartbeats(tx.db, heard) : null;
  // That UPDATE updates only live devices, and locks them until the commit: so is each device
  // with a message stored above (it was heard from). The batch's read (liveDevices) holds off
  // a deletion, not a revocation. A device left as it was (rare; `missed`) either held this
  // boot's heartbeat of that seq or a later one (stale: a duplicate), or was revoked since the
  // batch read it: its messages are not stored, nor is it marked online.
  const missed = recorded?.missed;
  let gone: Set<string> | null = null;
  if (missed?.size) {
    const stored = new Set(accepted.map((a) => a.device.id));
    // Heard from by other kinds only, yet not updated: revoked. (A device with a stale
    // heartbeat and nothing else new stored nothing: a duplicate, live or not.)
    gone = new Set([...missed].filter((id) => !latest.has(id)));
    // A stale heartbeat, but other messages new: heard from all the same, if still live.
    const others = [...missed].filter((id) => latest.has(id) && stored.has(id));
    if (others.length) {
      const marked = await markDevicesHeard(tx.db, others);
      for (const id of others) if (!marked.has(id)) gone.add(id);
    }
    for (const id of missed) latest.delete(id);
    if (gone.size) {
      // Their messages stored above came after the revocation: taken back, and refused.
      const withdrawn = accepted.filter((a) => gone!.has(a.device.id));
      await withdrawDeviceMessages(
        tx.db,
        withdrawn.map((a) => ({ device_id: a.device.id, boot_id: (a.data as Envelope).bootId, seq: (a.data as Envelope).seq })),
      );
      for (const a of withdrawn) verdicts.push({ message: a.message, outcome: 'rejected', reason: 'unknown_device' });
      accepted = accepted.filter((a) => !gone!.has(a.device.id));
    }
  }
  for (const e of beats) {
    const id = e.device.id;
    if (gone?.has(id)) verdicts.push({ message: e.message, outcome: 'rejected', reason: 'unknown_device' });
    else verdicts.push({ message: e.message, outcome: missed?.has(id) ? 'duplicate' : 'accepted' });
  }
  if (!accepted.length && !latest.size) return;
  for (const e of latest.values()) noteStatus(statuses, e.device.association_id, e.device.id, true, recorded!.at, e.data as Heartbeat);
  for (const id of latest.keys()) seen.add(id);
  for (const e of accepted) seen.add(e.device.id);

  // Homes: activity as a batch; answers and acknowledgements (rare) one by one, in order.
  const activities: ActivityEvent[] = accepted
    .filter((e) => e.kind === 'activity' && e.device.household_id)
    .map((e) => {
      const a = e.data as { type: 'presence' | 'button' | 'voice'; count?: number; button?: string };
      return { householdId: e.device.household_id!, associationId: e.device.association_id, at: at(e), type: a.type, count: a.count, button: a.button };
    });
  if (activities.length) await ctx.handlers.activity(tx, activities);
  const presses: (Known & { device: { household_id: string } })[] = [];
  for (const e of accepted) {
    if ((e.kind === 'answer' || e.kind === 'ack') && e.device.household_id) presses.push(e as (typeof presses)[number]);
    else verdicts.push({ message: e.message, outcome: 'accepted' });
  }
  // Presses lock rows shared by a 班 (a drill's per-班 counters, kept by triggers on
  // drill_targets, until the batch commits). Lanes commit batches at once, so each applies
  // its presses in one order — by the household's 班, then the household (stable: a
  // household's own presses keep their arrival order) — and two batches answering homes of
  // 班 A and B never each hold one counter while waiting for the other's (a deadlock: the
  // whole batch retried).
  presses.sort((a, b) => compare(a.device.block_id, b.device.block_id) || compare(a.device.household_id, b.device.household_id));
  for (const e of presses) {
    const householdId = e.device.household_id;
    if (e.kind === 'answer' && !(e.data as Answer).promptKind) {
      // Counted whether or not it applies, once committed: the fallback's use, so it can be retired.
      tx.afterCommit(() => ctx.metrics.mqttAnswersWithoutKind.inc());
    }
    // The press's effect under a savepoint: one that does not apply is undone alone, and
    // the message stays stored (it was in the INSERT above) without effect.
    const notApplicable = await underSavepoint(tx, async () => {
      if (e.kind === 'answer') {
        const answer = e.data as Answer;
        await ctx.handlers.answer(tx, { householdId, associationId: e.device.association_id, promptId: answer.promptId, promptKind: answer.promptKind, button: answer.button, at: at(e) });
      } else {
        await ctx.handlers.ack(tx, { deviceId: e.device.id, householdId, messageId: (e.data as { messageId: string }).messageId });
      }
    });
    if (notApplicable) verdicts.push({ message: e.message, outcome: 'rejected', reason: `${e.kind}_not_applicable`, detail: notApplicable.message });
    else verdicts.push({ message: e.message, outcome: 'accepted' });
  }
}

const compare = (a: string | null, b: string | null) => (a === b ? 0 : (a ?? '') < (b ?? '') ? -1 : 1);

/** Each device's latest status in a batch, by association. */
type Statuses = Map<string, Map<string, DeviceStatus>>;

function noteStatus(statuses: Statuses, associationId: string, deviceId: string, online: boolean, lastSeenAt: Date | null, heartbeat: Heartbeat | null) {
  let devices = statuses.get(associationId);
  if (!devices) statuses.set(associationId, (devices = new Map()));
  devices.set(deviceId, { deviceId, online, lastSeenAt: lastSeenAt?.toISOString() ?? null, battery: heartbeat?.battery ?? null });
}

/**
 * A device's live status reaches officers at once when it goes online or offline, and
 * otherwise at most every STATUS_EVERY_MS; and a batch's statuses go out as one event per
 * association, carrying the list. A fleet's heartbeats would else be one socket event per
 * device per batch, each a cross-instance NOTIFY and a watch-board refetch in every
 * officer's browser. The database has every heartbeat; pages load it from there.
 */
const STATUS_EVERY_MS = 15_000;
const lastStatus = new WeakMap<object, Map<string, { at: number; online: boolean }>>();

function publishStatuses(ctx: DeviceUplinkContext, statuses: Statuses) {
  let sent = lastStatus.get(ctx.realtime);
  if (!sent) lastStatus.set(ctx.realtime, (sent = new Map()));
  const now = Date.now();
  for (const [associationId, devices] of statuses) {
    const due: DeviceStatus[] = [];
    for (const status of devices.values()) {
      const previous = sent.get(status.deviceId);
      if (previous && previous.online === status.online && now - previous.at < STATUS_EVERY_MS) continue;
      sent.set(status.deviceId, { at: now, online: status.online });
      due.push(status);
    }
    if (due.length) ctx.realtime.deviceStatus(associationId, due);
  }
}

/** When a heartbeat's boot began by the device's clock (ms): its time less its uptime. */
const bootBegan = (hb: Heartbeat) => Date.parse(hb.ts) - hb.uptimeSeconds * 1000;
