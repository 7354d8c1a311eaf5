import { sql, type Kysely } from 'kysely';

/**
 * devices.last_seen_at without an index. Every heartbeat moves it (to the second: a fleet's
 * heartbeat a minute moves it every time), and a moved indexed column makes the update a new
 * entry in each of the table's indexes (five B-trees, not a HOT update): at the ingest bench's
 * rates a third of the heartbeat UPDATEs were, and their index and WAL work the largest part of
 * PostgreSQL's CPU per message. With no indexed column left in what ingest writes (online,
 * last_seen_at, last_heartbeat), its updates stay on the page (fillfactor 80, …T0400).
 * The one reader, the watch scan's silentDevices (once a minute), reads devices by its other
 * conditions: a sequential pass over the live devices, a few milliseconds at 100,000.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index devices_last_seen_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index devices_last_seen_idx on devices (last_seen_at) where revoked_at is null`.execute(db);
}
