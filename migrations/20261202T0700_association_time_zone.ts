import { sql, type Kysely } from 'kysely';

/**
 * Each association's time zone (an IANA name; the API checks it against Intl): the zone of
 * every time shown, exported or put in a file name. Asia/Tokyo for every association so far.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table associations add column time_zone text not null default 'Asia/Tokyo' check (length(time_zone) between 1 and 64)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table associations drop column time_zone`.execute(db);
}
