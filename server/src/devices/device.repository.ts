import { sql, type Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import { isAnyOf } from '../platform/db/sql.js';
import { PREPARED } from '../platform/db/prepared.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import type { Heartbeat } from '../../../devices/src/protocol.js';

/** A device as officers see it: with its household's name. */
function devicesWithHousehold(db: Db) {
  return db
    .selectFrom('devices')
    .leftJoin('households', 'households.id', 'devices.household_id')
    .select([
      'devices.id', 'devices.label', 'devices.household_id', 'households.name as household_name', 'devices.online',
      'devices.revoked_at', 'devices.last_seen_at', 'devices.last_heartbeat', 'devices.credentials_issued_at', 'devices.association_id',
    ]);
}

export function listDevices(db: Db, associationId: string) {
  return devicesWithHousehold(db)
    .where('devices.association_id', '=', associationId)
    .orderBy('devices.revoked_at', (ob) => ob.nullsFirst())
    .orderBy('devices.label')
    .execute();
}

export type DeviceRow = Awaited<ReturnType<typeof listDevices>>[number];

export async function findDevice(db: Db, id: string) {
  return devicesWithHousehold(db).where('devices.id', '=', id).executeTakeFirst();
}

/** What the broker needs to authenticate a connection: only live devices. */
export function findDeviceSecret(db: Db, id: string) {
  return db
    .selectFrom('devices')
    .select(['id', 'association_id', 'secret_hash'])
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export function liveDeviceSecrets(db: Db) {
  return db.selectFrom('devices').select(['id', 'association_id', 'secret_hash']).where('revoked_at', 'is', null).orderBy('id').execute();
}

/** Registers a speaker (its secret only as a hash). */
export function insertDevice(db: Db, device: { associationId: string; householdId: string | null; label: string; secretHash: string }) {
  return db
    .insertInto('devices')
    .values({ association_id: device.associationId, household_id: device.householdId, label: device.label, secret_hash: device.secretHash, credentials_issued_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export function setDeviceSecret(db: Db, id: string, secretHash: string) {
  return db.updateTable('devices').set({ secret_hash: secretHash, credentials_issued_at: new Date() }).where('id', '=', id).execute();
}

export function revokeDeviceRow(db: Db, id: string) {
  return db.updateTable('devices').set({ revoked_at: new Date(), online: false }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Whether the household is one of the association's (a device may be placed only there). */
export function findHouseholdOf(db: Db, associationId: string, householdId: string) {
  return db.selectFrom('households').select('id').where('id', '=', householdId).where('association_id', '=', associationId).executeTakeFirst();
}

/** A household with a speaker can be reached through it: adds the speaker channel once. */
export function addSpeakerChannel(db: Db, householdId: string) {
  return db
    .updateTable('households')
    .set((eb) => ({ channels: eb.fn('array_append', ['channels', eb.val('speaker')]) }))
    .where('id', '=', householdId)
    .where((eb) => eb.not(eb(eb.val('speaker'), '=', eb.fn.any('channels'))))
    .execute();
}

// ── Uplinks (device.uplinks.ts): each runs in the ingest batch's transaction ──────────────

/**
 * The live devices among these ids, with where they belong. Held until the batch commits: none
 * of its devices is deleted under its messages (device_messages keeps no foreign key;
 * migrations/20261203T0500_device_messages_device_check.ts). FOR KEY SHARE does not hold off a
 * revocation (an UPDATE): the batch's UPDATE of the devices checks that again
 * (recordHeartbeats, markDevicesHeard; device.uplinks.ts storeEvents). Without this lock (the
 * UPDATE alone holding the devices, its misses' messages taken back) a batch wrote 21% fewer
 * WAL records but cost PostgreSQL's backend 10% more CPU per message, in four measured pairs
 * (test/ingest-batch-cost.test.ts): kept.
 */
export function liveDevices(trx: Transaction<Database>, ids: readonly string[]) {
  return trx
    .selectFrom('devices')
    .leftJoin('households', 'households.id', 'devices.household_id')
    .select(['devices.id', 'devices.association_id', 'devices.household_id', 'households.block_id'])
    .where(isAnyOf('devices.id', ids))
    .where('devices.revoked_at', 'is', null)
    .forKeyShare('devices')
    .modifyEnd(PREPARED)
    .execute();
}

/** A device's online status from its status message; a last will says when it vanished, not that it was heard from. */
export function setDeviceOnline(trx: Transaction<Database>, id: string, online: boolean) {
  return trx
    .updateTable('devices')
    .set(online ? { online, last_seen_at: sql`now()` } : { online })
    .where('id', '=', id)
    .returning(['last_seen_at', 'last_heartbeat'])
    .executeTakeFirstOrThrow();
}

/**
 * A device is "heard from" to the second in `last_seen_at`: within the second the column keeps
 * its value. last_seen_at is not indexed (migrations/20261209T0300_devices_last_seen_unindexed.ts),
 * nor is anything else ingest writes, so the heartbeat updates stay on the page (HOT) instead
 * of adding an entry to each of devices' indexes.
 */
const HEARD_NOW = sql<Date>`case when last_seen_at > now() - interval '1 second' then last_seen_at else now() end`;

/** A PostgreSQL array literal of values that need no quoting (uuids, integers, ISO 8601 timestamps, kinds). */
const bareArray = (values: readonly (string | number)[]) => `{${values.join(',')}}`;
/** A PostgreSQL array literal of any strings: each one quoted, `\` and `"` escaped (most have neither). */
const quotedArray = (values: readonly string[]) =>
  `{${values.map((v) => (v.includes('"') || v.includes('\\') ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`)).join(',')}}`;

/**
 * Every event once (idempotent on device, boot id and seq). One array per column, zipped by
 * ROWS FROM, so a batch of thousands of events is six parameters, not six per event, each
 * array written as its literal here (the values are checked: ids and times need no quoting)
 * rather than escaped element by element by the driver. The payloads go as one JSON array. A
 * repeat within the batch conflicts with its first copy and is skipped like a stored one.
 *
 * Returns null when every row was new — the usual case, so nothing comes back but a count —
 * and otherwise the keys (`device|boot|seq`) of the rows that were.
 */
export async function insertDeviceMessages(
  trx: Transaction<Database>,
  rows: { device_id: string; boot_id: string; seq: number; kind: string; sent_at: string; payload: object }[],
): Promise<Set<string> | null> {
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((r) => r[key]);
  const { rows: result } = await sql<{ n: number; keys: string[] | null }>`
    with inserted as (
      insert into device_messages (device_id, boot_id, seq, kind, sent_at, payload)
      select * from rows from (
        unnest(${bareArray(column('device_id'))}::uuid[]), unnest(${quotedArray(column('boot_id'))}::text[]), unnest(${bareArray(column('seq'))}::bigint[]),
        unnest(${bareArray(column('kind'))}::text[]), unnest(${bareArray(column('sent_at'))}::timestamptz[]),
        jsonb_array_elements(${JSON.stringify(column('payload'))}::jsonb))
      on conflict (device_id, boot_id, seq) do nothing
      returning device_id, boot_id, seq)
    select n, case when n < ${rows.length}::int then (select array_agg(device_id || '|' || boot_id || '|' || seq) from inserted) end as keys
    from (select count(*)::int as n from inserted) c ${PREPARED}`.execute(trx);
  const keys = result[0]?.keys;
  return keys ? new Set(keys) : result[0]!.n < rows.length ? new Set() : null;
}

/**
 * The devices' latest heartbeats, one statement for the batch; they are online and heard from
 * now (to the second: HEARD_NOW). A heartbeat is state, not a logged event (it has no row in
 * device_messages): applying one twice is applying it once, as long as an older one never
 * replaces a newer one. So the statement itself is its once-only check:
 *  - of the boot already stored, a seq not above the stored one is a redelivery (or older):
 *    the device is left as it is — not even "heard from" — and its id comes back as stale;
 *  - of another boot, it is the device's newer boot (it restarted, seq began again) when that
 *    boot began no earlier than the stored one (ts − uptimeSeconds: a clock corrected at the
 *    reboot moves ts, not where the boot began by much): heard from, and it replaces the
 *    stored heartbeat; else it is an old boot's message delivered again after the new boot's
 *    (e.g. by a second instance that held it unacknowledged): left as it is, stale. An old
 *    boot's heartbeat must not mark a dead speaker online nor close its alert.
 * A device heard from in the batch only by other kinds (`hb` null) is marked heard, its
 * heartbeat left as it is: one statement for every device of the batch. Only a live device is
 * updated, decided on its row as it is when locked (a revocation committed since the batch's
 * read is seen here), and the row stays locked until the batch commits (see
 * device.uplinks.ts storeEvents). Nothing per device comes back in the usual case (every
 * device updated), only the transaction's time: when they were heard; else the ids of the
 * devices left as they were (`missed`: a stale heartbeat, or no longer live).
 */
export async function recordHeartbeats(trx: Transaction<Database>, devices: { id: string; hb: Heartbeat | null }[]): Promise<{ at: Date; missed: Set<string> | null }> {
  const { rows } = await sql<{ now: Date; missed: string[] | null }>`
    with v as (select * from jsonb_to_recordset(${JSON.stringify(devices)}::jsonb) as v(id uuid, hb jsonb)),
    updated as (
      update devices d set online = true, last_seen_at = ${HEARD_NOW}, last_heartbeat = coalesce(v.hb, d.last_heartbeat)
      from v
      where d.id = v.id and d.revoked_at is null
        and (v.hb is null or d.last_heartbeat is null
          or (d.last_heartbeat->>'bootId' = v.hb->>'bootId' and (v.hb->>'seq')::bigint > (d.last_heartbeat->>'seq')::bigint)
          or (d.last_heartbeat->>'bootId' is distinct from v.hb->>'bootId' and coalesce(
            (v.hb->>'ts')::timestamptz - (v.hb->>'uptimeSeconds')::bigint * interval '1 second'
              >= (d.last_heartbeat->>'ts')::timestamptz - (d.last_heartbeat->>'uptimeSeconds')::bigint * interval '1 second', true)))
      returning d.id)
    select now() as now, case when (select count(*) from updated) < ${devices.length}::int
      then array(select id from v except select id from updated) end as missed ${PREPARED}`.execute(trx);
  const { now, missed } = rows[0]!;
  return { at: now, missed: missed ? new Set(missed) : null };
}

/**
 * Devices heard from by anything but a heartbeat, whose heartbeat in the same batch was stale
 * (rare): online, seen now (to the second), locked as recordHeartbeats' are. Returns the ids
 * updated: the others are no longer live.
 */
export async function markDevicesHeard(trx: Transaction<Database>, ids: readonly string[]): Promise<Set<string>> {
  const rows = await trx
    .updateTable('devices')
    .set({ online: true, last_seen_at: HEARD_NOW })
    .where(isAnyOf('id', ids))
    .where('revoked_at', 'is', null)
    .returning('id')
    .modifyEnd(PREPARED)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Takes back messages this batch stored for devices it then found revoked (rare: a revocation
 * committed between the batch's read of its devices and its UPDATE of them). By their keys:
 * every one was inserted by this transaction, and a revoked device's earlier messages stay.
 */
export async function withdrawDeviceMessages(trx: Transaction<Database>, keys: { device_id: string; boot_id: string; seq: number }[]) {
  await sql`
    delete from device_messages m
    using rows from (unnest(${keys.map((k) => k.device_id)}::uuid[]), unnest(${keys.map((k) => k.boot_id)}::text[]), unnest(${keys.map((k) => k.seq)}::bigint[])) as k(device_id, boot_id, seq)
    where m.device_id = k.device_id and m.boot_id = k.boot_id and m.seq = k.seq`.execute(trx);
}

const ID = '11111111-1111-4111-8111-111111111111';
const inTransaction = (db: Db, run: (trx: Transaction<Database>) => Promise<unknown>) => db.transaction().execute(run);
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'listDevices', run: (db) => listDevices(db, ID) },
  { name: 'findDevice', run: (db) => findDevice(db, ID) },
  { name: 'findDeviceSecret', run: (db) => findDeviceSecret(db, ID) },
  { name: 'liveDeviceSecrets', run: (db) => liveDeviceSecrets(db) },
  { name: 'insertDevice', run: (db) => insertDevice(db, { associationId: ID, householdId: ID, label: '玄関スピーカー', secretHash: '$7$…' }) },
  { name: 'setDeviceSecret', run: (db) => setDeviceSecret(db, ID, '$7$…') },
  { name: 'revokeDeviceRow', run: (db) => revokeDeviceRow(db, ID) },
  { name: 'findHouseholdOf', run: (db) => findHouseholdOf(db, ID, ID) },
  { name: 'addSpeakerChannel', run: (db) => addSpeakerChannel(db, ID) },
  { name: 'liveDevices', run: (db) => inTransaction(db, (trx) => liveDevices(trx, [ID])) },
  { name: 'setDeviceOnline — online (status on connect)', run: (db) => inTransaction(db, (trx) => setDeviceOnline(trx, ID, true)) },
  { name: 'setDeviceOnline — offline (last will)', run: (db) => inTransaction(db, (trx) => setDeviceOnline(trx, ID, false)) },
  {
    name: 'insertDeviceMessages',
    run: (db) => inTransaction(db, (trx) => insertDeviceMessages(trx, [{ device_id: ID, boot_id: 'boot-1', seq: 1, kind: 'activity', sent_at: '2026-01-01T00:00:00Z', payload: {} }])),
  },
  {
    name: 'recordHeartbeats',
    run: (db) =>
      inTransaction(db, (trx) =>
        recordHeartbeats(trx, [
          { id: ID, hb: { bootId: 'boot-1', seq: 1, ts: '2026-01-01T00:00:00Z', uptimeSeconds: 60, power: 'mains', battery: 80, signal: -60, firmware: '1.0.0' } },
          { id: '22222222-2222-4222-8222-222222222222', hb: null },
        ]),
      ),
  },
  { name: 'markDevicesHeard', run: (db) => inTransaction(db, (trx) => markDevicesHeard(trx, [ID])) },
  { name: 'withdrawDeviceMessages', run: (db) => inTransaction(db, (trx) => withdrawDeviceMessages(trx, [{ device_id: ID, boot_id: 'boot-1', seq: 1 }])) },
];
