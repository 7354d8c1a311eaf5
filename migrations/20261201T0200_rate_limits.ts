import { sql, type Kysely } from 'kysely';

/**
 * Attempt counters for login and passcode rate limits, shared by every instance: a limit
 * kept in one process's memory is multiplied by the number of instances behind the load
 * balancer. One row per key (the SHA-256 of a normalised login identity or a client address: no email
 * or phone number is stored) and fixed
 * window; the row is updated in place by one upsert, so concurrent attempts count exactly.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rate_limits (
      key text primary key,
      window_started_at timestamptz not null default now(),
      hits integer not null default 0
    );
    create index rate_limits_window_started_at_idx on rate_limits (window_started_at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rate_limits`.execute(db);
}
