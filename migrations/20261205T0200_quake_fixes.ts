import { sql, type Kysely } from 'kysely';

/**
 * Reviewed defects of the JMA trigger (docs/architecture.md, "The JMA trigger"): a trigger
 * remembers why it was cancelled (a 訂正 below the threshold may be undone by a later upgrade,
 * a 取消 not) and its round (each time it pends again, a new quake-fire job); a telegram that
 * did not parse as XML (a truncated download) counts its attempts and is fetched again until
 * the limit, then kept as rejected.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table quake_triggers
      add column cancel_reason text check (cancel_reason in ('cancelled', 'corrected_below')),
      add column round integer not null default 1;
    alter table quake_telegrams add column attempts integer not null default 1;
    create index quake_telegrams_event_idx on quake_telegrams (event_id, report_at desc) where event_id is not null;
    create index quake_triggers_pending_idx on quake_triggers (fire_at) where status = 'pending';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index quake_triggers_pending_idx;
    drop index quake_telegrams_event_idx;
    alter table quake_telegrams drop column attempts;
    alter table quake_triggers drop column round, drop column cancel_reason;
  `.execute(db);
}
