import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { DEFAULT_TIME_ZONE } from './local-time.js';

/** The association's own settings that several capabilities read: its name, time zone and 班. */

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

/**
 * The association's 班 (or these of them, those that are its own), in their order: THE read of
 * an association's 班 and their names outside the roster's own pages (roster.repository.ts
 * listBlocks adds captains and counts). Ids of another association's 班 are not found.
 */
export function blocksOf(db: Db, associationId: string, blockIds?: readonly string[]) {
  return db
    .selectFrom('blocks')
    .select(['id', 'name'])
    .where('association_id', '=', associationId)
    .$if(!!blockIds, (q) => q.where(isAnyOf('id', blockIds!)))
    .orderBy('sort_order')
    .orderBy('name')
    .execute();
}

/** One 班 of the association (its name), or undefined when it is not the association's. */
export async function blockOf(db: Db, associationId: string, blockId: string) {
  return (await blocksOf(db, associationId, [blockId]))[0];
}

const ID = '11111111-1111-4111-8111-111111111111';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'associationName', run: (db) => associationName(db, ID) },
  { name: 'associationTimeZone', run: (db) => associationTimeZone(db, ID) },
  { name: 'setAssociationTimeZone', run: (db) => setAssociationTimeZone(db, ID, 'Asia/Tokyo') },
  { name: 'blocksOf', run: (db) => blocksOf(db, ID) },
  { name: 'blockOf', run: (db) => blockOf(db, ID, ID) },
];
