import { sql, type Kysely } from 'kysely';

/**
 * Whether a trigger's intensity is 震度５弱以上未入電 counted as 5弱 (no intensity received for a
 * city of the area): the event it starts is titled 「… 震度5弱以上（未入電）」, not 「震度5弱」.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table quake_triggers add column unreceived boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table quake_triggers drop column unreceived`.execute(db);
}
