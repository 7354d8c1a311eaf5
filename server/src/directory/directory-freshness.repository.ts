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

/**
 * Published, still-current entries whose reconfirm date is at most `days` days after `today`
 * and not yet reminded for that date: marked reminded (the once-only marker); the ids and dates.
 */
export async function markReminded(db: Db, today: string, days: number) {
  const { rows } = await sql<{ id: string; confirm_by: string }>`
    update directory_services s set reminded_for = d.confirm_by
    from (select id, (last_confirmed_on + make_interval(months => reconfirm_months))::date as confirm_by from directory_services where status = 'published') d
    where s.id = d.id and d.confirm_by > ${today}::date and d.confirm_by <= ${today}::date + ${days}::int
      and s.reminded_for is distinct from d.confirm_by
    returning s.id, to_char(s.reminded_for, 'YYYY-MM-DD') as confirm_by`.execute(db);
  return rows;
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
  { name: 'markReminded', run: (db) => markReminded(db, '2026-12-01', 30) },
  { name: 'restoreFresh', run: (db) => restoreFresh(db, '11111111-1111-4111-8111-111111111111') },
];
