import { sql, type Kysely } from 'kysely';

/**
 * circular_recipients_unread_idx (circular_id, block_id) WHERE acknowledged_at IS NULL repeats
 * the keys of circular_recipients_progress_idx (circular_id, block_id), which carries
 * acknowledged_at in its INCLUDE: the unread of a circular or of one 班 (unreadHouseholds,
 * insertUnreadCircularTasks, reminders) are found there as fast. Every recipient row is unread
 * when written, so publishing to 10,000 households wrote 10,000 entries into both; now one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists circular_recipients_unread_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists circular_recipients_unread_idx on circular_recipients (circular_id, block_id) where acknowledged_at is null`.execute(db);
}
