import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { until } from './support/wait.js';
import type { TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import type { SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { stableJobId } from '../server/src/platform/jobs/jobs.js';
import { makeDue } from './support/jobs.js';

/**
 * Multi-step durable jobs (issue 8): a step that fails part-way — the way a crash leaves it,
 * here a fault injected into its last statement — leaves nothing behind, and its retry does
 * the whole step exactly once; a job whose worker vanished is taken up again within seconds;
 * drills and silent-home chains set in seconds run through the real jobs.
 *
 * Faults: a trigger raises while a row named after the fault is in `faults`, so the test arms
 * a fault, sees the failed attempt leave no trace, disarms it and watches the retry.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'jobs', server: { watchScanSeconds: 1 } }));
  officer = await loggedInClient(server, x.logins.officer);
  await sql`
    create table faults (name text primary key);
    create function inject_fault() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from faults where name = tg_argv[0]) then
        raise exception 'injected fault %', tg_argv[0];
      end if;
      return new;
    end $$;
    -- The last statement of the drill deadline step: the officers' tier job.
    create trigger fault_drill_officers_job before insert on pgboss.job for each row
      when (new.name = 'drill-escalate' and new.data->>'tier' = 'officers') execute function inject_fault('drill-officers-job');
    -- The last statement of a drill escalation: moving the tasks up.
    create trigger fault_drill_volunteers_move before update on drill_targets for each row
      when (new.tier = 'volunteers' and old.tier <> 'volunteers') execute function inject_fault('drill-volunteers-move');
    -- The last statement of a watch tier step: the next tier's job.
    create trigger fault_watch_volunteers_job before insert on pgboss.job for each row
      when (new.name = 'watch-escalate' and new.data->>'tier' = 'volunteers') execute function inject_fault('watch-volunteers-job');
    -- The last statement of raising a silent-home alert: the first tier's job.
    create trigger fault_watch_first_job before insert on pgboss.job for each row
      when (new.name = 'watch-escalate' and new.data->>'tier' = 'family_captain') execute function inject_fault('watch-first-job');
  `.execute(database.db);
});
afterAll(() => stopSuite({ servers: [server], database }));

const arm = (name: string) => sql`insert into faults values (${name})`.execute(database.db);
const disarm = (name: string) => sql`delete from faults where name = ${name}`.execute(database.db);
const jobs = async (queue: string, where: { drillId?: string; alertId?: string; tier?: string } = {}) =>
  (
    await sql<{ state: string; retry_count: number; data: { tier?: string } }>`
      select state, retry_count, data from pgboss.job
      where name = ${queue}
        and (${where.drillId ?? null}::text is null or data->>'drillId' = ${where.drillId ?? null})
        and (${where.alertId ?? null}::text is null or data->>'alertId' = ${where.alertId ?? null})
        and (${where.tier ?? null}::text is null or data->>'tier' = ${where.tier ?? null})`.execute(database.db)
  ).rows;
const drillEvents = async (drillId: string) => (await database.db.selectFrom('drill_events').select('what').where('drill_id', '=', drillId).orderBy('at').orderBy('id').execute()).map((e) => e.what);
const tiers = async (drillId: string) =>
  (await database.db.selectFrom('drill_targets').select(['household_id', 'tier']).where('drill_id', '=', drillId).execute()).reduce<Record<string, number>>((n, t) => ({ ...n, [t.tier]: (n[t.tier] ?? 0) + 1 }), {});

async function startDrill(body: Record<string, unknown> = {}) {
  const started = await officer.post('/api/drills', { kind: 'drill', title: '訓練', deadlineAt: new Date(Date.now() + 3_600_000).toISOString(), ...body });
  expect(started.status).toBe(201);
  return started.body.id as string;
}

describe('the drill deadline step', () => {
  it('leaves no marker when its last statement fails, and its retry hands every silent household over once with both tier jobs', async () => {
    const drillId = await startDrill();
    // Household A answers; B is silent; C (speaker and paper) is silent; D is paper-only, on the 班長's list from the start.
    const memberA = await loggedInClient(server, x.logins.memberA);
    expect((await memberA.post(`/api/drills/${drillId}/answer`, { status: 'safe' })).status).toBe(200);

    await arm('drill-officers-job');
    await makeDue(database.db, 'drill-deadline', { drillId });
    const failed = await until(() => jobs('drill-deadline', { drillId }), (rows) => rows[0]?.state === 'retry' || (rows[0]?.retry_count ?? 0) > 0);
    expect(failed[0]?.state === 'retry' || failed[0]!.retry_count > 0).toBe(true);
    // The failed attempt left nothing: no marker, nobody handed over, no tier job.
    expect(await drillEvents(drillId)).toEqual(['started']);
    expect(await tiers(drillId)).toEqual({ none: 3, captain: 1 });
    expect(await jobs('drill-escalate', { drillId })).toEqual([]);

    await disarm('drill-officers-job');
    const done = await until(() => jobs('drill-deadline', { drillId }), (rows) => rows[0]?.state === 'completed', 15_000);
    expect(done[0]?.state).toBe('completed');
    expect(await drillEvents(drillId)).toEqual(['started', 'deadline']);
    // The two silent households (B, C) and the paper-only D are the 班長s' tasks; A answered.
    expect(await tiers(drillId)).toEqual({ none: 1, captain: 3 });
    const next = await jobs('drill-escalate', { drillId });
    expect(next.map((j) => j.data.tier).sort()).toEqual(['officers', 'volunteers']);
    expect(next.every((j) => j.state === 'created')).toBe(true);
  }, 40_000);

  it('an escalation that fails part-way moves nobody and keeps no marker; its retry moves every untaken task once', async () => {
    const drillId = await startDrill();
    await makeDue(database.db, 'drill-deadline', { drillId });
    await until(() => jobs('drill-deadline', { drillId }), (rows) => rows[0]?.state === 'completed');
    expect(await tiers(drillId)).toEqual({ captain: 4 });

    await arm('drill-volunteers-move');
    await makeDue(database.db, 'drill-escalate', { drillId, tier: 'volunteers' });
    await until(() => jobs('drill-escalate', { drillId, tier: 'volunteers' }), (rows) => rows[0]?.state === 'retry' || (rows[0]?.retry_count ?? 0) > 0);
    expect(await drillEvents(drillId)).toEqual(['started', 'deadline']);
    expect(await tiers(drillId)).toEqual({ captain: 4 });

    await disarm('drill-volunteers-move');
    const done = await until(() => jobs('drill-escalate', { drillId, tier: 'volunteers' }), (rows) => rows[0]?.state === 'completed', 15_000);
    expect(done[0]?.state).toBe('completed');
    expect(await drillEvents(drillId)).toEqual(['started', 'deadline', 'escalated:volunteers']);
    expect(await tiers(drillId)).toEqual({ volunteers: 4 });
  }, 40_000);

  it('run twice at once by two instances (a retry overlapping a slow first run), hands over once and schedules each tier once', async () => {
    const second = await startTestServer(database);
    try {
      const drillId = await startDrill();
      // A second copy of the step, as pg-boss makes when it retries a run that overran its expiry.
      await sql`insert into pgboss.job (name, data, start_after, expire_in, retry_limit, retry_delay, retry_backoff)
                select name, data, start_after, expire_in, retry_limit, retry_delay, retry_backoff from pgboss.job
                where name = 'drill-deadline' and data->>'drillId' = ${drillId}`.execute(database.db);
      await makeDue(database.db, 'drill-deadline', { drillId });
      const done = await until(() => jobs('drill-deadline', { drillId }), (rows) => rows.length === 2 && rows.every((r) => r.state === 'completed'), 15_000);
      expect(done.map((r) => r.state)).toEqual(['completed', 'completed']);
      expect(await drillEvents(drillId)).toEqual(['started', 'deadline']);
      expect(await tiers(drillId)).toEqual({ captain: 4 });
      expect((await jobs('drill-escalate', { drillId })).map((j) => j.data.tier).sort()).toEqual(['officers', 'volunteers']);
    } finally {
      await second.close();
    }
  }, 40_000);

  it('is taken up again within seconds when the worker that claimed it vanished', async () => {
    const drillId = await startDrill();
    // As a worker that claimed the job 30 s ago and was killed leaves it: active, never completed.
    await sql`update pgboss.job set state = 'active', start_after = now() - interval '31 seconds', started_on = now() - interval '30 seconds'
              where name = 'drill-deadline' and data->>'drillId' = ${drillId}`.execute(database.db);
    const t0 = Date.now();
    const done = await until(() => jobs('drill-deadline', { drillId }), (rows) => rows[0]?.state === 'completed', 20_000);
    expect(done[0]?.state).toBe('completed');
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(done[0]!.retry_count).toBe(1);
    expect(await drillEvents(drillId)).toEqual(['started', 'deadline']);
    expect(await tiers(drillId)).toEqual({ captain: 4 });
  }, 40_000);
});

describe('fan-out pieces', () => {
  it('a continuation enqueued twice (a piece and its retry) is one job', async () => {
    const drillId = await startDrill();
    const after = x.households.B.id;
    const id = stableJobId('drill-ask', drillId, after);
    await database.db.transaction().execute(async (trx) => {
      await server.app.jobs.send(trx, 'drill-ask', { drillId, after }, { id, startAfter: new Date(Date.now() + 3_600_000) });
    });
    await server.app.jobs.sendDetached('continuation', 'drill-ask', { drillId, after }, { id, startAfter: new Date(Date.now() + 3_600_000) });
    const rows = (await jobs('drill-ask', { drillId })).filter((j) => (j.data as { after?: string }).after === after);
    expect(rows).toHaveLength(1);
  });
});

describe('a drill set in seconds', () => {
  it('refuses a tier delay given in both units, naming the field', async () => {
    const both = await officer.post('/api/drills', { kind: 'drill', title: '訓練', deadlineAt: new Date(Date.now() + 60_000).toISOString(), volunteersAfterMinutes: 1, volunteersAfterSeconds: 5 });
    expect(both.status).toBe(400);
    expect(both.body.error.field).toBe('volunteersAfterSeconds');
    const order = await officer.post('/api/drills', { kind: 'drill', title: '訓練', deadlineAt: new Date(Date.now() + 60_000).toISOString(), volunteersAfterSeconds: 5, officersAfterSeconds: 5 });
    expect(order.status).toBe(400);
    expect(order.body.error.field).toBe('officersAfterSeconds');
  });

  it('hands silent households to the 班長 at the deadline, then volunteers and officers seconds later, through the real jobs', async () => {
    const deadlineAt = new Date(Date.now() + 3_000);
    const drillId = await startDrill({ deadlineAt: deadlineAt.toISOString(), volunteersAfterSeconds: 2, officersAfterSeconds: 4 });
    const events = await until(() => drillEvents(drillId), (e) => e.includes('escalated:officers'), 25_000);
    expect(events).toEqual(['started', 'deadline', 'escalated:volunteers', 'escalated:officers']);
    const at = await database.db.selectFrom('drill_events').select(['what', 'at']).where('drill_id', '=', drillId).execute();
    const due = { deadline: 0, 'escalated:volunteers': 2_000, 'escalated:officers': 4_000 } as Record<string, number>;
    for (const e of at.filter((e) => e.what !== 'started')) {
      // Each step within seconds of when it was due (polling, not minutes).
      expect(e.at.getTime() - (deadlineAt.getTime() + due[e.what]!)).toBeGreaterThanOrEqual(-50);
      expect(e.at.getTime() - (deadlineAt.getTime() + due[e.what]!)).toBeLessThan(5_000);
    }
    expect(await tiers(drillId)).toEqual({ officers: 4 });
  }, 40_000);
});

describe('the silent-home chain', () => {
  const alertOf = (householdId: string) =>
    database.db.selectFrom('watch_alerts').select(['id', 'tier', 'status']).where('household_id', '=', householdId).where('kind', '=', 'silent').where('status', '=', 'open').executeTakeFirst();
  const escalations = async (alertId: string) =>
    (await database.db.selectFrom('watch_alert_events').select(['what', 'tier']).where('alert_id', '=', alertId).orderBy('at').orderBy('id').execute()).map((e) => `${e.what}:${e.tier ?? ''}`);

  it('refuses a timing given in both units, naming the field', async () => {
    const both = await officer.patch(`/api/watch/households/${x.households.B.id}/settings`, { inactivityHours: 1, inactivitySeconds: 5 });
    expect(both.status).toBe(400);
    expect(both.body.error.field).toBe('inactivitySeconds');
    const zero = await officer.patch(`/api/watch/households/${x.households.B.id}/settings`, { tierWaitSeconds: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.field).toBe('tierWaitSeconds');
  });

  it('raising an alert that fails at its last statement leaves no alert behind, and the next scan raises it once', async () => {
    // Household B: no speaker, so the first tier is due at once.
    await arm('watch-first-job');
    const set = await officer.patch(`/api/watch/households/${x.households.B.id}/settings`, { inactivitySeconds: 1, promptWaitSeconds: 2, tierWaitSeconds: 600 });
    expect(set.status).toBe(200);
    // Scans run every second; each fails at the job insert while the fault is armed.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await alertOf(x.households.B.id)).toBeUndefined();
    const settings = await database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', x.households.B.id).executeTakeFirstOrThrow();
    expect(settings.next_check_at).not.toBeNull(); // still due: the failed scan cleared nothing

    await disarm('watch-first-job');
    const alert = await until(() => alertOf(x.households.B.id), (a) => !!a && a.tier === 'family_captain', 15_000);
    expect(alert?.tier).toBe('family_captain');
    expect(await escalations(alert!.id)).toEqual(['no_speaker:resident', 'escalated:family_captain']);
    expect((await jobs('watch-escalate', { alertId: alert!.id })).map((j) => j.data.tier).sort()).toEqual(['family_captain', 'volunteers']);
    await officer.post(`/api/watch/alerts/${alert!.id}/resolve`, { outcome: 'fine', note: '' });
  }, 40_000);

  it('a tier step that fails at its last statement keeps no marker; its retry escalates once and schedules the next tier', async () => {
    const created = await officer.post('/api/devices', { label: 'スピーカー', householdId: x.households.C.id });
    expect(created.status).toBe(201);
    await arm('watch-volunteers-job');
    await officer.patch(`/api/watch/households/${x.households.C.id}/settings`, { inactivitySeconds: 1, promptWaitSeconds: 1, tierWaitSeconds: 600 });
    const raised = await until(() => alertOf(x.households.C.id), (a) => !!a);
    const first = await until(() => jobs('watch-escalate', { alertId: raised!.id, tier: 'family_captain' }), (rows) => rows[0]?.state === 'retry' || (rows[0]?.retry_count ?? 0) > 0);
    expect(first[0]?.state === 'retry' || first[0]!.retry_count > 0).toBe(true);
    expect((await alertOf(x.households.C.id))?.tier).toBe('resident');
    expect(await escalations(raised!.id)).toEqual(['prompted:resident']);

    await disarm('watch-volunteers-job');
    await until(() => alertOf(x.households.C.id), (a) => a?.tier === 'family_captain', 15_000);
    await until(() => jobs('watch-escalate', { alertId: raised!.id, tier: 'family_captain' }), (rows) => rows[0]?.state === 'completed');
    expect(await escalations(raised!.id)).toEqual(['prompted:resident', 'escalated:family_captain']);
    const next = await jobs('watch-escalate', { alertId: raised!.id, tier: 'volunteers' });
    expect(next.map((j) => j.state)).toEqual(['created']);
    await officer.post(`/api/watch/alerts/${raised!.id}/resolve`, { outcome: 'fine', note: '' });
  }, 40_000);

  it('a home set in seconds goes silent, is asked, and reaches family, volunteers and officers within seconds', async () => {
    await officer.post('/api/devices', { label: 'スピーカー', householdId: x.households.A.id });
    const set = await officer.patch(`/api/watch/households/${x.households.A.id}/settings`, { inactivitySeconds: 2, promptWaitSeconds: 2, tierWaitSeconds: 2 });
    expect(set.status).toBe(200);
    expect(set.body.settings).toMatchObject({ inactivitySeconds: 2, promptWaitSeconds: 2, tierWaitSeconds: 2 });
    const t0 = Date.now();
    const alert = await until(() => alertOf(x.households.A.id), (a) => a?.tier === 'officers', 30_000);
    expect(alert?.tier).toBe('officers');
    // Silent after 2 s, asked, then the tiers 2 s apart: well within 20 s with second-scale scans.
    // The home does not share with volunteers, so their tier is passed at once, saying so.
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await escalations(alert!.id)).toEqual(['prompted:resident', 'escalated:family_captain', 'escalated:volunteers', 'skipped:volunteers', 'escalated:officers']);
  }, 40_000);
});
