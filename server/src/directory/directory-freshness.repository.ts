import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';

/** The SQL of the directory's freshness: marking entries stale, hiding them after a grace period, and bringing them back when reconfirmed. */

/** Published entries past their reconfirm period on `today` become stale; the ids marked. */
export async function markStale(db: Db, today: string) {
  const { rows } = await sql<{ id: string }>`
    update directory_services set status = 'stale', stale_since = ${today}::date, updated_at = now()
    where status = 'published' and last_confirmed_on <= ${today}::date - make_interval(months => reconfirm_months)
    returning id`.execute(db);
  return rows.map((r) => r.id);
}

/** Stale entries still unconfirmed `graceMonths` after they went stale are hidden; the ids hidden. */
export async function hideStale(db: Db, today: string, graceMonths: number) {
  const { rows } = await sql<{ id: string }>`
    update directory_services set status = 'hidden', updated_at = now()
    where status = 'stale' and stale_since <= ${today}::date - make_interval(months => ${graceMonths})
    returning id`.execute(db);
  return rows.map((r) => r.id);
}

/** A reconfirmed entry the job had made stale or hidden is published again (an editor's own hiding stays). */
export function restoreFresh(db: Db, id: string) {
  return db.updateTable('directory_services').set({ status: 'published', stale_since: null })
    .where('id', '=', id).where('stale_since', 'is not', null).where('status', 'in', ['stale', 'hidden']).execute();
}

/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'markStale', run: (db) => markStale(db, '2026-12-01') },
  { name: 'hideStale', run: (db) => hideStale(db, '2026-12-01', 1) },
  { name: 'restoreFresh', run: (db) => restoreFresh(db, '11111111-1111-4111-8111-111111111111') },
];
