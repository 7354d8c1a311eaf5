import { sql, type Kysely } from 'kysely';

/**
 * device_messages (kind, received_at) is read by no query (the retention delete uses
 * received_at's own index; a device's messages are read by the primary key), yet every stored
 * message paid for its entry: one B-tree insertion per message on the ingest's hot path.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists device_messages_kind_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists device_messages_kind_idx on device_messages (kind, received_at)`.execute(db);
}
