import { sql } from 'kysely';
import { DEFAULT_TIME_ZONE } from '../common/local-time.js';

/** SQL fragments for a directory entry's own day (used by the directory's repositories; `s` is the service). */

/**
 * The time zone an entry's days are counted in: its association's (the one that added it); a
 * city-wide entry's (no association), the deployment's default. `s` is the service.
 */
export const entryTimeZone = sql<string>`coalesce((select z.time_zone from associations z where z.id = s.created_by_association_id), ${DEFAULT_TIME_ZONE})`;
/** The entry's today at `at` (default: now), in its time zone. */
export const entryToday = (at?: Date) => sql<string>`((${at ?? sql`now()`}::timestamptz at time zone ${entryTimeZone})::date)`;
