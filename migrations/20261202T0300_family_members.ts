import { sql, type Kysely } from 'kysely';

/**
 * Family living elsewhere (a son in Osaka answering for his mother) can join a household
 * with a login of their own; the household's member list says which members live away, so a
 * 班長 does not knock on the door expecting them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table people add column lives_elsewhere boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table people drop column lives_elsewhere`.execute(db);
}
