import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ModuleContext } from '../../server/src/common/service-context.js';
import * as watch from '../../server/src/watch/watch.service.js';
import { moveNextChecks } from '../../server/src/watch/rhythm.repository.js';
import { setAssociationTimeZone } from '../../server/src/common/association.repository.js';
import type { TestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { seedAssociation, type SeededAssociation } from '../support/fixtures.js';
import { liveAlert, silentHome, speakerIn, watchActors, watchedHome } from '../support/factories/watch.js';
import { startSuite, stopSuite } from '../support/suite.js';

/**
 * The watch services called directly (no HTTP) on this file's database: the scan and the
 * escalation chain's once-only steps, and consent as the services apply it.
 */
let database: TestDatabase;
let server: TestServer;
let ctx: ModuleContext;
let x: SeededAssociation;
let actors: ReturnType<typeof watchActors>;

beforeAll(async () => {
  ({ database, server, x } = await startSuite());
  ctx = server.app.context;
  actors = watchActors(x);
});
afterAll(() => stopSuite({ server, database }));

const escalationJobs = async (alertId: string) =>
  (await sql<{ tier: string; state: string; start_after: Date }>`select data->>'tier' as tier, state, start_after from pgboss.job where name = 'watch-escalate' and data->>'alertId' = ${alertId} order by created_on`.execute(database.db)).rows;
const eventsOf = async (alertId: string) =>
  (await database.db.selectFrom('watch_alert_events').select(['what', 'tier']).where('alert_id', '=', alertId).orderBy('id').execute()).map((e) => `${e.what}${e.tier ? `:${e.tier}` : ''}`);

describe('the scan', () => {
  it('raises a silent home once, with its first escalation job in the same transaction', async () => {
    const home = x.households.A;
    await speakerIn(database.db, home, x.association.id);
    await silentHome(database.db, home, x.association.id, { prompt_wait_seconds: 3600, tier_wait_seconds: 3600 });

    // The job cannot be sent: the alert and the cleared next check roll back with it, and the home stays due.
    const failing: ModuleContext = { ...ctx, jobs: { ...ctx.jobs, send: async () => Promise.reject(new Error('the queue is down')) } };
    expect(await watch.scan(failing)).toMatchObject({ raised: 0 });
    expect(await database.db.selectFrom('watch_alerts').select('id').where('household_id', '=', home.id).execute()).toEqual([]);
    const still = await database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', home.id).executeTakeFirstOrThrow();
    expect(still.next_check_at!.getTime()).toBeLessThan(Date.now());

    // Two scans at once (two instances): one alert, one prompt event, one job for the next tier.
    const [first, second] = await Promise.all([watch.scan(ctx), watch.scan(ctx)]);
    expect(first.raised + second.raised).toBe(1);
    const alerts = await database.db.selectFrom('watch_alerts').select(['id', 'kind', 'tier', 'status']).where('household_id', '=', home.id).execute();
    expect(alerts).toMatchObject([{ kind: 'silent', tier: 'resident', status: 'open' }]);
    const alertId = alerts[0]!.id;
    expect(await eventsOf(alertId)).toEqual(['prompted:resident']);
    const jobs = await escalationJobs(alertId);
    expect(jobs).toMatchObject([{ tier: 'family_captain', state: 'created' }]);
    expect(jobs[0]!.start_after.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000); // after the resident's wait
    expect((await database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', home.id).executeTakeFirstOrThrow()).next_check_at).toBeNull();
    expect(await watch.scan(ctx)).toMatchObject({ raised: 0 });
  });
});

describe('escalation', () => {
  it('takes each tier once: its marker, the tier and the next job together, whoever runs the job', async () => {
    const home = x.households.B;
    await watchedHome(database.db, home, x.association.id, { tier_wait_seconds: 3600 });
    const alertId = await liveAlert(database.db, home, x.association.id);

    const results = await Promise.all([watch.escalate(ctx, alertId, 'family_captain'), watch.escalate(ctx, alertId, 'family_captain')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await watch.escalate(ctx, alertId, 'family_captain')).toBe(false);
    expect(await eventsOf(alertId)).toEqual(['escalated:family_captain']);
    expect(await database.db.selectFrom('watch_alerts').select('tier').where('id', '=', alertId).executeTakeFirstOrThrow()).toEqual({ tier: 'family_captain' });
    expect((await escalationJobs(alertId)).map((j) => j.tier)).toEqual(['volunteers']);

    // Taken ("I'll go"): the chain stops there.
    await watch.takeAlert(ctx, actors.captain2, alertId);
    expect(await watch.escalate(ctx, alertId, 'volunteers')).toBe(false);
    expect(await eventsOf(alertId)).toEqual(['escalated:family_captain', 'taken']);
  });
});

describe('consent', () => {
  it('hides a home’s activity and alerts from its 班長 once the household withdraws it; family and officers still see them', async () => {
    const y = await seedAssociation(database.db);
    const them = watchActors(y);
    const home = y.households.A; // 班1: captain1's block, member A's home, watched by watcher A
    await watchedHome(database.db, home, y.association.id);
    await watch.recordActivities(ctx, [{ householdId: home.id, associationId: y.association.id, at: new Date(), type: 'presence', count: 3 }]);
    const alertId = await liveAlert(database.db, home, y.association.id, 'silent', 'family_captain');
    const activity = async (who: keyof typeof them) => (await watch.householdWatch(ctx, them[who], home.id)).days.at(-1)!.hours.reduce((a, b) => a + b, 0);
    const listed = async (who: keyof typeof them) => (await watch.listAlerts(ctx, them[who], true)).items.map((a) => a.id);
    const onBoard = async (who: keyof typeof them) => (await watch.watchBoard(ctx, them[who])).items.map((h) => h.householdId);

    expect(await activity('captain1')).toBe(3);
    expect(await listed('captain1')).toEqual([alertId]);
    expect(await onBoard('captain1')).toContain(home.id);
    // Only the household (or an officer) decides who may see it.
    await expect(watch.updateSettings(ctx, them.captain1, home.id, { shareWithCaptain: true })).rejects.toMatchObject({ status: 403 });

    await watch.updateSettings(ctx, them.memberA, home.id, { shareWithCaptain: false });
    await expect(watch.householdWatch(ctx, them.captain1, home.id)).rejects.toMatchObject({ status: 404 });
    expect(await listed('captain1')).toEqual([]);
    expect(await onBoard('captain1')).not.toContain(home.id);
    await expect(watch.takeAlert(ctx, them.captain1, alertId)).rejects.toMatchObject({ status: 404 });
    expect(await activity('watcherA')).toBe(3);
    expect(await listed('watcherA')).toEqual([alertId]);
    expect(await activity('officer')).toBe(3);
    expect(await listed('officer')).toEqual([alertId]);
    // Volunteers never saw it: the default consent does not share with them.
    await expect(watch.householdWatch(ctx, them.volunteer, home.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('activity within the slack of the next check', () => {
  it('moves only the last activity; a scan at the trailing check finds the home active and reschedules it, and raises it at its real deadline', async () => {
    const y = await seedAssociation(database.db); // a home of its own: no other test's alerts
    const home = y.households.A;
    await speakerIn(database.db, home, y.association.id);
    await watchedHome(database.db, home, y.association.id, { inactivity_seconds: 12 * 3600, rhythm_enabled: false });
    const settingsNow = () => database.db.selectFrom('watch_settings').select(['last_activity_at', 'next_check_at']).where('household_id', '=', home.id).executeTakeFirstOrThrow();
    const first = new Date(Date.now() - 3 * 60_000);
    const second = new Date(first.getTime() + 2 * 60_000); // within the slack (five minutes for a 12-hour threshold)
    await watch.recordActivities(ctx, [{ householdId: home.id, associationId: y.association.id, at: first, type: 'presence', count: 1 }]);
    expect(await settingsNow()).toEqual({ last_activity_at: first, next_check_at: new Date(first.getTime() + 12 * 3600_000) });
    await watch.recordActivities(ctx, [{ householdId: home.id, associationId: y.association.id, at: second, type: 'presence', count: 1 }]);
    // The next check was left where the first activity put it: no index write.
    expect(await settingsNow()).toEqual({ last_activity_at: second, next_check_at: new Date(first.getTime() + 12 * 3600_000) });
    const viewer = await watch.householdWatch(ctx, watchActors(y).officer, home.id);
    expect(viewer.nextCheckAt).toBe(new Date(second.getTime() + 12 * 3600_000).toISOString()); // what the page shows: the real one

    // Scanned at the trailing check: the home was active since, so no alert; the check moves to the real deadline.
    expect(await watch.scan(ctx, 1000, new Date(first.getTime() + 12 * 3600_000))).toMatchObject({ raised: 0 });
    expect(await database.db.selectFrom('watch_alerts').select('id').where('household_id', '=', home.id).execute()).toEqual([]);
    expect((await settingsNow()).next_check_at).toEqual(new Date(second.getTime() + 12 * 3600_000));
    // Silent until then: raised.
    expect(await watch.scan(ctx, 1000, new Date(second.getTime() + 12 * 3600_000))).toMatchObject({ raised: 1 });

    // Activity beyond the slack, or a check that must come earlier, is written at once.
    const later = new Date(second.getTime() + 10 * 60_000);
    await database.db.updateTable('watch_settings').set({ next_check_at: new Date(second.getTime() + 12 * 3600_000) }).where('household_id', '=', home.id).execute();
    await watch.recordActivities(ctx, [{ householdId: home.id, associationId: y.association.id, at: later, type: 'presence', count: 1 }]);
    expect((await settingsNow()).next_check_at).toEqual(new Date(later.getTime() + 12 * 3600_000));
  });

  it("a scan's reschedule never moves back a check that activity moved later after the scan read it", async () => {
    const y = await seedAssociation(database.db);
    const home = y.households.A;
    await watchedHome(database.db, home, y.association.id, { inactivity_seconds: 12 * 3600, rhythm_enabled: false });
    const read = new Date(Date.now() - 60_000); // the check the scan read
    const movedByActivity = new Date(Date.now() + 12 * 3600_000); // written by an activity batch in between
    const scanWants = new Date(Date.now() + 11 * 3600_000);
    const nextCheck = async () => (await database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', home.id).executeTakeFirstOrThrow()).next_check_at;
    await database.db.updateTable('watch_settings').set({ next_check_at: movedByActivity }).where('household_id', '=', home.id).execute();
    await moveNextChecks(database.db, [{ id: home.id, next: scanWants.toISOString(), seen: read.toISOString() }]);
    expect(await nextCheck()).toEqual(movedByActivity);
    // Unchanged since the read: moved.
    await moveNextChecks(database.db, [{ id: home.id, next: scanWants.toISOString(), seen: movedByActivity.toISOString() }]);
    expect(await nextCheck()).toEqual(scanWants);
  });
});

describe("quiet hours by the clock of the home's own association", () => {
  it('a Honolulu home in its quiet night is not checked while a Tokyo home at the same instant is; the reverse at Tokyo night; each at its own quiet end', async () => {
    const HOUR = 3600_000;
    const tokyo = await seedAssociation(database.db); // Asia/Tokyo, the default
    const honolulu = await seedAssociation(database.db);
    await setAssociationTimeZone(database.db, honolulu.association.id, 'Pacific/Honolulu');
    // The same rules everywhere: 12 h of silence, quiet 22:00–06:00, no rhythm.
    const rules = { inactivity_seconds: 12 * 3600, quiet_start: '22:00', quiet_end: '06:00', rhythm_enabled: false };
    // A UTC midnight two days ago, so every instant below is past. Neither zone keeps daylight
    // saving: Tokyo's clock reads UTC + 9 h, Honolulu's UTC − 10 h, whatever the date.
    const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
    const utc = (hours: number) => new Date(midnight + hours * HOUR);
    const homes = {
      tokyoDay: { home: tokyo.households.A, associationId: tokyo.association.id, lastActive: utc(21) }, // 06:00 in Tokyo
      honoluluDay: { home: honolulu.households.A, associationId: honolulu.association.id, lastActive: utc(21) }, // 11:00 in Honolulu
      tokyoNight: { home: tokyo.households.B, associationId: tokyo.association.id, lastActive: utc(5) }, // 14:00 in Tokyo
      honoluluNight: { home: honolulu.households.B, associationId: honolulu.association.id, lastActive: utc(5) }, // 19:00 in Honolulu
    };
    for (const { home, associationId, lastActive } of Object.values(homes)) {
      await speakerIn(database.db, home, associationId);
      await watchedHome(database.db, home, associationId, rules);
      // The last sign of life through the activity path ingest takes: it sets the next check.
      await watch.recordActivities(ctx, [{ householdId: home.id, associationId, at: lastActive, type: 'presence', count: 1 }]);
    }
    const raised = async (which: keyof typeof homes) =>
      (await database.db.selectFrom('watch_alerts').select('id').where('household_id', '=', homes[which].home.id).where('kind', '=', 'silent').execute()).length > 0;

    // 17:00 UTC: 02:00 in Tokyo (quiet), 07:00 in Honolulu. Only the Honolulu home is asked.
    await watch.scan(ctx, 1000, utc(17));
    expect(await raised('honoluluNight')).toBe(true);
    expect(await raised('tokyoNight')).toBe(false);
    // 21:00 UTC: 06:00 in Tokyo, its quiet hours over: now the Tokyo home is asked.
    await watch.scan(ctx, 1000, utc(21));
    expect(await raised('tokyoNight')).toBe(true);

    // 09:00 UTC the next day: 18:00 in Tokyo, 23:00 in Honolulu (quiet). Only the Tokyo home is asked.
    await watch.scan(ctx, 1000, utc(33));
    expect(await raised('tokyoDay')).toBe(true);
    expect(await raised('honoluluDay')).toBe(false);
    // What its watch page shows: the next check at 06:00 Honolulu time, the end of its quiet night.
    const page = await watch.householdWatch(ctx, watchActors(honolulu).officer, homes.honoluluDay.home.id);
    expect(page.nextCheckAt).toBe(utc(40).toISOString());
    // 16:00 UTC the next day: 06:00 in Honolulu, its quiet hours over: now the Honolulu home is asked.
    await watch.scan(ctx, 1000, utc(39)); // 05:00 in Honolulu: still quiet
    expect(await raised('honoluluDay')).toBe(false);
    await watch.scan(ctx, 1000, utc(40));
    expect(await raised('honoluluDay')).toBe(true);
    // Asked on its speaker, as any silent home.
    const events = await database.db.selectFrom('watch_alert_events as e').innerJoin('watch_alerts as a', 'a.id', 'e.alert_id').select('e.what').where('a.household_id', '=', homes.honoluluDay.home.id).execute();
    expect(events.map((e) => e.what)).toEqual(['prompted']);
  });
});
