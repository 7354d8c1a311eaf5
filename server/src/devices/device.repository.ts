import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';

export function listDevices(db: Db, associationId: string) {
  return db
    .selectFrom('devices')
    .leftJoin('households', 'households.id', 'devices.household_id')
    .select([
      'devices.id', 'devices.label', 'devices.household_id', 'households.name as household_name', 'devices.online',
      'devices.revoked_at', 'devices.last_seen_at', 'devices.last_heartbeat', 'devices.credentials_issued_at', 'devices.association_id',
    ])
    .where('devices.association_id', '=', associationId)
    .orderBy('devices.revoked_at', (ob) => ob.nullsFirst())
    .orderBy('devices.label')
    .execute();
}

export type DeviceRow = Awaited<ReturnType<typeof listDevices>>[number];

export async function findDevice(db: Db, id: string) {
  return db
    .selectFrom('devices')
    .leftJoin('households', 'households.id', 'devices.household_id')
    .select([
      'devices.id', 'devices.label', 'devices.household_id', 'households.name as household_name', 'devices.online',
      'devices.revoked_at', 'devices.last_seen_at', 'devices.last_heartbeat', 'devices.credentials_issued_at', 'devices.association_id',
    ])
    .where('devices.id', '=', id)
    .executeTakeFirst();
}

/** What the broker needs to authenticate a connection: only live devices. */
export function findDeviceSecret(db: Db, id: string) {
  return db
    .selectFrom('devices')
    .select(['id', 'association_id', 'secret_hash'])
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export function liveDeviceSecrets(db: Db) {
  return db.selectFrom('devices').select(['id', 'association_id', 'secret_hash']).where('revoked_at', 'is', null).orderBy('id').execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'listDevices', run: (db) => listDevices(db, ID) },
  { name: 'findDevice', run: (db) => findDevice(db, ID) },
  { name: 'findDeviceSecret', run: (db) => findDeviceSecret(db, ID) },
  { name: 'liveDeviceSecrets', run: (db) => liveDeviceSecrets(db) },
];
