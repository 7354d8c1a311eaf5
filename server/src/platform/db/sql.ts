import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * `column = any($1::uuid[])`: "is one of these ids" with the whole list as one parameter. An
 * empty list matches nothing (no placeholder id needed, unlike `in ()`, which is invalid SQL),
 * and a list of 10,000 ids is still one parameter, not 10,000.
 */
export function isAnyOf(column: string, ids: readonly string[]): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} = any(${ids}::uuid[])`;
}

/** An id that no row has: for comparing with an optional id (`household_id = NO_ID` matches nothing). */
export const NO_ID = '00000000-0000-0000-0000-000000000000';
