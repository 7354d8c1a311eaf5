import { sql, type Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import { livingMembers, riskFlags } from '../common/risk.repository.js';
import { householdsSomeoneCanAnswerFor } from '../common/reachability.repository.js';

/**
 * The SQL of a drill's targets: one row per household asked, its answer, its escalation
 * tier, and the figures made from them. Written set-based: a city's drill has 100,000 rows,
 * so every step over them is one statement, not a loop. `blocks`, where a function takes it,
 * limits it to these 班 (a 班長's view); undefined is the whole drill.
 */

/**
 * Who can be reached for a step (common/reachability.repository.ts): the 班 whose 班長 can
 * be, and whether any volunteer or 民生委員 can. A household whose tier has nobody reachable
 * goes at once to the next one, and its row says which tiers it skipped.
 */
export interface Reach {
  captainBlocks: readonly string[];
  volunteers: boolean;
}

/** The tier a household handed on at this step lands on, past the unreachable ones, and the tiers it skipped (SQL). */
function landingTier(reach: Reach) {
  return sql`case when t.block_id = any(${[...reach.captainBlocks]}::uuid[]) then 'captain' when ${reach.volunteers} then 'volunteers' else 'officers' end`;
}
function skippedTiers(reach: Reach) {
  return sql`case when t.block_id = any(${[...reach.captainBlocks]}::uuid[]) then '{}'::text[] when ${reach.volunteers} then '{captain}'::text[] else '{captain,volunteers}'::text[] end`;
}

/** A step's skips as events, one per (班, skipped tiers, tier), from its `moved` CTE: "skipped:<block>:captain:volunteers". */
const skipEvents = (drillId: string, reachedTier: string) => sql`
  insert into drill_events (drill_id, what)
  select distinct ${drillId}::uuid, 'skipped:' || m.block_id || ':' || array_to_string(m.skipped, '+') || ':' || m.tier
  from moved m where m.tier <> ${reachedTier} and cardinality(m.skipped) > 0
  on conflict (drill_id, what) do nothing`;

/**
 * One target row per household in scope, written by one INSERT … SELECT with each home's
 * risk. Homes nothing will ask — paper-only ones, and homes where nobody can answer now (no
 * member who can be reached, no speaker online: common/reachability) — go straight onto their
 * 班長's visit list, or, when their 班長 cannot be reached, the volunteers' (or the officers'):
 * waiting for the deadline would only make their visit later. Set-based: the members living in
 * each home and the homes someone can answer for are each one pass over the association's
 * people (hash-joined), not a lookup per home. The rows go in household order (the primary
 * key's), so its index grows at one edge instead of splitting pages all over, and the skips of
 * homes handed past an unreachable 班長 are written as events by the same statement. Returns,
 * per (班, tier), how many were written.
 */
export async function insertTargets(trx: Transaction<Database>, drill: { id: string; association_id: string; target_block_ids: string[] | null }, reach: Reach) {
  // The members per home and the rows the statement's triggers read back fit in memory, not temporary files.
  await sql`set local work_mem = '64MB'`.execute(trx);
  const { rows } = await sql<{ block_id: string; tier: 'none' | 'captain' | 'volunteers' | 'officers'; n: number }>`
    with living as (${livingMembers(trx, drill.association_id)}),
    answerable as (${householdsSomeoneCanAnswerFor(trx, drill.association_id)}),
    inserted as (
      insert into drill_targets (drill_id, household_id, association_id, block_id, channels, risk, risk_score, tier, skipped, escalated_at)
      select ${drill.id}::uuid, t.id, t.association_id, t.block_id, t.channels, t.risk, coalesce(array_length(t.risk, 1), 0),
             case when t.visit_only then ${landingTier(reach)} else 'none' end,
             case when t.visit_only then ${skippedTiers(reach)} else '{}'::text[] end,
             case when t.visit_only then now() end
      from (
        select x.*, 'paper_only' = any(x.risk) or x.nobody_answers as visit_only from (
          -- OFFSET 0 keeps this subquery whole: each home's risk computed once, without the
          -- materialized copy of a city's 100,000 rows that a CTE made.
          select h.id, h.association_id, h.block_id, h.channels, ${riskFlags('h', sql<number>`coalesce(l.n, 0)`)} as risk, a.household_id is null as nobody_answers
          from households h
          left join living l on l.household_id = h.id
          left join answerable a on a.household_id = h.id
          where h.association_id = ${drill.association_id}
            and (${drill.target_block_ids}::uuid[] is null or h.block_id = any(${drill.target_block_ids}::uuid[]))
          offset 0
        ) x
      ) t
      order by t.id
      returning block_id, tier, skipped
    ),
    moved as (select * from inserted),
    events as (${skipEvents(drill.id, 'none')})
    select block_id, tier, count(*)::int as n from inserted group by block_id, tier
  `.execute(trx);
  return rows;
}

/** Every household of a drill, its 班 and its tier: the rooms its live events go to, and who was handed it. */
export function targetsOf(db: Db, drillId: string) {
  return db.selectFrom('drill_targets').select(['household_id', 'block_id', 'tier']).where('drill_id', '=', drillId).execute();
}

export function findTarget(db: Db, drillId: string, householdId: string) {
  return db.selectFrom('drill_targets').selectAll().where('drill_id', '=', drillId).where('household_id', '=', householdId).executeTakeFirst();
}

/** Nobody was home: the household stays on the visit list, with the note. */
export function markAbsent(db: Db, drillId: string, householdId: string, note: string) {
  return db.updateTable('drill_targets').set({ visit_outcome: 'absent', note }).where('drill_id', '=', drillId).where('household_id', '=', householdId).execute();
}

/** The latest answer; the first answer's time and channel stay as they were. */
export function saveAnswer(
  db: Db,
  drillId: string,
  householdId: string,
  answer: { status: 'safe' | 'needs_help' | 'injured'; where: 'home' | 'evacuated' | 'away' | null; note: string; channel: 'app' | 'speaker' | 'proxy' | 'visit'; shelterId?: string | null },
) {
  return db
    .updateTable('drill_targets')
    .set({
      status: answer.status,
      // An answer that does not say where (a visit that found nobody in) keeps where the household was last known to be.
      ...(answer.where !== null && { location: answer.where, shelter_id: answer.where === 'evacuated' ? (answer.shelterId ?? null) : null }),
      note: answer.note,
      answered_at: new Date(),
      first_answered_at: sql`coalesce(first_answered_at, now())`,
      accounted_at: sql`coalesce(accounted_at, now())`,
      channel: sql`coalesce(channel, ${answer.channel})`,
      ...(answer.channel === 'visit' && { visit_outcome: answer.status }),
    })
    .where('drill_id', '=', drillId)
    .where('household_id', '=', householdId)
    .execute();
}

/** "I'm going": taken unless someone else already has it. */
export function takeTarget(db: Db, drillId: string, householdId: string, personId: string) {
  return db
    .updateTable('drill_targets')
    .set({ taken_by: personId, taken_at: new Date() })
    .where('drill_id', '=', drillId)
    .where('household_id', '=', householdId)
    .where((eb) => eb.or([eb('taken_by', 'is', null), eb('taken_by', '=', personId)]))
    .returning('household_id')
    .executeTakeFirst();
}

/**
 * At the deadline every silent household becomes a task for its 班長, or at once for the
 * volunteers (the officers) when its 班長 (and every volunteer) cannot be reached: one
 * statement for all, which also writes the skips' events. Returns each (班, tier) handed to.
 */
export async function handSilentToCaptains(trx: Transaction<Database>, drillId: string, reach: Reach) {
  const { rows } = await sql<{ block_id: string; tier: 'captain' | 'volunteers' | 'officers' }>`
    with moved as (
      update drill_targets t set tier = ${landingTier(reach)}, skipped = ${skippedTiers(reach)}, escalated_at = now()
      where t.drill_id = ${drillId} and t.accounted_at is null and t.tier = 'none'
      returning t.block_id, t.tier, t.skipped
    ), events as (${skipEvents(drillId, 'captain')})
    select distinct block_id, tier from moved
  `.execute(trx);
  return rows;
}

/**
 * Tasks still silent and untaken move up to this tier: one statement for all; with no
 * volunteer reachable, the volunteers' step goes on to the officers at once, and says so.
 */
export async function moveUntakenUp(trx: Transaction<Database>, drillId: string, tier: 'volunteers' | 'officers', volunteersReachable = true) {
  const to = tier === 'volunteers' && !volunteersReachable ? 'officers' : tier;
  const { rows } = await sql<{ block_id: string; tier: 'volunteers' | 'officers' }>`
    with moved as (
      update drill_targets t set tier = ${to}, escalated_at = now(),
             skipped = case when ${to !== tier} then array_append(t.skipped, 'volunteers') else t.skipped end
      where t.drill_id = ${drillId} and t.accounted_at is null and t.taken_by is null
        and t.tier = any(${tier === 'volunteers' ? ['captain'] : ['captain', 'volunteers']}::text[])
      returning t.block_id, t.tier, t.skipped
    ), events as (${skipEvents(drillId, tier)})
    select distinct block_id, tier from moved
  `.execute(trx);
  return rows;
}

/** The next page of households not yet accounted for, after a cursor, in id order (the ask's fan-out). */
export async function silentHouseholds(db: Db, drillId: string, after: string | null, limit: number) {
  const rows = await db
    .selectFrom('drill_targets')
    .select('household_id')
    .where('drill_id', '=', drillId)
    .where('accounted_at', 'is', null)
    .$if(after !== null, (q) => q.where('household_id', '>', after!))
    .orderBy('household_id')
    .limit(limit)
    .execute();
  return rows.map((t) => t.household_id);
}

/** Whether the drill reached any of these 班: a 班 it has targets in has a kept count row with households (not a probe of the 100,000 rows). */
export async function reachedBlocks(db: Db, drillId: string, blocks: readonly string[]) {
  const one = await db.selectFrom('drill_block_counts').select('block_id').where('drill_id', '=', drillId).where(isAnyOf('block_id', blocks)).where('total', '>', 0).limit(1).executeTakeFirst();
  return !!one;
}

/** Households and how many are accounted for, per drill: from the kept counts (drill_block_counts), not the rows. */
export function accountedPerDrill(db: Db, drillIds: readonly string[], blocks?: readonly string[]) {
  return db
    .selectFrom('drill_block_counts')
    .select(['drill_id', sql<number>`sum(total)::int`.as('total'), sql<number>`sum(accounted)::int`.as('accounted')])
    .where(isAnyOf('drill_id', drillIds))
    .$if(!!blocks, (q) => q.where(isAnyOf('block_id', blocks!)))
    .groupBy('drill_id')
    .execute();
}

/** The counts per 班, as kept (a few hundred rows at most), with the 班 names. */
export function countsPerBlock(db: Db, drillId: string, blocks?: readonly string[]) {
  return db
    .selectFrom('drill_block_counts as t')
    .innerJoin('blocks as b', 'b.id', 't.block_id')
    .select(['t.block_id', 'b.name', 't.safe', 't.needs_help', 't.injured', 't.unanswered', 't.accounted', 't.answered', 't.total'])
    .where('t.drill_id', '=', drillId)
    .where('t.total', '>', 0)
    .$if(!!blocks, (q) => q.where(isAnyOf('t.block_id', blocks!)))
    .orderBy('b.sort_order')
    .execute();
}

/** When the last household was accounted for: one step down the accounted-time index (asked once every household is). */
export async function lastAccountedAt(db: Db, drillId: string, blocks?: readonly string[]) {
  const row = await db
    .selectFrom('drill_targets')
    .select(sql<Date | null>`max(accounted_at)`.as('last'))
    .where('drill_id', '=', drillId)
    .$if(!!blocks, (q) => q.where(isAnyOf('block_id', blocks!)))
    .executeTakeFirstOrThrow();
  return row.last;
}

/**
 * The middle first-answer time(s) — one for an odd count, two for an even one — in one
 * statement: the median's minute from the per-minute counts, then a walk of the answered-time
 * index from that minute's start to the median, not from the first answer.
 */
export async function medianAnswerTimes(db: Db, drillId: string, blocks?: readonly string[]) {
  const inBlocks = blocks ? sql`and ${isAnyOf('block_id', blocks)}` : sql``;
  const { rows } = await sql<{ first_answered_at: Date }>`
    with m as (select minute, sum(answered)::int as n from drill_minute_counts where drill_id = ${drillId} ${inBlocks} group by minute),
    c as (select minute, n, (sum(n) over (order by minute) - n)::int as before, (sum(n) over ())::int as total from m),
    pick as (
      select c.minute, (c.total - 1) / 2 - c.before as skip, case when c.total % 2 = 0 then 2 else 1 end as take
      from c where c.before <= (c.total - 1) / 2 and (c.total - 1) / 2 < c.before + c.n
    )
    select t.first_answered_at from pick cross join lateral (
      select first_answered_at from drill_targets
      where drill_id = ${drillId} ${inBlocks}
        and first_answered_at >= (select started_at from drills where id = ${drillId}) + make_interval(mins => pick.minute)
      order by first_answered_at offset pick.skip limit pick.take
    ) t
  `.execute(db);
  return rows.map((r) => r.first_answered_at);
}

/** Per minute since the start, households accounted for and first answers, as kept (summed over the 班 in scope). */
export function countsPerMinute(db: Db, drillId: string, blocks?: readonly string[]) {
  return db
    .selectFrom('drill_minute_counts')
    .select(['minute', sql<number>`sum(accounted)::int`.as('accounted'), sql<number>`sum(answered)::int`.as('answered')])
    .where('drill_id', '=', drillId)
    .$if(!!blocks, (q) => q.where(isAnyOf('block_id', blocks!)))
    .groupBy('minute')
    .orderBy('minute')
    .execute();
}

/** Households by the channel of their first answer. */
export function answersPerChannel(db: Db, drillId: string, blocks?: readonly string[]) {
  return db
    .selectFrom('drill_targets')
    .select(['channel', sql<number>`count(*)::int`.as('n')])
    .where('drill_id', '=', drillId)
    .where('channel', 'is not', null)
    .$if(!!blocks, (q) => q.where(isAnyOf('block_id', blocks!)))
    .groupBy('channel')
    .execute();
}

/**
 * Which targets a visit list holds (drill.policy.ts, visitScope): `blocks` absent, every one
 * (officers); else those of these 班, and with `escalatedToVolunteers` also any escalated to
 * the volunteers or officers.
 */
export interface VisitFilter {
  blocks?: string[];
  escalatedToVolunteers?: boolean;
}

export interface TargetFilter {
  blocks?: readonly string[];
  visit?: VisitFilter;
  unaccounted?: boolean;
  followUp?: boolean;
  escalated?: boolean;
  limit?: number;
}

/** The targets with their household and 班, riskiest first (at most `limit`, default 200). */
export function targetRows(db: Db, drillId: string, where: TargetFilter) {
  const visit = where.visit;
  // The page of targets first, in the order of the partial index (riskiest first), then their households.
  const page = db
    .selectFrom('drill_targets')
    .selectAll()
    .where('drill_id', '=', drillId)
    .$if(!!where.blocks, (q) => q.where(isAnyOf('block_id', where.blocks!)))
    .$if(!!visit?.blocks, (q) =>
      q.where((eb) => eb.or([isAnyOf('block_id', visit!.blocks!), ...(visit!.escalatedToVolunteers ? [eb('tier', 'in', ['volunteers', 'officers'])] : [])])),
    )
    .$if(!!where.unaccounted, (q) => q.where('accounted_at', 'is', null))
    .$if(!!where.escalated, (q) => q.where('tier', '!=', 'none'))
    .$if(!!where.followUp, (q) => q.where('status', 'in', ['needs_help', 'injured']))
    .orderBy('risk_score', 'desc')
    .orderBy('household_id')
    .limit(where.limit ?? 200);
  return db
    .selectFrom(page.as('t'))
    .innerJoin('households as h', 'h.id', 't.household_id')
    .innerJoin('blocks as b', 'b.id', 't.block_id')
    .leftJoin('people as p', 'p.id', 't.taken_by')
    .leftJoin('shelters as sh', 'sh.id', 't.shelter_id')
    .select([
      't.household_id', 'h.household_number', 'h.name', 'h.address', 't.block_id', 'b.name as block_name', 't.channels', 'h.responder_notes', 't.risk',
      't.status', 't.location', 't.answered_at', 't.channel', 't.tier', 'p.name as taken_by_name', 't.visit_outcome', 't.note', 't.skipped',
      't.shelter_id', 'sh.name as shelter_name',
    ])
    .orderBy('t.risk_score', 'desc')
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .execute();
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const inTransaction = <T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(work);
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'insertTargets', run: (db) => inTransaction(db, (trx) => insertTargets(trx, { id: ID, association_id: OTHER, target_block_ids: [ID, OTHER] }, { captainBlocks: [ID], volunteers: true })) },
  { name: 'targetsOf', run: (db) => targetsOf(db, ID) },
  { name: 'findTarget', run: (db) => findTarget(db, ID, OTHER) },
  { name: 'markAbsent', run: (db) => markAbsent(db, ID, OTHER, '不在') },
  { name: 'saveAnswer — from the app', run: (db) => saveAnswer(db, ID, OTHER, { status: 'safe', where: 'home', note: '', channel: 'app' }) },
  { name: 'saveAnswer — evacuated, naming a shelter', run: (db) => saveAnswer(db, ID, OTHER, { status: 'safe', where: 'evacuated', note: '', channel: 'app', shelterId: ID }) },
  { name: 'saveAnswer — a visit also records its outcome', run: (db) => saveAnswer(db, ID, OTHER, { status: 'safe', where: 'home', note: '', channel: 'visit' }) },
  { name: 'takeTarget', run: (db) => takeTarget(db, ID, OTHER, ID) },
  { name: 'handSilentToCaptains', run: (db) => inTransaction(db, (trx) => handSilentToCaptains(trx, ID, { captainBlocks: [OTHER], volunteers: false })) },
  { name: 'moveUntakenUp — to the volunteers', run: (db) => inTransaction(db, (trx) => moveUntakenUp(trx, ID, 'volunteers')) },
  { name: 'moveUntakenUp — to the officers', run: (db) => inTransaction(db, (trx) => moveUntakenUp(trx, ID, 'officers')) },
  { name: 'moveUntakenUp — nobody among the volunteers can be reached', run: (db) => inTransaction(db, (trx) => moveUntakenUp(trx, ID, 'volunteers', false)) },
  { name: 'silentHouseholds — the first page', run: (db) => silentHouseholds(db, ID, null, 250) },
  { name: 'silentHouseholds — after a cursor', run: (db) => silentHouseholds(db, ID, OTHER, 250) },
  { name: 'reachedBlocks', run: (db) => reachedBlocks(db, ID, [OTHER]) },
  { name: 'accountedPerDrill — whole drills', run: (db) => accountedPerDrill(db, [ID, OTHER]) },
  { name: 'accountedPerDrill — a 班長: their 班', run: (db) => accountedPerDrill(db, [ID], [OTHER]) },
  { name: 'countsPerBlock — the whole drill', run: (db) => countsPerBlock(db, ID) },
  { name: 'countsPerBlock — a 班長: their 班', run: (db) => countsPerBlock(db, ID, [OTHER]) },
  { name: 'lastAccountedAt', run: (db) => lastAccountedAt(db, ID) },
  { name: 'medianAnswerTimes — the whole drill', run: (db) => medianAnswerTimes(db, ID) },
  { name: 'medianAnswerTimes — a 班長: their 班', run: (db) => medianAnswerTimes(db, ID, [OTHER]) },
  { name: 'countsPerMinute — the whole drill', run: (db) => countsPerMinute(db, ID) },
  { name: 'countsPerMinute — a 班長: their 班', run: (db) => countsPerMinute(db, ID, [OTHER]) },
  { name: 'answersPerChannel', run: (db) => answersPerChannel(db, ID, [OTHER]) },
  { name: 'targetRows — the unaccounted, a 班長: their 班', run: (db) => targetRows(db, ID, { blocks: [OTHER], unaccounted: true }) },
  { name: 'targetRows — a volunteer 班長: their 班 and what was escalated', run: (db) => targetRows(db, ID, { escalated: true, limit: 2000, visit: { blocks: [OTHER], escalatedToVolunteers: true } }) },
  { name: 'targetRows — needing follow-up', run: (db) => targetRows(db, ID, { followUp: true, limit: 5000 }) },
];
