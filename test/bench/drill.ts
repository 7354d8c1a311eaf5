import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Db } from '../../server/src/platform/db/database.js';
import { hashPassword } from '../../server/src/auth/password.js';
import { ApiClient } from '../support/http-client.js';
import { freePort, startInstance, waitFor } from '../support/processes.js';
import { alternate, median, percentile, quiet, ratio, spread, type Bench, type BenchContext } from './harness.js';

/**
 * A city-sized safety confirmation: --households homes in 400 班, through the built main.js in
 * its own process. Per pair: a drill started through HTTP (until its 201, every target written
 * and the asking job queued), 70% of the homes answering (in one statement, at times spread over
 * the first half hour as a real drill's answers arrive), the deadline made due and the time until
 * the silent homes are handed to their tier (the job's pickup included), and the officers'
 * dashboard, ≥20 requests one after another and 20 at once. The anchor, alternating with
 * tonari's dashboard: the SQL the dashboard used to run (a recount of the drill's rows per
 * request), through a bare pool.
 */
const BLOCKS = 400;
const PASSWORD = 'bench drill password';
const SEQUENTIAL = 30;
const CONCURRENT = 20;
const CONCURRENT_ROUNDS = 3;

export const drillBench: Bench = {
  name: 'drill',
  describe: 'a drill over --households homes in 400 班 through main.js: start, deadline hand-off, dashboard p95 (sequential and 20 at once) against a recount through a bare pool',
  flags: { households: 'homes in the association (default 100000)' },
  async run(ctx) {
    const households = ctx.number('households', 100_000);
    const database = await ctx.database();
    const db = createDatabase(database.url, { max: 4 });
    ctx.defer(() => db.destroy());
    ctx.log(`seeding ${households} households in ${BLOCKS} 班`);
    const officerEmail = await seed(db, households);

    const instance = await startInstance({
      name: 'bench-drill',
      port: await freePort(),
      env: { DATABASE_URL: database.url, MQTT_PORT: String(await freePort()), SEED_DEMO: 'false', LOG_LEVEL: 'info' },
    });
    ctx.defer(() => instance.kill());
    const officer = new ApiClient(instance.baseUrl);
    await officer.login(officerEmail, PASSWORD);

    const anchorPool = new pg.Pool({ connectionString: database.url, max: 10 });
    ctx.defer(() => anchorPool.end());

    const starts: number[] = [];
    const handoffs: number[] = [];
    const loads: number[] = [];
    let lastDrill: { id: string; started_at: Date } | undefined;
    const series = await alternate(
      ctx.pairs,
      async (i) => {
        loads.push(await quiet());
        const drill = await startDrill(ctx, officer, db, i, starts);
        await answerMost(db, drill.id);
        handoffs.push(await handOff(db, drill.id));
        // As autovacuum would by now: both sides read a table whose visibility map is set.
        await sql`vacuum analyze drill_targets`.execute(db);
        const check = await officer.get(`/api/drills/${drill.id}/dashboard`);
        if (check.status !== 200 || check.body.counts.total !== households) throw new Error(`dashboard: ${check.status} ${check.text.slice(0, 300)}`);
        const sequential = await timeEach(SEQUENTIAL, () => getOk(officer, `/api/drills/${drill.id}/dashboard`));
        const concurrent: number[] = [];
        for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
          concurrent.push(...(await Promise.all(Array.from({ length: CONCURRENT }, () => timed(() => getOk(officer, `/api/drills/${drill.id}/dashboard`))))));
        }
        ctx.log(`pair ${i + 1}: start ${Math.round(starts.at(-1)!)} ms, hand-off ${Math.round(handoffs.at(-1)!)} ms, dashboard p95 ${percentile(sequential, 95).toFixed(1)} ms, 20 at once p95 ${percentile(concurrent, 95).toFixed(1)} ms`);
        lastDrill = drill;
        return { p95: percentile(sequential, 95), concurrent: percentile(concurrent, 95) };
      },
      async (i) => {
        const drill = lastDrill!;
        const sequential = await timeEach(SEQUENTIAL, () => recount(anchorPool, drill));
        ctx.log(`pair ${i + 1}: anchor (the recount through a bare pool) p95 ${percentile(sequential, 95).toFixed(1)} ms`);
        return { p95: percentile(sequential, 95), concurrent: 0 };
      },
    );
    const dashboard = series.a.map((s) => s.p95);
    const concurrent = series.a.map((s) => s.concurrent);
    const anchor = series.b.map((s) => s.p95);
    const r = (v: number) => Math.round(v);
    ctx.report(
      `bench drill: households ${households}, start ${r(median(starts))} ms, handoff ${r(median(handoffs))} ms, dashboard p95 ${median(dashboard).toFixed(1)} ms, ` +
        `concurrent20 p95 ${median(concurrent).toFixed(1)} ms, recount anchor p95 ${median(anchor).toFixed(1)} ms, ratio ${ratio(median(dashboard), median(anchor))}, load ${median(loads).toFixed(2)}`,
      { 'drill start ms': starts, 'drill handoff ms': handoffs, 'drill dashboard p95 ms': dashboard, 'drill concurrent20 p95 ms': concurrent, 'drill recount anchor p95 ms': anchor },
    );
    ctx.log(`start ${spread(starts)}; hand-off ${spread(handoffs)}; dashboard p95 ${spread(dashboard, 1)}; anchor p95 ${spread(anchor, 1)}`);
  },
};

/**
 * The association: an officer, 400 班 each with a 班長 (every 20th cannot be reached: no login),
 * three volunteers, and the homes: one in ten paper only, one in seven speaker only (half of those
 * with a speaker online), the rest on the app with a member who can log in; a third of the homes
 * have a second member, so "lives alone" is a real count.
 */
export async function seed(db: Db, households: number): Promise<string> {
  const hash = await hashPassword(PASSWORD);
  const association = await db.insertInto('associations').values({ name: '市内連合自治会', slug: `bench-city-${Date.now()}` }).returning('id').executeTakeFirstOrThrow();
  const a = association.id;
  const blocks = await db
    .insertInto('blocks')
    .values(Array.from({ length: BLOCKS }, (_, i) => ({ association_id: a, name: `${i + 1}班`, sort_order: i + 1 })))
    .returning('id')
    .execute();
  const blockIds = blocks.map((b) => b.id);
  await sql`
    insert into households (association_id, block_id, household_number, name, address, channels)
    select ${a}::uuid, (${blockIds}::uuid[])[1 + (g % ${BLOCKS})], 'c' || g, '世帯' || g, '京田辺市 ' || g,
           case when g % 10 = 0 then '{paper}'::text[] when g % 7 = 0 then '{speaker}'::text[] else '{app}'::text[] end
    from generate_series(1, ${households}) g`.execute(db);
  await sql`
    insert into people (association_id, household_id, name, password_hash)
    select ${a}::uuid, h.id, '住民' || h.household_number, case when h.channels = '{app}' then ${hash} end from households h where h.association_id = ${a}
    union all
    select ${a}::uuid, h.id, '家族' || h.household_number, null from households h where h.association_id = ${a} and hashtext(h.id::text) % 3 = 0`.execute(db);
  await sql`
    insert into devices (association_id, household_id, label, secret_hash, online, last_seen_at)
    select ${a}::uuid, h.id, 'スピーカー', 'x', hashtext(h.id::text) % 2 = 0, now() from households h where h.association_id = ${a} and h.channels = '{speaker}'`.execute(db);
  const email = `officer-${a.slice(0, 8)}@bench.example.jp`;
  const officer = await db.insertInto('people').values({ association_id: a, name: '役員', email, password_hash: hash }).returning('id').executeTakeFirstOrThrow();
  const helpers = await db
    .insertInto('people')
    .values([
      ...blockIds.map((_, i) => ({ association_id: a, name: `班長${i + 1}`, password_hash: i % 20 === 19 ? null : hash })),
      ...[1, 2, 3].map((i) => ({ association_id: a, name: `ボランティア${i}`, password_hash: hash })),
    ])
    .returning('id')
    .execute();
  await db
    .insertInto('role_assignments')
    .values([
      { association_id: a, person_id: officer.id, role: 'officer' },
      ...blockIds.map((blockId, i) => ({ association_id: a, person_id: helpers[i]!.id, role: 'captain' as const, block_id: blockId })),
      ...helpers.slice(BLOCKS).map((h) => ({ association_id: a, person_id: h.id, role: 'volunteer' as const })),
    ])
    .execute();
  await sql`analyze`.execute(db);
  return email;
}

/** Until the 201: the drill, every household's target and the jobs written. */
async function startDrill(ctx: BenchContext, officer: ApiClient, db: Db, i: number, starts: number[]) {
  const t0 = performance.now();
  const started = await officer.post('/api/drills', {
    kind: 'drill', title: `市内一斉訓練 ${i + 1}`, message: '', targetBlockIds: null, announced: false,
    deadlineAt: new Date(Date.now() + 3_600_000).toISOString(), volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
  });
  starts.push(performance.now() - t0);
  if (started.status !== 201) throw new Error(`start: ${started.status} ${started.text.slice(0, 300)}`);
  ctx.log(`drill ${i + 1} started in ${Math.round(starts.at(-1)!)} ms`);
  return db.selectFrom('drills').select(['id', 'started_at']).where('id', '=', started.body.id as string).executeTakeFirstOrThrow();
}

/** 70% of the homes that were asked answer, at times spread over the drill's first half hour; 1 in 50 of them needs help. */
async function answerMost(db: Db, drillId: string) {
  await sql`
    update drill_targets t set
      status = case when abs(hashtext(household_id::text)) % 50 = 0 then 'needs_help' else 'safe' end, location = 'home', channel = 'app',
      first_answered_at = d.started_at + make_interval(secs => abs(hashtext(household_id::text || 's')) % 1800),
      answered_at = d.started_at + make_interval(secs => abs(hashtext(household_id::text || 's')) % 1800),
      accounted_at = d.started_at + make_interval(secs => abs(hashtext(household_id::text || 's')) % 1800)
    from drills d
    where d.id = ${drillId} and t.drill_id = d.id and t.tier = 'none' and abs(hashtext(household_id::text)) % 10 < 7`.execute(db);
}

/** The deadline made due now; until its step has handed the silent homes on (the job's pickup by main.js included). */
async function handOff(db: Db, drillId: string) {
  const t0 = performance.now();
  await sql`update pgboss.job set start_after = now() where name = 'drill-deadline' and data->>'drillId' = ${drillId} and state in ('created', 'retry')`.execute(db);
  await waitFor(
    'the deadline hand-off',
    async () => (await db.selectFrom('drill_events').select('id').where('drill_id', '=', drillId).where('what', '=', 'deadline').executeTakeFirst()) && true,
    60_000,
    10,
  );
  const ms = performance.now() - t0;
  const left = await db.selectFrom('drill_targets').select(sql<number>`count(*)::int`.as('n')).where('drill_id', '=', drillId).where('accounted_at', 'is', null).where('tier', '=', 'none').executeTakeFirstOrThrow();
  if (left.n !== 0) throw new Error(`hand-off: ${left.n} silent households were not handed on`);
  return ms;
}

async function getOk(client: ApiClient, path: string) {
  const response = await client.get(path);
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${response.text.slice(0, 200)}`);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

async function timeEach(n: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await timed(work));
  return times;
}

/**
 * The anchor: the queries the officers' dashboard ran before its figures were kept as answers
 * arrived — counts per 班, the curve, the median's walk, the open count, the summary and both
 * lists recounted from the drill's rows — in parallel through a bare pool, as the service did.
 */
async function recount(pool: pg.Pool, drill: { id: string; started_at: Date }) {
  const q = (text: string, values: unknown[]) => pool.query(text, values);
  const id = drill.id;
  const list = (where: string) => `
    select t.household_id, h.household_number, h.name, h.address, t.block_id, b.name as block_name, t.channels, h.responder_notes, t.risk, t.status,
           t.location, t.answered_at, t.channel, t.tier, p.name as taken_by_name, t.visit_outcome, t.note, t.skipped
    from (select * from drill_targets where drill_id = $1 and ${where} order by risk_score desc, household_id limit 200) t
    join households h on h.id = t.household_id join blocks b on b.id = t.block_id left join people p on p.id = t.taken_by
    order by t.risk_score desc, b.sort_order, h.household_number`;
  const [, , answered, , unanswered, followUp] = await Promise.all([
    q(`select b.name, t.* from (select block_id, count(*) filter (where status = 'safe')::int as safe, count(*) filter (where status = 'needs_help')::int as needs_help,
         count(*) filter (where status = 'injured')::int as injured, count(*) filter (where status is null)::int as unanswered, count(accounted_at)::int as accounted,
         count(*)::int as total from drill_targets where drill_id = $1 group by block_id) t join blocks b on b.id = t.block_id order by b.sort_order`, [id]),
    q(`select floor(extract(epoch from accounted_at - $1::timestamptz) / 60)::int as minute, count(*)::int as n from drill_targets
         where drill_id = $2 and accounted_at is not null group by 1 order by 1`, [drill.started_at, id]),
    q(`select count(*)::int as n from drill_targets where drill_id = $1 and first_answered_at is not null`, [id]),
    q(`select max(accounted_at) as last, count(*) filter (where accounted_at is null)::int as open from drill_targets where drill_id = $1`, [id]),
    q(list('accounted_at is null'), [id]),
    q(list(`status in ('needs_help', 'injured')`), [id]),
    q(`select at, what from drill_events where drill_id = $1 order by at`, [id]),
    q(`select drill_id, count(*)::int as total, count(accounted_at)::int as accounted from drill_targets where drill_id = any($1::uuid[]) group by drill_id`, [[id]]),
  ]);
  const n = answered.rows[0].n as number;
  await Promise.all([
    q(`select first_answered_at from drill_targets where drill_id = $1 and first_answered_at is not null order by first_answered_at limit $2 offset $3`, [id, n % 2 ? 1 : 2, Math.floor((n - 1) / 2)]),
    q(`select household_id, name, phone, lives_elsewhere from people where household_id = any($1::uuid[]) order by created_at`, [[...unanswered.rows, ...followUp.rows].map((r) => r.household_id)]),
  ]);
}
