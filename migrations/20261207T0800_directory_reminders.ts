import { sql, type Kysely } from 'kysely';

/**
 * Reminders before a directory entry goes stale (issue 14 item 3): `reminded_for` is the
 * reconfirm date the daily job last reminded the entry's organisation and editors of — the
 * once-only marker, set in the same transaction as the reminder's audit row, so a re-run of the
 * job does not remind twice; a reconfirmation moves the date on, and the next period reminds again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table directory_services add column reminded_for date`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table directory_services drop column reminded_for`.execute(db);
}
