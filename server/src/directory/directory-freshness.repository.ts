import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { entryToday } from './directory-time.js';

/**
 * The SQL of the directory's freshness: marking entries stale, hiding them after a grace period,
 * and bringing them back when reconfirmed. Each entry's day is its own: `at` in the time zone of
 * the association that added it (a city-wide entry's: the deployment's default), so an entry of
 * an association in Honolulu goes stale on Honolulu's day, not Tokyo's. Each marking writes its
 * audit row in the same statement (set-based: one INSERT however many entries).
 */

/** Published entries past their reconfirm period on their day at `at` become stale, audited; how many. */
export async function markStale(db: Db, at: Date) {
  const { rows } = await sql<{ n: number }>`
    with marked as (
      update directory_services s set status = 'stale', stale_since = ${entryToday(at)}, updated_at = now()
      where s.status = 'published' and s.last_confirmed_on <= ${entryToday(at)} - make_interval(months => s.reconfirm_months)
      returning s.id, s.stale_since
    ), audited as (
      insert into directory_audit (action, subject, detail)
      select 'directory.service.stale', id, jsonb_build_object('on', to_char(stale_since, 'YYYY-MM-DD')) from marked
    )
    select count(*)::int as n from marked`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Stale entries still unconfirmed `graceMonths` after they went stale (on their day at `at`) are hidden, audited; how many. */
export async function hideStale(db: Db, at: Date, graceMonths: number) {
  const { rows } = await sql<{ n: number }>`
    with marked as (
      update directory_services s set status = 'hidden', updated_at = now()
      where s.status = 'stale' and s.stale_since <= ${entryToday(at)} - make_interval(months => ${graceMonths})
      returning s.id, to_char(${entryToday(at)}, 'YYYY-MM-DD') as on
    ), audited as (
      insert into directory_audit (action, subject, detail)
      select 'directory.service.hide_stale', id, jsonb_build_object('on', "on") from marked
    )
    select count(*)::int as n from marked`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Published, still-current entries whose reconfirm date is at most `days` days after their day
 * at `at` and not yet reminded for that date: marked reminded (the once-only marker) and
 * audited; the ids and dates.
 */
export async function markReminded(db: Db, at: Date, days: number) {
  const { rows } = await sql<{ id: string; confirm_by: string; on: string }>`
    with due as (
      select s.id, (s.last_confirmed_on + make_interval(months => s.reconfirm_months))::date as confirm_by, ${entryToday(at)} as today
      from directory_services s where s.status = 'published'
    ), marked as (
      update directory_services s set reminded_for = d.confirm_by
      from due d
      where s.id = d.id and d.confirm_by > d.today and d.confirm_by <= d.today + ${days}::int
        and s.reminded_for is distinct from d.confirm_by
      returning s.id, to_char(d.confirm_by, 'YYYY-MM-DD') as confirm_by, to_char(d.today, 'YYYY-MM-DD') as on
    ), audited as (
      insert into directory_audit (action, subject, detail)
      select 'directory.service.remind', id, jsonb_build_object('on', "on", 'confirmBy', confirm_by) from marked
    )
    select id, confirm_by, "on" from marked`.execute(db);
  return rows;
}

/** A reconfirmed entry the job had made stale or hidden is published again (an editor's own hiding stays). */
export function restoreFresh(db: Db, id: string) {
  return db.updateTable('directory_services').set({ status: 'published', stale_since: null })
    .where('id', '=', id).where('stale_since', 'is not', null).where('status', 'in', ['stale', 'hidden']).execute();
}

const AT = new Date('2026-12-01T00:00:00Z');
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'markStale', run: (db) => markStale(db, AT) },
  { name: 'hideStale', run: (db) => hideStale(db, AT, 1) },
  { name: 'markReminded', run: (db) => markReminded(db, AT, 30) },
  { name: 'restoreFresh', run: (db) => restoreFresh(db, '11111111-1111-4111-8111-111111111111') },
];
