import { sql, type Kysely } from 'kysely';

/**
 * device_messages.device_id without a foreign key: the key's check was one trigger call and one
 * `SELECT … FOR KEY SHARE` on devices per stored message — about a third of the batch
 * INSERT's time in PostgreSQL (EXPLAIN ANALYZE of a 2,500-message batch). The same integrity,
 * kept per batch instead of per message:
 * - a message is stored only for a device the batch read in its own transaction, live and of
 *   the message's association, and that read locks the devices FOR KEY SHARE
 *   (devices/device.repository.ts liveDevices) — once per device per batch — so none can be
 *   deleted until the batch has committed;
 * - deleting devices deletes their messages (the ON DELETE CASCADE), by this statement-level
 *   trigger from the deleted rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table device_messages drop constraint device_messages_device_id_fkey;
    create function device_messages_cascade() returns trigger language plpgsql as $$
    begin
      delete from device_messages m using gone g where m.device_id = g.id;
      return null;
    end $$;
    create trigger devices_delete_messages after delete on devices
      referencing old table as gone for each statement execute function device_messages_cascade();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger devices_delete_messages on devices;
    drop function device_messages_cascade();
    delete from device_messages m where not exists (select from devices d where d.id = m.device_id);
    alter table device_messages add constraint device_messages_device_id_fkey foreign key (device_id) references devices(id) on delete cascade;
  `.execute(db);
}
