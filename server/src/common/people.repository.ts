import { sql, type ExpressionBuilder } from 'kysely';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import type { Database } from '../platform/db/schema.js';
import type { Db } from '../platform/db/database.js';
import { isAnyOf } from '../platform/db/sql.js';

/**
 * People and roles as several capabilities need them: which roles are held today (terms
 * begin and end, 班長 rotate yearly) and who the members of a household are.
 */

/**
 * A role held today: its term has begun and not ended. Roles have terms because 班長 rotate
 * every year; the past terms stay for the record.
 */
export function heldToday(eb: ExpressionBuilder<Database, 'role_assignments'>) {
  return eb.and([
    eb('role_assignments.starts_on', '<=', sql<string>`current_date`),
    eb.or([eb('role_assignments.ends_on', 'is', null), eb('role_assignments.ends_on', '>=', sql<string>`current_date`)]),
  ]);
}

/** A household member as lists show them; family living elsewhere do not make a home "not alone". */
export interface Member {
  name: string;
  phone: string | null;
  livesElsewhere: boolean;
}

/**
 * The members of these households (name and phone, and whether they are family living
 * elsewhere), oldest first: for captains' lists and alerts.
 */
export async function membersOf(db: Db, householdIds: string[]) {
  if (!householdIds.length) return new Map<string, Member[]>();
  const people = await db
    .selectFrom('people')
    .select(['household_id', 'name', 'phone', 'lives_elsewhere'])
    .where(isAnyOf('household_id', householdIds))
    .orderBy('created_at')
    .execute();
  const byHousehold = new Map<string, Member[]>();
  for (const p of people) {
    const list = byHousehold.get(p.household_id!) ?? [];
    list.push({ name: p.name, phone: p.phone, livesElsewhere: p.lives_elsewhere });
    byHousehold.set(p.household_id!, list);
  }
  return byHousehold;
}

const ID = '11111111-1111-4111-8111-111111111111';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'heldToday', run: (db) => db.selectFrom('role_assignments').select('person_id').where(heldToday).execute() },
  { name: 'membersOf', run: (db) => membersOf(db, [ID]) },
];
