import { sql, type Insertable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { isAnyOf } from '../platform/db/sql.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import type { ReferralTable } from './referral.tables.js';

/** The referrals' SQL: always scoped by the association; counts carry no household. */

/**
 * Records a referral once per source and service (a retry, or a second tap, adds nothing):
 * the new row's id, or undefined when it was already recorded.
 */
export async function insertReferral(db: Db, row: Insertable<ReferralTable>) {
  const { rows } = await sql<{ id: string }>`
    insert into referrals (association_id, household_id, block_id, source, watch_alert_id, drill_id, service_id, worries, consent, referred_by)
    values (${row.association_id}, ${row.household_id}, ${row.block_id}, ${row.source}, ${row.watch_alert_id ?? null}, ${row.drill_id ?? null},
            ${row.service_id}, ${row.worries}::text[], ${row.consent}, ${row.referred_by ?? null})
    on conflict do nothing
    returning id`.execute(db);
  return rows[0]?.id;
}

/** The referral already recorded for this source and service. */
export async function findReferral(db: Db, where: { associationId: string; householdId: string; watchAlertId: string | null; drillId: string | null; serviceId: string }) {
  return db.selectFrom('referrals').select('id')
    .where('association_id', '=', where.associationId).where('household_id', '=', where.householdId).where('service_id', '=', where.serviceId)
    .where((eb) => (where.watchAlertId ? eb('watch_alert_id', '=', where.watchAlertId) : eb('drill_id', '=', where.drillId)))
    .executeTakeFirst();
}

/** A household's referrals (or the named ones; or only those `referredBy` made) with their service and who made them, newest first. */
export function referralRows(db: Db, where: { associationId: string; householdId?: string; ids?: string[]; referredBy?: string }) {
  return db.selectFrom('referrals as r')
    .innerJoin('directory_services as s', 's.id', 'r.service_id')
    .innerJoin('directory_organisations as o', 'o.id', 's.organisation_id')
    .leftJoin('people as p', 'p.id', 'r.referred_by')
    .select(['r.id', 'r.created_at', 'r.source', 'r.service_id', 's.name as service_name', 'o.name as organisation', 's.phone', 'r.worries', 'p.name as referred_by'])
    .where('r.association_id', '=', where.associationId)
    .$if(where.householdId !== undefined, (q) => q.where('r.household_id', '=', where.householdId!))
    .$if(where.ids !== undefined, (q) => q.where(isAnyOf('r.id', where.ids!)))
    .$if(where.referredBy !== undefined, (q) => q.where('r.referred_by', '=', where.referredBy!))
    .orderBy('r.created_at', 'desc').orderBy('r.id')
    .limit(200)
    .execute();
}

/**
 * The instant the first day (local) of the month `months - 1` months before this one began, in
 * `timeZone`: compared with `r.created_at` as it is (sargable: an index on created_at serves it).
 */
const since = (months: number, timeZone: string) =>
  sql`((date_trunc('month', now() at time zone ${timeZone}) - make_interval(months => ${months - 1})) at time zone ${timeZone})`;
const month = (timeZone: string) => sql<string>`to_char(r.created_at at time zone ${timeZone}, 'YYYY-MM')`;

/** Households referred per month and worry (a household counts once per worry, whatever its referrals): no household, no 班. */
export async function countsByWorry(db: Db, associationId: string, months: number, timeZone: string) {
  const { rows } = await sql<{ month: string; worry: string; count: number }>`
    select ${month(timeZone)} as month, w.worry, count(distinct r.household_id)::int as count
    from referrals r cross join lateral unnest(r.worries) as w(worry)
    where r.association_id = ${associationId} and r.created_at >= ${since(months, timeZone)}
    group by 1, 2 order by 1, 2`.execute(db);
  return rows;
}

/** Households referred per month and 班 (the household's 班 when it was referred; once however many referrals): no household, no worry. */
export async function countsByBlock(db: Db, associationId: string, months: number, timeZone: string) {
  const { rows } = await sql<{ month: string; block_id: string; block_name: string; count: number }>`
    select ${month(timeZone)} as month, r.block_id, b.name as block_name, count(distinct r.household_id)::int as count
    from referrals r join blocks b on b.id = r.block_id
    where r.association_id = ${associationId} and r.created_at >= ${since(months, timeZone)}
    group by 1, 2, 3, b.sort_order order by 1, b.sort_order, 3`.execute(db);
  return rows;
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  {
    name: 'insertReferral',
    run: (db) => insertReferral(db, {
      association_id: ID, household_id: OTHER, block_id: ID, source: 'drill_visit', drill_id: OTHER, watch_alert_id: null, service_id: ID,
      worries: ['care'], consent: true, referred_by: ID,
    }),
  },
  { name: 'findReferral', run: (db) => findReferral(db, { associationId: ID, householdId: OTHER, watchAlertId: ID, drillId: null, serviceId: OTHER }) },
  { name: 'referralRows', run: (db) => referralRows(db, { associationId: ID, householdId: OTHER }) },
  { name: 'referralRows — those one person made', run: (db) => referralRows(db, { associationId: ID, householdId: OTHER, referredBy: ID }) },
  { name: 'countsByWorry', run: (db) => countsByWorry(db, ID, 12, 'Asia/Tokyo') },
  { name: 'countsByBlock', run: (db) => countsByBlock(db, ID, 12, 'Asia/Tokyo') },
];
