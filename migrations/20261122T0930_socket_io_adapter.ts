import { sql, type Kysely } from 'kysely';

/**
 * Socket.IO's PostgreSQL adapter relays broadcasts between server instances with
 * NOTIFY; payloads too large for NOTIFY go through this table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table socket_io_attachments (
      id bigserial unique,
      created_at timestamptz default now(),
      payload bytea
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table socket_io_attachments`.execute(db);
}
