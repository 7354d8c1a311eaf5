import { sql, type Kysely } from 'kysely';

/**
 * Idempotency keys of state-changing requests that keep a history (a drill answer, a
 * circular answer): the web app sends one key per user action and the same key on every
 * retry, so an answer retried after a lost response or an outage is stored once. The key is
 * written in the same transaction as the answer; the primary key makes a concurrent retry wait
 * for the first and then find it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table request_keys (
      person_id uuid not null,
      association_id uuid not null,
      key uuid not null,
      action text not null,
      created_at timestamptz not null default now(),
      primary key (person_id, key),
      foreign key (person_id, association_id) references people(id, association_id) on delete cascade
    );
    create index request_keys_created_at_idx on request_keys (created_at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table request_keys`.execute(db);
}
