import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { DEFAULT_TIME_ZONE } from './local-time.js';

/** The association's own settings that several capabilities read: its name and time zone. */

/** The association's name: a circular's printed head; a municipal shelter list names the associations a site serves. */
export async function associationName(db: Db, associationId: string): Promise<string> {
  const row = await db.selectFrom('associations').select('name').where('id', '=', associationId).executeTakeFirst();
  return row?.name ?? '';
}

/** The association's IANA time zone: the zone of every time shown, exported or put in a file name. */
export async function associationTimeZone(db: Db, associationId: string): Promise<string> {
  const row = await db.selectFrom('associations').select('time_zone').where('id', '=', associationId).executeTakeFirst();
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}

/** Sets the association's time zone (already checked against Intl at the door). */
export function setAssociationTimeZone(db: Db, associationId: string, timeZone: string) {
  return db.updateTable('associations').set({ time_zone: timeZone }).where('id', '=', associationId).execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'associationName', run: (db) => associationName(db, ID) },
  { name: 'associationTimeZone', run: (db) => associationTimeZone(db, ID) },
  { name: 'setAssociationTimeZone', run: (db) => setAssociationTimeZone(db, ID, 'Asia/Tokyo') },
];
