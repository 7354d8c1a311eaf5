import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { until } from './support/wait.js';
import { startServerSuite, stopSuite } from './support/suite.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { makeDue } from './support/jobs.js';
import { demo, seedDemo } from '../server/src/demo/seed.js';

/**
 * Escalation never ends at an unreachable person, in the demo association (2班–4班's 班長
 * have no login): a drill with the default timings ends with every household accounted for,
 * the silent ones landing at once with someone who can log in (the volunteer, the officer,
 * 1班's 班長), who record their visits through the API; and a silent home whose family and
 * 班長 cannot be reached reaches the volunteers at once.
 */
let database: TestDatabase;
let server: TestServer;
const client: Record<'officer' | 'captain1' | 'volunteer', ApiClient> = {} as never;

type Task = { householdId: string; householdNumber: string; blockName: string; tier: string; skipped: string[]; status: string | null };

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  await seedDemo(database.db);
  for (const who of ['officer', 'captain1', 'volunteer'] as const) {
    client[who] = new ApiClient(server.baseUrl);
    await client[who].login(`${who}@demo.tonari.jp`, demo.password);
  }
});
afterAll(() => stopSuite({ server, database }));

/** Every target of the drill with whether the people of its tier can log in or take push. */
async function landings(drillId: string) {
  const { rows } = await sql<{ block: string; tier: string; households: number; reachable: number }>`
    select b.name as block, t.tier, count(*)::int as households,
      (select count(*)::int from role_assignments r join people p on p.id = r.person_id
        where r.association_id = t.association_id
          and ((t.tier = 'captain' and r.role = 'captain' and r.block_id = t.block_id)
            or (t.tier = 'volunteers' and r.role in ('volunteer', 'welfare_commissioner'))
            or (t.tier = 'officers' and r.role = 'officer'))
          and (p.password_hash is not null or exists (select 1 from push_subscriptions s where s.person_id = p.id))) as reachable
    from drill_targets t join blocks b on b.id = t.block_id
    where t.drill_id = ${drillId} and t.tier <> 'none' and t.accounted_at is null
    group by b.name, b.sort_order, t.tier, t.association_id, t.block_id order by b.sort_order, t.tier`.execute(database.db);
  return rows;
}

async function jobDone(queue: string, drillId: string, tier?: string) {
  await until(
    () => sql<{ state: string }>`select state from pgboss.job where name = ${queue} and data->>'drillId' = ${drillId} and (${tier ?? null}::text is null or data->>'tier' = ${tier ?? null})`.execute(database.db),
    (r) => r.rows[0]?.state === 'completed',
  );
}

/** `who` takes ("向かいます") and records as safe every household of their visit list (optionally only some). */
async function visitAll(who: keyof typeof client, drillId: string, pick: (t: Task) => boolean = () => true) {
  const tasks = ((await client[who].get(`/api/drills/${drillId}/tasks`)).body.items as Task[]).filter((t) => t.status === null && pick(t));
  for (const task of tasks) {
    expect((await client[who].post(`/api/drills/${drillId}/take`, { householdId: task.householdId })).status).toBe(200);
    const visit = await client[who].post(`/api/drills/${drillId}/visit`, { householdId: task.householdId, outcome: 'safe', note: '訪問して確認' });
    expect(visit.status).toBe(200);
  }
  return tasks;
}

describe('a drill in the demo association, with the default timings', () => {
  it('ends with every household accounted for; nothing lands on a 班長 without a login', async () => {
    const started = await client.officer.post('/api/drills', { kind: 'drill', title: '誰一人取り残さない訓練', deadlineAt: new Date(Date.now() + 600_000).toISOString() });
    expect(started.status).toBe(201);
    const drillId = started.body.id as string;
    expect(started.body.total).toBe(100);

    // At the start, every home nothing will ask goes on a visit list at once: paper-only homes and
    // homes where nobody can answer now (98 of the demo's 100 have no login; its speakers are
    // offline here). 1班's go to captain1; 2班–4班's to the volunteers, not to a 班長 nobody can reach.
    const atStart = await landings(drillId);
    expect(atStart.map((r) => [r.block, r.tier, r.households])).toEqual([['1班', 'captain', 23], ['2班', 'volunteers', 25], ['3班', 'volunteers', 25], ['4班', 'volunteers', 25]]);
    expect(atStart.every((r) => r.reachable > 0)).toBe(true);

    // Nobody answers. The deadline passes: 1班's silent homes go to captain1, the others straight to the volunteers.
    expect(await makeDue(database.db, 'drill-deadline', { drillId })).toBe(1);
    await jobDone('drill-deadline', drillId);
    const atDeadline = await landings(drillId);
    expect(atDeadline.map((r) => [r.block, r.tier, r.households])).toEqual([['1班', 'captain', 25], ['2班', 'volunteers', 25], ['3班', 'volunteers', 25], ['4班', 'volunteers', 25]]);
    expect(atDeadline.filter((r) => r.reachable === 0)).toEqual([]);

    // The officer's dashboard says why, per 班.
    const dashboard = (await client.officer.get(`/api/drills/${drillId}/dashboard`)).body;
    expect(dashboard.skips.map((s: { blockName: string; skipped: string[]; to: string }) => `${s.blockName}:${s.skipped.join('+')}→${s.to}`).sort()).toEqual(['2班:captain→volunteers', '3班:captain→volunteers', '4班:captain→volunteers']);
    expect(dashboard.unanswered).toHaveLength(100); // officers see what is left, at every tier

    const volunteerTasks = (await client.volunteer.get(`/api/drills/${drillId}/tasks`)).body.items as Task[];
    expect(volunteerTasks).toHaveLength(75);
    expect(volunteerTasks.every((t) => t.tier === 'volunteers' && t.skipped.join() === 'captain' && t.blockName !== '1班')).toBe(true);
    expect(((await client.captain1.get(`/api/drills/${drillId}/tasks`)).body.items as Task[]).map((t) => t.blockName)).toEqual(Array(25).fill('1班'));

    // captain1 visits 20 of theirs; the volunteer all but 2班's.
    await visitAll('captain1', drillId, (t) => Number(t.householdNumber) < 180);
    await visitAll('volunteer', drillId, (t) => t.blockName !== '2班');

    // 15 minutes after the deadline: captain1's 5 untaken move to the volunteers, who visit 3 more.
    await makeDue(database.db, 'drill-escalate', { drillId, tier: 'volunteers' });
    await jobDone('drill-escalate', drillId, 'volunteers');
    expect((await landings(drillId)).filter((r) => r.reachable === 0)).toEqual([]);
    await visitAll('volunteer', drillId, (t) => t.blockName === '1班');

    // 30 minutes after: 2班's untaken go to the officers, who visit them.
    await makeDue(database.db, 'drill-escalate', { drillId, tier: 'officers' });
    await jobDone('drill-escalate', drillId, 'officers');
    const left = await landings(drillId);
    expect(left.map((r) => [r.block, r.tier, r.households])).toEqual([['2班', 'officers', 25]]);
    await visitAll('officer', drillId);

    const end = (await client.officer.get(`/api/drills/${drillId}/dashboard`)).body;
    expect(end.counts).toMatchObject({ accounted: 100, total: 100, unanswered: 0 });
    expect(end.unanswered).toEqual([]);
    const byWho = await sql<{ name: string; n: number }>`
      select p.name, count(*)::int as n from drill_targets t join people p on p.id = t.taken_by where t.drill_id = ${drillId} group by p.name order by p.name`.execute(database.db);
    expect(byWho.rows.reduce((n, r) => n + r.n, 0)).toBe(100);
    expect(byWho.rows).toHaveLength(3); // captain1, the volunteer and the officer
  }, 120_000); // 100 visits taken and recorded through the API

  it('goes past the volunteers to the officers when no volunteer can be reached', async () => {
    await database.db.updateTable('people').set({ password_hash: null }).where('email', '=', 'volunteer@demo.tonari.jp').execute();
    try {
      const started = await client.officer.post('/api/drills', { kind: 'drill', title: '訓練 2', deadlineAt: new Date(Date.now() + 600_000).toISOString() });
      const drillId = started.body.id as string;
      expect(await makeDue(database.db, 'drill-deadline', { drillId })).toBe(1);
      await jobDone('drill-deadline', drillId);
      const rows = await landings(drillId);
      expect(rows.map((r) => [r.block, r.tier])).toEqual([['1班', 'captain'], ['2班', 'officers'], ['3班', 'officers'], ['4班', 'officers']]);
      const dashboard = (await client.officer.get(`/api/drills/${drillId}/dashboard`)).body;
      expect(dashboard.skips.map((s: { blockName: string; skipped: string[]; to: string }) => `${s.blockName}:${s.skipped.join('+')}→${s.to}`).sort()).toEqual([
        '2班:captain+volunteers→officers', '3班:captain+volunteers→officers', '4班:captain+volunteers→officers',
      ]);
      // 1班's untaken at the volunteers' step: straight on to the officers too.
      await makeDue(database.db, 'drill-escalate', { drillId, tier: 'volunteers' });
      await jobDone('drill-escalate', drillId, 'volunteers');
      expect((await landings(drillId)).map((r) => [r.block, r.tier, r.households])).toEqual(['1班', '2班', '3班', '4班'].map((b) => [b, 'officers', 25]));
      expect((await client.officer.post(`/api/drills/${drillId}/end`)).status).toBe(200);
    } finally {
      await database.db.updateTable('people').set({ password_hash: (await database.db.selectFrom('people').select('password_hash').where('email', '=', 'officer@demo.tonari.jp').executeTakeFirstOrThrow()).password_hash }).where('email', '=', 'volunteer@demo.tonari.jp').execute();
    }
  });
});

describe('a silent home whose family and 班長 cannot be reached', () => {
  it('reaches the volunteers at once, with an event saying why', async () => {
    // Household 106 (2班: its 班長 has no login; no family watcher) has a speaker and shares with volunteers.
    const home = await database.db.selectFrom('households').select('id').where('association_id', '=', demo.associationId).where('household_number', '=', '106').executeTakeFirstOrThrow();
    await database.db.updateTable('watch_settings').set({ last_activity_at: sql`now() - interval '25 hours'`, next_check_at: sql`now() - interval '1 minute'` }).where('household_id', '=', home.id).execute();
    await server.app.jobs.sendDetached('tick', 'watch-scan', {});
    const live = async (who: keyof typeof client) =>
      ((await client[who].get('/api/watch/alerts?status=live')).body.items as { id: string; tier: string; household: { id: string }; events: { what: string; tier: string | null; detail: string }[] }[]).filter((a) => a.household.id === home.id);
    const [alert] = await until(() => live('officer'), (a) => a.length > 0);
    expect(alert!.tier).toBe('resident');
    expect(await live('volunteer')).toEqual([]);

    // The resident's wait is over: one step, and the volunteers have it.
    await makeDue(database.db, 'watch-escalate', { alertId: alert!.id });
    const [seen] = await until(() => live('volunteer'), (a) => a.length > 0);
    expect(seen!.tier).toBe('volunteers');
    expect(seen!.events.map((e) => `${e.what}:${e.tier}${e.what === 'skipped' ? `:${e.detail}` : ''}`)).toEqual([
      'prompted:resident', 'escalated:family_captain', 'skipped:family_captain:no_family_or_captain', 'escalated:volunteers',
    ]);
    const taken = await client.volunteer.post(`/api/watch/alerts/${alert!.id}/take`);
    expect(taken.status).toBe(200);
  });
});
