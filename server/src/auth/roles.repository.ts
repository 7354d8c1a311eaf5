import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../platform/db/schema.js';

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
