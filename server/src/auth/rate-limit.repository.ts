import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';

/**
 * Counts one attempt for a stored key in one upsert, which counts concurrent attempts exactly:
 * a window that ended starts again at 1. Answers the hits in the window and the seconds until
 * it ends.
 */
export async function countAttempt(db: Db, storedKey: string, windowSeconds: number) {
  const row = await sql<{ hits: number; remaining: number }>`
      insert into rate_limits as r (key, window_started_at, hits) values (${storedKey}, now(), 1)
      on conflict (key) do update set
        hits = case when r.window_started_at <= now() - make_interval(secs => ${windowSeconds}) then 1 else r.hits + 1 end,
        window_started_at = case when r.window_started_at <= now() - make_interval(secs => ${windowSeconds}) then now() else r.window_started_at end
      returning hits, ceil(extract(epoch from (window_started_at + make_interval(secs => ${windowSeconds}) - now())))::int as remaining
    `.execute(db);
  return row.rows[0]!;
}

/** Forgets windows that started before `olderThanSeconds` ago. */
export function deleteOldAttempts(db: Db, olderThanSeconds: number) {
  return sql`delete from rate_limits where window_started_at < now() - make_interval(secs => ${olderThanSeconds})`.execute(db);
}

export function deleteAttempts(db: Db, storedKey: string) {
  return db.deleteFrom('rate_limits').where('key', '=', storedKey).execute();
}

/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'countAttempt', run: (db) => countAttempt(db, 'hash', 900) },
  { name: 'deleteOldAttempts', run: (db) => deleteOldAttempts(db, 3600) },
  { name: 'deleteAttempts', run: (db) => deleteAttempts(db, 'hash') },
];
