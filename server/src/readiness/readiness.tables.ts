import type { ColumnType } from 'kysely';

/**
 * What readiness adds to a table of roster: when a person got their way in (set by a trigger
 * when a password is first stored, cleared when it is removed; migrations/20261202T0100_login_since.ts).
 */
declare module '../roster/roster.tables.js' {
  interface PersonTable {
    login_since: ColumnType<Date | null, never, never>;
  }
}
