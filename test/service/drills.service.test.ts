import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import type { SeededAssociation } from '../support/fixtures.js';
import { answered, createDrill } from '../support/factories/drills.js';
import type { Actor } from '../../server/src/common/access.js';
import type { Jobs } from '../../server/src/platform/jobs/jobs.js';
import { answerByProxy, deadline, endDrill, listDrills, report, startDrill, type DrillContext } from '../../server/src/drills/drill.service.js';
import { startSuite, stopSuite } from '../support/suite.js';

/**
 * The drills' services called directly (no HTTP) on this file's database: the outbox rule of
 * the start and the deadline, and an access rule of the proxy answer.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;

beforeAll(async () => ({ database, server, x } = await startSuite({ label: 'ds' })));
afterAll(() => stopSuite({ server, database }));

const ctx = (): DrillContext => server.app.context;
function actorOf(personId: string, roles: Partial<Actor> = {}): Actor {
  return {
    sessionId: 'service-test', personId, associationId: x.association.id, officer: false, captainOf: [], volunteer: false,
    welfareCommissioner: false, watcherOf: [], householdId: null, ...roles,
  };
}
const officer = () => actorOf(x.people.officer.id, { officer: true });
const jobsOf = async (drillId: string) =>
  (await sql<{ name: string; data: { tier?: string }; start_after: Date }>`select name, data, start_after from pgboss.job where data->>'drillId' = ${drillId} order by name, data->>'tier'`.execute(database.db)).rows;
const tiers = async (drillId: string) =>
  (await database.db.selectFrom('drill_targets').select('tier').where('drill_id', '=', drillId).execute()).reduce<Record<string, number>>((n, t) => ({ ...n, [t.tier]: (n[t.tier] ?? 0) + 1 }), {});
const startInput = (title: string) => ({
  kind: 'drill' as const, title, message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(), volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
});

describe('starting a drill', () => {
  it('writes its targets and both jobs (ask, deadline) in one transaction', async () => {
    const started = await startDrill(ctx(), officer(), startInput('一度に書く'));
    expect(started).toMatchObject({ total: 4, accounted: 0, status: 'active' });
    expect(await tiers(started.id)).toEqual({ none: 3, captain: 1 });
    const jobs = await jobsOf(started.id);
    expect(jobs.map((j) => j.name)).toEqual(['drill-ask', 'drill-deadline']);
    expect(jobs[1]!.start_after.toISOString()).toBe(started.deadlineAt);

    // The deadline job cannot be written: nothing of the drill is left, not its targets, not its ask.
    const jobs$ = ctx().jobs;
    const failingJobs: Jobs = {
      ...jobs$,
      send: (async (trx, queue, data, options) => {
        if (queue === 'drill-deadline') throw new Error('the job table is gone');
        return jobs$.send(trx, queue, data, options);
      }) as Jobs['send'],
    };
    await expect(startDrill({ ...ctx(), jobs: failingJobs }, officer(), startInput('書けない'))).rejects.toThrow('the job table is gone');
    expect(await database.db.selectFrom('drills').select('id').where('title', '=', '書けない').execute()).toEqual([]);
    const asks = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'drill-ask'`.execute(database.db);
    expect(asks.rows[0]!.n).toBe(1);
    const targets = await sql<{ n: number }>`select count(*)::int as n from drill_targets`.execute(database.db);
    expect(targets.rows[0]!.n).toBe(4);
  });
});

describe('the deadline', () => {
  it('hands the silent homes to their 班長 once (its marker), with both tier jobs', async () => {
    const deadlineAt = new Date(Date.now() + 600_000);
    const drill = await createDrill(database.db, x.association.id, { deadlineAt, volunteersAfterSeconds: 60, officersAfterSeconds: 120 });
    await answered(database.db, drill.id, x.households.A.id);
    // Two runs at once (a retried job, another instance): one hands over, the other finds the marker.
    const handed = await Promise.all([deadline(ctx(), drill.id), deadline(ctx(), drill.id)]);
    expect(handed.sort()).toEqual([0, 2]);
    expect(await deadline(ctx(), drill.id)).toBe(0);
    // B and C were silent; D (paper only) was on its 班長's list from the start; A answered.
    expect(await tiers(drill.id)).toEqual({ none: 1, captain: 3 });
    const events = await database.db.selectFrom('drill_events').select('what').where('drill_id', '=', drill.id).orderBy('id').execute();
    expect(events.map((e) => e.what)).toEqual(['started', 'deadline']);
    const jobs = await jobsOf(drill.id);
    expect(jobs.map((j) => [j.name, j.data.tier])).toEqual([['drill-escalate', 'officers'], ['drill-escalate', 'volunteers']]);
    expect(jobs.map((j) => j.start_after.getTime() - deadlineAt.getTime()).sort((a, b) => a - b)).toEqual([60_000, 120_000]);
  });
});

describe('a proxy answer', () => {
  it('is refused for a neighbour of another 班, and taken from one of the same 班', async () => {
    const drill = await createDrill(database.db, x.association.id);
    // Member A lives in 1班: household B is in 2班.
    const memberA = actorOf(x.people.memberA.id, { householdId: x.households.A.id });
    await expect(answerByProxy(ctx(), memberA, drill.id, { householdId: x.households.B.id, status: 'safe', where: 'home', note: '' })).rejects.toMatchObject({ status: 404 });
    const recorded = await database.db.selectFrom('drill_answers').select('id').where('drill_id', '=', drill.id).execute();
    expect(recorded).toEqual([]);
    // Household C is in 1班: a neighbour's word counts.
    const confirmed = await answerByProxy(ctx(), memberA, drill.id, { householdId: x.households.C.id, status: 'safe', where: 'home', note: '声をかけた' });
    expect(confirmed.answer).toMatchObject({ status: 'safe', channel: 'proxy' });
  });
});

describe('which ended drills a 班長 sees', () => {
  // Read from the kept per-班 counts (drill_block_counts), not from the drill's targets.
  it('those that reached their 班: listed, reported, and compared with in the next report', async () => {
    const captain1 = () => actorOf(x.people.captain1.id, { captainOf: [x.blocks.block1.id] });
    const captain2 = () => actorOf(x.people.captain2.id, { captainOf: [x.blocks.block2.id] });
    const ofBlock2 = await startDrill(ctx(), officer(), { ...startInput('2班だけ'), targetBlockIds: [x.blocks.block2.id] });
    await endDrill(ctx(), officer(), ofBlock2.id);
    const listed = async (actor: Actor) => (await listDrills(ctx(), actor)).items.map((d) => d.id);
    expect(await listed(captain2())).toContain(ofBlock2.id);
    expect(await listed(captain1())).not.toContain(ofBlock2.id);
    expect((await report(ctx(), captain2(), ofBlock2.id)).scope).toEqual({ kind: 'blocks', blockNames: [expect.any(String)] });
    await expect(report(ctx(), captain1(), ofBlock2.id)).rejects.toMatchObject({ status: 404 });

    // The next drill of the whole association: 2班's 班長 compares it with the drill of 2班, 1班's does not.
    const whole = await startDrill(ctx(), officer(), startInput('全体'));
    await endDrill(ctx(), officer(), whole.id);
    const previous = async (actor: Actor) => (await report(ctx(), actor, whole.id)).previous.map((p) => p.id);
    expect(await previous(captain2())).toContain(ofBlock2.id);
    expect(await previous(captain1())).not.toContain(ofBlock2.id);
  });
});
