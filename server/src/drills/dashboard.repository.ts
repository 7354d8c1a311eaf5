import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import type { DrillRow } from './drill.repository.js';
import type { DrillTargetTable } from './drill.tables.js';
import { shelterHeadcount, type ShelterCount } from '../shelters/shelter.repository.js';
import { PREPARED } from '../platform/db/prepared.js';

/**
 * The SQL of the officers' (and a 班長's) live dashboard: three statements, run at once, each
 * one round trip and each reading the drill only as the actor's association's (`associationId`
 * in every WHERE: a drill of another association reads as nothing). `blocks` limits the figures
 * to these 班 (a 班長); undefined is the whole drill.
 */
export interface DashboardScope {
  drillId: string;
  associationId: string;
  blocks?: readonly string[];
}

/** The drill as the actor may see it: this id, of the actor's association (with its row version). */
const visibleDrill = (scope: DashboardScope) => sql`select *, xmin::text as row_version from drills where id = ${scope.drillId} and association_id = ${scope.associationId}`;

/**
 * What the dashboard shows of a drill, as row versions (xmin: the transaction that wrote each
 * row's current version): the drill row, its per-班 counts (which get a new version with every
 * change of the 班's targets: migrations/20261204T0100), its skip events, the association's
 * 班 (their names and order) and its shelters (their names, in the headcount and the lists). Equal in two snapshots only if none of these changed between
 * them: a write gives a row a version no earlier snapshot held and a delete takes one away, so
 * the list of versions (in key order) differs after either. Hashed: a few hundred rows'
 * versions in 32 characters.
 */
const drillFingerprint = sql<string>`md5(concat_ws('/', d.row_version,
  (select string_agg(c.xmin::text, ',' order by c.block_id) from drill_block_counts c where c.drill_id = d.id),
  (select string_agg(e.xmin::text, ',' order by e.id) from drill_events e where e.drill_id = d.id and e.what like 'skipped:%'),
  (select string_agg(b.xmin::text, ',' order by b.id) from blocks b where b.association_id = d.association_id),
  (select string_agg(s.xmin::text, ',' order by s.id) from shelters s where s.association_id = d.association_id)))`;

/** The same for the rows the lists join: these households, their members, and these people (who took a task). */
const referenceFingerprint = (households: RawBuilder<unknown>, people: RawBuilder<unknown>) => sql<string>`md5(concat_ws('/',
  (select string_agg(h.xmin::text, ',' order by h.id) from households h where h.id in (${households})),
  (select string_agg(p.xmin, ',' order by p.id) from (
    select id, xmin::text as xmin from people where household_id in (${households}) union select id, xmin::text from people where id in (${people})) p)))`;
const inBlocks = (column: string, scope: DashboardScope) => (scope.blocks ? sql`and ${isAnyOf(column, scope.blocks)}` : sql``);
/** A timestamptz as Date#toISOString writes it (UTC, milliseconds, Z), whatever the session's time zone. */
const iso = (column: RawBuilder<unknown>) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The drill row, its whole-drill totals (a 班長's dashboard shows the whole drill's line too),
 * the response curve (cumulative households accounted for per minute), the middle first-answer
 * time(s) for the median, its skip events, and the evacuated households per shelter (read from
 * the evacuated targets' partial index, not the drill's every row) — one statement, one snapshot. The per-minute
 * counts in scope are summed once for both the curve and the median's minute; the median is
 * then a short walk of the answered-time index from that minute's start.
 */
export async function dashboardHead(db: Db, scope: DashboardScope) {
  const { rows } = await sql<DrillRow & { fingerprint: string; whole_total: number; whole_accounted: number; curve: { minute: number; accounted: number }[]; middle: Date[] | null; skips: { at: string; what: string }[]; shelters: ShelterCount[] }>`
    with d as (${visibleDrill(scope)}),
    minutes as (
      select m.minute, sum(m.accounted)::int as accounted, sum(m.answered)::int as answered
      from d join drill_minute_counts m on m.drill_id = d.id
      where true ${inBlocks('m.block_id', scope)}
      group by m.minute
    ),
    walk as (select minute, answered, (sum(answered) over (order by minute) - answered)::int as before, (sum(answered) over ())::int as n from minutes),
    middle as (
      select t.first_answered_at from d cross join walk w cross join lateral (
        select t.first_answered_at from drill_targets t
        where t.drill_id = d.id ${inBlocks('t.block_id', scope)} and t.first_answered_at >= d.started_at + make_interval(mins => w.minute)
        order by t.first_answered_at offset (w.n - 1) / 2 - w.before limit case when w.n % 2 = 0 then 2 else 1 end
      ) t
      where w.before <= (w.n - 1) / 2 and (w.n - 1) / 2 < w.before + w.answered
    )
    select d.*, ${drillFingerprint} as fingerprint,
      (select coalesce(sum(c.total), 0)::int from drill_block_counts c where c.drill_id = d.id) as whole_total,
      (select coalesce(sum(c.accounted), 0)::int from drill_block_counts c where c.drill_id = d.id) as whole_accounted,
      coalesce((
        select json_agg(json_build_object('minute', greatest(0, c.minute), 'accounted', c.running) order by c.minute)
        from (select minute, (sum(accounted) over (order by minute))::int as running from minutes where accounted <> 0) c
      ), '[]') as curve,
      (select array_agg(first_answered_at order by first_answered_at) from middle) as middle,
      coalesce((
        select json_agg(json_build_object('at', ${iso(sql.ref('e.at'))}, 'what', e.what) order by e.at)
        from drill_events e where e.drill_id = d.id and e.what like 'skipped:%'
      ), '[]') as skips,
      ${shelterHeadcount(sql`d.id`, scope.associationId, scope.blocks)} as shelters
    from d
  `.execute(db);
  return rows[0];
}

/**
 * The counts per 班 in scope, as kept (drill_block_counts: a few hundred rows at most), with
 * the 班 names, in the 班's order; with the drill's fingerprint of this statement's snapshot
 * (one row with only the fingerprint when no 班 has households).
 */
export async function dashboardBlocks(db: Db, scope: DashboardScope) {
  const { rows } = await sql<{ fingerprint: string } & BlockCounts>`
    with d as (${visibleDrill(scope)})
    select f.fingerprint, c.block_id, b.name, c.safe, c.needs_help, c.injured, c.unanswered, c.accounted, c.total
    from (select d.id, ${drillFingerprint} as fingerprint from d) f
    left join (drill_block_counts c join blocks b on b.id = c.block_id) on c.drill_id = f.id and c.total > 0 ${inBlocks('c.block_id', scope)}
    order by b.sort_order, b.id
  `.execute(db);
  return rows.length ? { fingerprint: rows[0]!.fingerprint, rows: rows.filter((r) => r.block_id !== null) } : undefined;
}

export interface BlockCounts {
  block_id: string;
  name: string;
  safe: number;
  needs_help: number;
  injured: number;
  unanswered: number;
  accounted: number;
  total: number;
}

type Target = Selectable<DrillTargetTable>;
export type ListedTarget = Pick<Target, 'household_id' | 'block_id' | 'channels' | 'risk' | 'status' | 'location' | 'answered_at' | 'channel' | 'tier' | 'taken_by' | 'visit_outcome' | 'note' | 'skipped' | 'shelter_id'> & {
  shelter_name: string | null;
  list: 'unanswered' | 'follow_up';
  household_number: string;
  name: string;
  address: string;
  block_name: string;
  responder_notes: string;
  taken_by_name: string | null;
  members: { name: string; phone: string | null; livesElsewhere: boolean }[];
};

/**
 * Both lists in one statement: a page of the households not yet accounted for and a page of
 * those that need help, each riskiest first from its own partial index, with their household,
 * 班, who took them, and their members (as JSON, in the order they were added); with the
 * drill's fingerprint and that of the rows joined (referenceFingerprint), of this statement's
 * snapshot (one row with only the fingerprints when both lists are empty).
 */
export async function dashboardLists(db: Db, scope: DashboardScope, limit: number) {
  const page = (list: string, where: RawBuilder<unknown>) => sql`
    select ${list}::text as list, t.* from d cross join lateral (
      select * from drill_targets t where t.drill_id = d.id and ${where} ${inBlocks('t.block_id', scope)}
      order by t.risk_score desc, t.household_id limit ${limit}
    ) t`;
  const { rows } = await sql<{ fingerprint: string; reference: string } & ListedTarget>`
    with d as (${visibleDrill(scope)}),
    page as (
      ${page('unanswered', sql`t.accounted_at is null`)}
      union all
      ${page('follow_up', sql`t.status in ('needs_help', 'injured')`)}
    ),
    listed as (
      select t.list, t.risk_score, b.sort_order, t.household_id, h.household_number, h.name, h.address, t.block_id, b.name as block_name, t.channels, h.responder_notes, t.risk,
             t.status, t.location, t.answered_at, t.channel, t.tier, t.taken_by, p.name as taken_by_name, t.visit_outcome, t.note, t.skipped, t.shelter_id, sh.name as shelter_name,
             coalesce((
               select json_agg(json_build_object('name', m.name, 'phone', m.phone, 'livesElsewhere', m.lives_elsewhere) order by m.created_at)
               from people m where m.household_id = t.household_id
             ), '[]') as members
      from page t
      join households h on h.id = t.household_id
      join blocks b on b.id = t.block_id
      left join people p on p.id = t.taken_by
      left join shelters sh on sh.id = t.shelter_id
    )
    select f.fingerprint, f.reference, l.*
    from (select ${drillFingerprint} as fingerprint, ${referenceFingerprint(sql`select household_id from page`, sql`select taken_by from page`)} as reference from d) f
    left join listed l on true
    order by l.list desc, l.risk_score desc, l.sort_order, l.household_number
  `.execute(db);
  return rows.length ? { fingerprint: rows[0]!.fingerprint, reference: rows[0]!.reference, rows: rows.filter((r) => r.list !== null) } : undefined;
}

/**
 * Whether a dashboard made earlier is still exact: the drill (as the actor may see it) and its
 * fingerprints now, for the households and people its lists showed. Undefined when the drill
 * is not the actor's (or gone). Every dashboard request served again runs it, and its text
 * never varies (the lists go as two array parameters), so it is a named prepared statement
 * (platform/db/prepared.ts): its ten subqueries are parsed and planned once per connection,
 * not per request.
 */
export async function dashboardFingerprint(db: Db, scope: DashboardScope, listed: { households: readonly string[]; people: readonly string[] }) {
  const { rows } = await sql<{ fingerprint: string; reference: string }>`
    with d as (${visibleDrill(scope)})
    select ${drillFingerprint} as fingerprint,
           ${referenceFingerprint(sql`select unnest(${listed.households}::uuid[])`, sql`select unnest(${listed.people}::uuid[])`)} as reference
    from d ${PREPARED}`.execute(db);
  return rows[0];
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const officers: DashboardScope = { drillId: ID, associationId: OTHER };
const captain: DashboardScope = { drillId: ID, associationId: OTHER, blocks: [ID] };
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'dashboardHead — the whole drill', run: (db) => dashboardHead(db, officers) },
  { name: 'dashboardHead — a 班長: their 班', run: (db) => dashboardHead(db, captain) },
  { name: 'dashboardBlocks — the whole drill', run: (db) => dashboardBlocks(db, officers) },
  { name: 'dashboardBlocks — a 班長: their 班', run: (db) => dashboardBlocks(db, captain) },
  { name: 'dashboardLists — the whole drill', run: (db) => dashboardLists(db, officers, 100) },
  { name: 'dashboardLists — a 班長: their 班', run: (db) => dashboardLists(db, captain, 100) },
  { name: 'dashboardFingerprint', run: (db) => dashboardFingerprint(db, officers, { households: [ID], people: [OTHER] }) },
];
