import { sql, type Kysely } from 'kysely';

/**
 * Less index work per stored uplink:
 * - device_messages.received_at as a BRIN index instead of a B-tree. Only the nightly retention
 *   delete reads it (`received_at < now() - N days`), and rows arrive in received_at order, so a
 *   summary per range of pages finds the old ones as well; the B-tree cost one insertion per
 *   message on the ingest's hot path, BRIN a summary update per range of pages.
 * - devices with room on each page (fillfactor 80): ingest updates a device's heartbeat several
 *   times a second and, with last_seen_at kept to the second (devices/device.repository.ts
 *   HEARD_NOW), most of those updates change no indexed column and can stay on the page
 *   (HOT updates: no new entry in any of the table's indexes) — when the page has room.
 *   Pages written from now on (a table rewrite, e.g. VACUUM FULL, applies it to all).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index device_messages_received_brin on device_messages using brin (received_at);
    drop index device_messages_received_idx;
    alter table devices set (fillfactor = 80);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table devices reset (fillfactor);
    create index device_messages_received_idx on device_messages (received_at);
    drop index device_messages_received_brin;
  `.execute(db);
}
