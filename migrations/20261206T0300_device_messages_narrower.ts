import { sql, type Kysely } from 'kysely';

/**
 * device_messages without association_id: a device belongs to one association for good, so the
 * column repeated `devices.association_id` in every stored uplink (16 bytes a row, and an array
 * of ids parsed per batch) and no query read it — the retention delete reads received_at, and
 * anything wanting a message's association joins its device. Dropping a column only marks it
 * gone (no rewrite); old rows give the space back as the retention deletes them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table device_messages drop column association_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table device_messages add column association_id uuid;
    update device_messages m set association_id = d.association_id from devices d where d.id = m.device_id;
    delete from device_messages where association_id is null;
    alter table device_messages alter column association_id set not null;
  `.execute(db);
}
