import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';

/** The SQL of reach.ts: who in these households can be pushed to, and which speakers can be spoken to. */

/** The members of these households who have a login (only they can have subscribed a browser). */
export function loginsInHouseholds(db: Db, householdIds: readonly string[]) {
  return db.selectFrom('people').select('id').where(isAnyOf('household_id', householdIds)).where('password_hash', 'is not', null).execute();
}

/** The live speakers of these households; with `speakerChannelOnly`, only where the household chose the speaker channel. */
export function liveSpeakersInHouseholds(db: Db, householdIds: readonly string[], speakerChannelOnly: boolean) {
  return db
    .selectFrom('devices')
    .innerJoin('households', 'households.id', 'devices.household_id')
    .select(['devices.id', 'devices.association_id'])
    .where(isAnyOf('devices.household_id', householdIds))
    .where('devices.revoked_at', 'is', null)
    .$if(speakerChannelOnly, (q) => q.where(sql<boolean>`'speaker' = any(households.channels)`))
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'loginsInHouseholds', run: (db) => loginsInHouseholds(db, [ID]) },
  { name: 'liveSpeakersInHouseholds — every live speaker', run: (db) => liveSpeakersInHouseholds(db, [ID], false) },
  { name: 'liveSpeakersInHouseholds — the speaker channel only', run: (db) => liveSpeakersInHouseholds(db, [ID], true) },
];
