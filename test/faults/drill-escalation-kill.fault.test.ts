import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { FaultStack } from '../support/fault-stack.js';
import { faultTestsEnabled, waitFor } from '../support/processes.js';
import { demo } from '../../server/src/demo/seed.js';

/**
 * A drill over a couple of thousand households on two instances, with escalation in
 * seconds. One instance is killed (SIGKILL) inside the deadline step, while it hands the
 * silent households to their 班長, and another inside the volunteers' tier. Every hand-over
 * and every tier must happen exactly once, each within seconds of when it was due — not
 * lost for good behind a once-only marker, and not after pg-boss's default 15 minutes.
 * "Inside" means past the step's once-only marker and before its commit: the instance is
 * killed while its UPDATE of the households waits behind a lock the test holds.
 */
const EXTRA_HOUSEHOLDS = 2_000;
const DEADLINE_IN_S = 15;
const VOLUNTEERS_AFTER_S = 40;
const OFFICERS_AFTER_S = 70;
/** A killed step comes back after its queue's expiry (drill-deadline 20 s, drill-escalate 15 s), supervision and polling. */
const KILLED_STEP_WITHIN_S = 40;
const STEP_WITHIN_S = 10;

let stack: FaultStack | undefined;
afterAll(async () => {
  await stack?.destroy();
});

describe.runIf(faultTestsEnabled)('drill escalation under SIGKILL', () => {
  it('hands over and escalates exactly once, within seconds, with an instance killed inside each step', async () => {
    stack = await FaultStack.start();
    await stack.startInstance('a');
    await stack.startInstance('b');
    const db = stack.db;
    const blocks = await db.selectFrom('blocks').select('id').where('association_id', '=', demo.associationId).orderBy('sort_order').execute();
    await db
      .insertInto('households')
      .values(
        Array.from({ length: EXTRA_HOUSEHOLDS }, (_, i) => ({
          association_id: demo.associationId, block_id: blocks[i % blocks.length]!.id, household_number: String(5000 + i),
          name: `訓練${i}家`, address: `京田辺市 ${i}`, channels: ['app'],
        })),
      )
      .execute();

    const officer = await stack.officer('a');
    const started = await officer.post('/api/drills', {
      kind: 'drill', title: '夜間訓練', message: '', targetBlockIds: null, announced: false,
      deadlineAt: new Date(Date.now() + DEADLINE_IN_S * 1000).toISOString(),
      volunteersAfterSeconds: VOLUNTEERS_AFTER_S, officersAfterSeconds: OFFICERS_AFTER_S,
    });
    expect(started.status, started.text).toBe(201);
    const drillId = started.body.id as string;
    const drill = await db.selectFrom('drills').select('deadline_at').where('id', '=', drillId).executeTakeFirstOrThrow();
    const due = {
      deadline: drill.deadline_at.getTime(),
      volunteers: drill.deadline_at.getTime() + VOLUNTEERS_AFTER_S * 1000,
      officers: drill.deadline_at.getTime() + OFFICERS_AFTER_S * 1000,
    };
    const targets = await db.selectFrom('drill_targets').select(sql<number>`count(*)::int`.as('n')).where('drill_id', '=', drillId).executeTakeFirstOrThrow();
    expect(targets.n).toBeGreaterThanOrEqual(EXTRA_HOUSEHOLDS);
    const markers = async () => (await db.selectFrom('drill_events').select(['what', 'at']).where('drill_id', '=', drillId).orderBy('id').execute()).filter((e) => e.what !== 'started' && !e.what.startsWith('skipped:'));
    const untilMarker = (what: string, timeoutMs: number) =>
      waitFor(`the ${what} step`, async () => (await markers()).find((e) => e.what === what), timeoutMs, 200);
    const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

    // 1. Killed inside the deadline step, in the middle of the hand-over.
    await sleepUntil(due.deadline - 2_000);
    const handOver = await stack.lockTable('drill_targets');
    const firstVictim = await handOver.killWaiter(20_000, { holding: 'drill_events' });
    await stack.startInstance(firstVictim);
    const deadline = await untilMarker('deadline', 60_000);
    const handedOver = await db.selectFrom('drill_targets').select(['tier', sql<number>`count(*)::int`.as('n')]).where('drill_id', '=', drillId).groupBy('tier').execute();
    // 1班's 班長 can log in; 2班–4班's cannot, so theirs went straight to the volunteers.
    expect(handedOver.map((t) => t.tier).sort()).toEqual(['captain', 'volunteers']);
    expect(handedOver.reduce((n, t) => n + t.n, 0)).toBe(targets.n);

    // 2. Killed inside the volunteers' tier.
    expect(Date.now(), 'the hand-over came back before the volunteers were due').toBeLessThan(due.volunteers - 2_000);
    await sleepUntil(due.volunteers - 2_000);
    const toVolunteers = await stack.lockTable('drill_targets');
    const secondVictim = await toVolunteers.killWaiter(20_000, { holding: 'drill_events' });
    await stack.startInstance(secondVictim);
    const volunteers = await untilMarker('escalated:volunteers', 60_000);

    // 3. The officers' tier, undisturbed.
    const officers = await untilMarker('escalated:officers', OFFICERS_AFTER_S * 1000);
    await new Promise((r) => setTimeout(r, 3_000)); // room for a repeat, were there one

    expect((await markers()).map((e) => e.what)).toEqual(['deadline', 'escalated:volunteers', 'escalated:officers']);
    const lateness = {
      deadline: (deadline.at.getTime() - due.deadline) / 1000,
      volunteers: (volunteers.at.getTime() - due.volunteers) / 1000,
      officers: (officers.at.getTime() - due.officers) / 1000,
    };
    expect(lateness.deadline, `hand-over ${lateness.deadline} s late`).toBeLessThan(KILLED_STEP_WITHIN_S);
    expect(lateness.volunteers, `volunteers ${lateness.volunteers} s late`).toBeLessThan(KILLED_STEP_WITHIN_S);
    expect(lateness.officers, `officers ${lateness.officers} s late`).toBeLessThan(STEP_WITHIN_S);
    const final = await db.selectFrom('drill_targets').select(['tier', sql<number>`count(*)::int`.as('n')]).where('drill_id', '=', drillId).groupBy('tier').execute();
    expect(final).toEqual([{ tier: 'officers', n: targets.n }]);
    expect([firstVictim, secondVictim].every((name) => ['a', 'b'].includes(name))).toBe(true);
  }, 240_000);
});
