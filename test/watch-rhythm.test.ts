import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ModuleContext } from '../server/src/common/service-context.js';
import * as watch from '../server/src/watch/watch.service.js';
import { dayStartOf, watchDayOf, watchDayStart } from '../server/src/watch/watch-time.js';
import { watchModule } from '../server/src/watch/watch.module.js';
import { pgBossCronParser } from '../server/src/platform/jobs/schedule-check.js';
import { setAssociationTimeZone } from '../server/src/common/association.repository.js';
import { addDays } from '../server/src/common/local-time.js';
import { seededRandom, simulatedHistory } from '../devices/src/simulator-patterns.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { speakerIn, watchedHome } from './support/factories/watch.js';
import { makeDue } from './support/jobs.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { until } from './support/wait.js';
import { inTransaction } from '../server/src/platform/db/transaction.js';

/**
 * A silent home noticed in hours, not a day: simulated homes with the simulator's daily
 * rhythm (devices/src/simulator-patterns.ts) for three weeks, then a fall. Their history is
 * seeded as the server keeps it (hourly), the rhythm learned as the rhythm job does, the last
 * sign of life sent through the real activity path, and the scan run with its clock set to the
 * moment to test; the tiers are the real durable jobs, made due as the clock would. All at the
 * default rules (12 h threshold, 2 h rhythm grace, 15 + 15 min waits).
 */
let database: TestDatabase;
let server: TestServer;
let ctx: ModuleContext;
let x: SeededAssociation;
let officer: ApiClient;

beforeAll(async () => {
  ({ database, server, x } = await startSuite());
  ctx = server.app.context;
  officer = await loggedInClient(server, x.logins.officer);
});
afterAll(() => stopSuite({ server, database }));

const HOUR = 3600_000;
/** The watch day of the fall: the one that started two days ago at 04:00, Japan time (so all of it is past). */
const fallDay = () => new Date(dayStartOf(new Date(), 'Asia/Tokyo').getTime() - 2 * 86_400_000);
const jstClock = (at: Date) => new Date(at.getTime() + 9 * HOUR).toISOString().slice(11, 16);
const span = (ms: number) => `${Math.floor(ms / HOUR)} h ${String(Math.round((ms % HOUR) / 60_000)).padStart(2, '0')} min`;

/**
 * A home lived in as the simulator's resident lives, for `days` days before the fall day,
 * then on the fall day until `fallAt`; its rhythm learned at 04:10 of the fall day; its last
 * sign of life recorded. Returns what the server made of it.
 */
async function simulatedHome(
  home: { id: string },
  associationId: string,
  options: { seed: number; fallAt: Date; days?: number; before?: () => Promise<unknown>; day?: Date; shiftMs?: number },
) {
  const day = options.day ?? fallDay();
  // The simulator's resident lives by Tokyo's clock; one living the same hours by a clock
  // `shiftMs` behind it (another zone) does everything that much later.
  const shift = options.shiftMs ?? 0;
  await watchedHome(database.db, home, associationId);
  await speakerIn(database.db, home, associationId);
  const fallInTokyo = new Date(options.fallAt.getTime() - shift);
  const simulated = simulatedHistory(new Date(day.getTime() - (options.days ?? 21) * 86_400_000 - shift), fallInTokyo, seededRandom(options.seed), fallInTokyo);
  const hours = simulated.hours.map((h) => ({ hour: new Date(h.hour.getTime() + shift), presence: h.presence }));
  const lastActivity = new Date(simulated.lastActivity!.getTime() + shift);
  await database.db.insertInto('activity_hourly').values(hours.map((h) => ({ household_id: home.id, hour: h.hour, presence: h.presence }))).execute();
  await watch.learnRhythms(ctx, { now: new Date(day.getTime() + 10 * 60_000), householdIds: [home.id] });
  await options.before?.();
  await watch.recordActivities(ctx, [{ householdId: home.id, associationId, at: lastActivity, type: 'presence' }]);
  const settings = await database.db.selectFrom('watch_settings').selectAll().where('household_id', '=', home.id).executeTakeFirstOrThrow();
  return { settings, lastActivity, usualHour: settings.rhythm_usual_hour };
}

const alertOf = (householdId: string) => database.db.selectFrom('watch_alerts').select(['id', 'tier', 'kind']).where('household_id', '=', householdId).where('kind', '=', 'silent').executeTakeFirst();
const firstEvent = async (alertId: string) => database.db.selectFrom('watch_alert_events').select(['what', 'detail']).where('alert_id', '=', alertId).orderBy('id').executeTakeFirstOrThrow();

/** The check, scanned for a minute before it and at it: the instant it is raised. */
async function checkRaisedAt(householdId: string, at: Date) {
  await watch.scan(ctx, 1000, new Date(at.getTime() - 60_000));
  expect(await alertOf(householdId), 'no check a minute early').toBeUndefined();
  await watch.scan(ctx, 1000, at);
  return (await alertOf(householdId))!;
}

describe('a home with a daily rhythm that falls silent', () => {
  it('is checked two hours after its usual hour the next morning, and its 班長 told 15 minutes later', async () => {
    const home = x.households.A;
    const fallAt = new Date(fallDay().getTime() + 17 * HOUR); // 21:00, after dinner
    const { settings, lastActivity, usualHour } = await simulatedHome(home, x.association.id, { seed: 11, fallAt });
    // The simulator's resident wakes at 05:30: usually active by 6時, on 80% of days or more.
    expect(usualHour).toBe(6);
    expect([settings.inactivity_seconds, settings.prompt_wait_seconds, settings.tier_wait_seconds, settings.rhythm_grace_seconds]).toEqual([12 * 3600, 900, 900, 7200]);
    const rhythmCheck = new Date(fallDay().getTime() + 86_400_000 + (6 - 4 + 2) * HOUR); // 08:00 the next morning
    expect(settings.next_check_at).toEqual(rhythmCheck);

    // The morning of the fall day, up as usual: no check then (the scan at that hour finds nothing due).
    await watch.scan(ctx, 1000, new Date(fallDay().getTime() + 4 * HOUR));
    expect(await alertOf(home.id)).toBeUndefined();

    const alert = await checkRaisedAt(home.id, rhythmCheck);
    expect(alert).toMatchObject({ tier: 'resident' });
    expect(await firstEvent(alert.id)).toMatchObject({ what: 'prompted', detail: expect.stringContaining('rhythm: usually active by 6:00') });

    // The resident does not answer: the 班長 is told after the prompt wait (15 min).
    const job = (await sql<{ wait: number }>`select extract(epoch from start_after - created_on)::float8 as wait from pgboss.job where name = 'watch-escalate' and data->>'alertId' = ${alert.id}`.execute(database.db)).rows[0]!;
    expect(Math.round(job.wait)).toBe(900);
    const captain = await loggedInClient(server, x.logins.captain1);
    expect((await captain.get('/api/watch/alerts')).body.items.filter((a: { id: string }) => a.id === alert.id)).toEqual([]);
    await makeDue(database.db, 'watch-escalate', { alertId: alert.id });
    const told = await until(async () => (await captain.get('/api/watch/alerts')).body.items.filter((a: { id: string }) => a.id === alert.id), (a) => a.length > 0);
    expect(told[0]).toMatchObject({ tier: 'family_captain', kind: 'silent' });

    const captainAt = rhythmCheck.getTime() + job.wait * 1000;
    console.info(
      `watch rhythm: fell at ${jstClock(fallAt)} (last sensed ${jstClock(lastActivity)}), checked at ${jstClock(rhythmCheck)} (+${span(rhythmCheck.getTime() - fallAt.getTime())}), ` +
        `班長 told at ${jstClock(new Date(captainAt))} (+${span(captainAt - fallAt.getTime())}); before: +${span(lastActivity.getTime() + 24 * HOUR + 1800_000 - fallAt.getTime())}`,
    );
  }, 60_000);

  it('a fall in the night (on the way to the toilet) is checked that morning, hours before the fixed threshold', async () => {
    const y = await seedAssociation(database.db);
    const home = y.households.A;
    const fallAt = new Date(fallDay().getTime() + 86_400_000 - 1.5 * HOUR); // 02:30 the next night
    const { settings, lastActivity } = await simulatedHome(home, y.association.id, { seed: 12, fallAt });
    const rhythmCheck = new Date(fallDay().getTime() + 86_400_000 + (settings.rhythm_usual_hour! - 4 + 2) * HOUR);
    expect(rhythmCheck.getTime() - fallAt.getTime()).toBeLessThanOrEqual(6 * HOUR);
    expect(rhythmCheck.getTime()).toBeLessThan(lastActivity.getTime() + 12 * HOUR);
    await checkRaisedAt(home.id, rhythmCheck);
    console.info(`watch rhythm: fell at ${jstClock(fallAt)}, checked at ${jstClock(rhythmCheck)} (+${span(rhythmCheck.getTime() - fallAt.getTime())}), 班長 told +${span(rhythmCheck.getTime() + 900_000 - fallAt.getTime())}`);
  }, 60_000);

  it('quiet hours move the check to their end', async () => {
    const home = x.households.B;
    const fallAt = new Date(fallDay().getTime() + 17 * HOUR);
    const quiet = () => officer.patch(`/api/watch/households/${home.id}/settings`, { quietHours: { start: '22:00', end: '09:30' } }).then((r) => expect(r.status).toBe(200));
    const { settings } = await simulatedHome(home, x.association.id, { seed: 13, fallAt, before: quiet });
    const rhythmCheck = new Date(fallDay().getTime() + 86_400_000 + (settings.rhythm_usual_hour! - 4 + 2) * HOUR);
    const quietEnd = new Date(fallDay().getTime() + 86_400_000 + 5.5 * HOUR); // 09:30
    expect(settings.next_check_at).toEqual(quietEnd);
    await watch.scan(ctx, 1000, rhythmCheck);
    expect(await alertOf(home.id)).toBeUndefined();
    await checkRaisedAt(home.id, quietEnd);
  }, 60_000);

  it('an away period suppresses it', async () => {
    const home = x.households.C;
    const fallAt = new Date(fallDay().getTime() + 17 * HOUR);
    const { settings } = await simulatedHome(home, x.association.id, { seed: 14, fallAt });
    const away = await officer.post(`/api/watch/households/${home.id}/away`, { startsAt: fallAt.toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), reason: '入院' });
    expect(away.status).toBe(201);
    await watch.scan(ctx, 1000, settings.next_check_at!);
    expect(await alertOf(home.id)).toBeUndefined();
    const after = await database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', home.id).executeTakeFirstOrThrow();
    expect(after.next_check_at!.getTime()).toBeGreaterThan(Date.now() + 86_400_000 - 60_000);
  }, 60_000);

  it('the officer turns the rhythm check off for a home: the page shows it, and only the fixed threshold applies', async () => {
    const home = x.households.D;
    const fallAt = new Date(fallDay().getTime() + 17 * HOUR);
    const turnOff = async () => {
      const changed = await officer.patch(`/api/watch/households/${home.id}/settings`, { rhythmEnabled: false });
      expect(changed.status).toBe(200);
      expect(changed.body.settings.rhythmEnabled).toBe(false);
    };
    const { settings, lastActivity } = await simulatedHome(home, x.association.id, { seed: 15, fallAt, before: turnOff });
    expect(settings.next_check_at).toEqual(new Date(lastActivity.getTime() + 12 * HOUR));
    const page = await officer.get(`/api/watch/households/${home.id}`);
    expect(page.body.rhythm).toMatchObject({ usualHour: 6, minDays: 7 });
    expect(page.body.settings.rhythmEnabled).toBe(false);
    await watch.scan(ctx, 1000, new Date(fallDay().getTime() + 86_400_000 + 4 * HOUR));
    expect(await alertOf(home.id)).toBeUndefined();
    const alert = await checkRaisedAt(home.id, new Date(lastActivity.getTime() + 12 * HOUR));
    expect((await firstEvent(alert.id)).detail).not.toContain('rhythm');
  }, 60_000);

  it('a home with less than a week of history has no rhythm yet: the page says so, and the fixed threshold applies', async () => {
    const y = await seedAssociation(database.db);
    const home = y.households.A;
    const fallAt = new Date(fallDay().getTime() + 17 * HOUR);
    const { settings, lastActivity } = await simulatedHome(home, y.association.id, { seed: 16, fallAt, days: 4 });
    expect(settings.rhythm_usual_hour).toBeNull();
    expect(settings.next_check_at).toEqual(new Date(lastActivity.getTime() + 12 * HOUR));
    const member = await loggedInClient(server, y.logins.memberA);
    const page = await member.get(`/api/watch/households/${home.id}`);
    expect(page.status).toBe(200);
    expect(page.body.rhythm).toMatchObject({ usualHour: null, minDays: 7 });
    expect(page.body.rhythm.days).toBeLessThan(7);
  }, 60_000);
});

describe("a home in another time zone lives by its association's clock", () => {
  it('a Honolulu home up at 05:30 Honolulu time is usually active by 6時 there, and is checked at 08:00 Honolulu time', async () => {
    const y = await seedAssociation(database.db);
    await setAssociationTimeZone(database.db, y.association.id, 'Pacific/Honolulu');
    const home = y.households.A;
    // Honolulu's clock is 19 hours behind Tokyo's (neither keeps daylight saving).
    const day = new Date(dayStartOf(new Date(), 'Pacific/Honolulu').getTime() - 2 * 86_400_000);
    expect(day.getTime() % 86_400_000).toBe(14 * HOUR); // 04:00 in Honolulu
    const fallAt = new Date(day.getTime() + 17 * HOUR); // 21:00 Honolulu time, after dinner
    const { settings, usualHour } = await simulatedHome(home, y.association.id, { seed: 11, fallAt, day, shiftMs: 19 * HOUR });
    expect(usualHour).toBe(6);
    const rhythmCheck = new Date(day.getTime() + 86_400_000 + (6 - 4 + 2) * HOUR); // 08:00 Honolulu time the next morning
    expect(settings.next_check_at).toEqual(rhythmCheck);
    const alert = await checkRaisedAt(home.id, rhythmCheck);
    expect(await firstEvent(alert.id)).toMatchObject({ what: 'prompted', detail: expect.stringContaining('rhythm: usually active by 6:00') });
  }, 60_000);
});

/**
 * Holds back every rhythm run of the association (their marker lock, FOR UPDATE, waits for the
 * FOR KEY SHARE held here) but not a zone change, whose upsert of the marker (no key column)
 * does not wait for it: what the change itself did can be seen before any run.
 */
async function holdRuns(associationId: string) {
  await database.db.insertInto('watch_rhythm_runs').values({ association_id: associationId }).onConflict((oc) => oc.column('association_id').doNothing()).execute();
  let release!: () => void;
  let held!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const holding = new Promise<void>((resolve) => (held = resolve));
  const holder = database.db.transaction().execute(async (trx) => {
    await trx.selectFrom('watch_rhythm_runs').select('association_id').where('association_id', '=', associationId).forKeyShare().execute();
    held();
    await released;
  });
  await holding;
  return { release, holder };
}

/** How many statements wait for a lock on a rhythm marker (runs held back by holdRuns). */
const runsWaiting = () =>
  sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%from "watch_rhythm_runs"%for update%'`.execute(database.db).then((r) => r.rows[0]!.n);

describe("an officer changes the association's time zone", () => {
  it('a home silent since before the change is checked by the new clock: not inside its quiet hours there', async () => {
    const y = await seedAssociation(database.db);
    const home = y.households.A;
    await watchedHome(database.db, home, y.association.id, { quiet_start: '22:00', quiet_end: '07:00' });
    await speakerIn(database.db, home, y.association.id);
    // Last seen at 00:00 UTC yesterday: the 12-hour check falls at 21:00 in Tokyo (awake), but
    // at 02:00 in Honolulu, inside the quiet hours, which end there at 07:00 (17:00 UTC).
    const lastSeen = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
    await watch.recordActivities(ctx, [{ householdId: home.id, associationId: y.association.id, at: lastSeen, type: 'presence' }]);
    const nextCheck = async () => (await database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', home.id).executeTakeFirstOrThrow()).next_check_at;
    expect(await nextCheck()).toEqual(new Date(lastSeen.getTime() + 12 * HOUR));
    const xHomes = await database.db.selectFrom('watch_settings').select(['household_id', 'next_check_at']).where('association_id', '=', x.association.id).orderBy('household_id').execute();

    const officerY = await loggedInClient(server, y.logins.officer);
    expect((await officerY.patch('/api/association', { timeZone: 'Pacific/Honolulu' })).status).toBe(200);

    const quietEnd = new Date(lastSeen.getTime() + 17 * HOUR); // 07:00 Honolulu time
    expect(await nextCheck()).toEqual(quietEnd);
    // Another association's homes keep the checks they had.
    expect(await database.db.selectFrom('watch_settings').select(['household_id', 'next_check_at']).where('association_id', '=', x.association.id).orderBy('household_id').execute()).toEqual(xHomes);
    await watch.scan(ctx, 1000, new Date(lastSeen.getTime() + 12 * HOUR));
    expect(await alertOf(home.id), 'no check at 02:00 Honolulu time').toBeUndefined();
    await checkRaisedAt(home.id, quietEnd);
  }, 60_000);
});

describe('after a zone change, the rhythms are relearned by the new clock in a job, not in the change', () => {
  it('the PATCH answers at once with the checks re-planned; the watch-rhythm-zone job relearns the rhythm (usually active by 6時 Honolulu time) and the check follows', async () => {
    const y = await seedAssociation(database.db);
    const home = y.households.A;
    // A resident who lives by Honolulu's clock (up at 05:30 there), in an association still on
    // Tokyo's: learned by Tokyo's watch days, the rhythm is not that of a morning at all.
    const day = new Date(dayStartOf(new Date(), 'Pacific/Honolulu').getTime() - 2 * 86_400_000);
    const fallAt = new Date(day.getTime() + 17 * HOUR); // 21:00 Honolulu time
    const { usualHour: tokyoHour } = await simulatedHome(home, y.association.id, { seed: 11, fallAt, day, shiftMs: 19 * HOUR });
    expect(tokyoHour).not.toBe(6);
    const read = () => database.db.selectFrom('watch_settings').select(['rhythm_usual_hour', 'rhythm_learned_at', 'next_check_at']).where('household_id', '=', home.id).executeTakeFirstOrThrow();
    const before = await read();

    // The job's run is held back, to see what the change itself did.
    const { release, holder } = await holdRuns(y.association.id);

    const officerY = await loggedInClient(server, y.logins.officer);
    const started = performance.now();
    const changed = await officerY.patch('/api/association', { timeZone: 'Pacific/Honolulu' });
    const tookMs = performance.now() - started;
    expect(changed.status).toBe(200);
    const zoneJobs = () => sql<{ state: string }>`select state from pgboss.job where name = 'watch-rhythm-zone' and data->>'associationId' = ${y.association.id}`.execute(database.db).then((r) => r.rows.map((j) => j.state));
    expect(await zoneJobs()).toHaveLength(1);
    // Answered without relearning (and without waiting for it): the rhythm is still Tokyo's.
    expect(await read()).toMatchObject({ rhythm_usual_hour: before.rhythm_usual_hour, rhythm_learned_at: before.rhythm_learned_at });

    // The relearning is the job's: once it may run, it ends with the rhythm of Honolulu's
    // mornings, and the check of the next morning at 08:00 Honolulu time.
    release();
    await holder;
    expect(await until(zoneJobs, (states) => states.every((state) => state === 'completed'), 20_000)).toEqual(['completed']);
    const relearned = await read();
    expect(relearned.rhythm_usual_hour).toBe(6);
    expect(relearned.rhythm_learned_at!.getTime()).toBeGreaterThan(before.rhythm_learned_at!.getTime());
    expect(relearned.next_check_at).toEqual(new Date(day.getTime() + 86_400_000 + (6 - 4 + 2) * HOUR));

    // The job again (a retry, or sent twice): the marker says this day was learned by this clock.
    const again = await watch.learnAssociation(ctx, y.association.id);
    expect(again.homes).toBe(0);
    expect((await read()).rhythm_learned_at).toEqual(relearned.rhythm_learned_at);
    console.info(`watch zone change: PATCH answered in ${Math.round(tookMs)} ms; rhythm ${tokyoHour ?? 'none'}時 by Tokyo's clock, ${relearned.rhythm_usual_hour}時 by Honolulu's after the job`);
  }, 60_000);
});

describe("each association's rhythm is learned after its own watch day has rolled over", () => {
  /** A home active 05:00–21:00 by `zone`'s clock on the 7 watch days before `day` (nothing earlier): a rhythm (6時) only once the 7th has ended. */
  async function weekOfMornings(home: { id: string }, associationId: string, zone: string, day: string) {
    await watchedHome(database.db, home, associationId);
    const hours = [];
    for (let d = -7; d < 0; d++) {
      const start = watchDayStart(addDays(day, d), zone);
      for (let h = 1; h <= 17; h++) hours.push({ household_id: home.id, hour: new Date(start.getTime() + h * HOUR), presence: 2 });
    }
    await database.db.insertInto('activity_hourly').values(hours).execute();
  }

  it('Tokyo, Bangkok and Honolulu each learn at the first run after their own 04:00, once, over the day that just ended', async () => {
    // A day ahead (so no run of the server's own schedule can have learned these yet): from an
    // hour before Tokyo's 04:00 for 24 hours, which holds each zone's 04:00 once.
    const from = new Date(dayStartOf(new Date(), 'Asia/Tokyo').getTime() + 2 * 86_400_000 - HOUR);
    const to = new Date(from.getTime() + 24 * HOUR);
    const zones = ['Asia/Tokyo', 'Asia/Bangkok', 'Pacific/Honolulu'];
    const homes = [];
    for (const zone of zones) {
      const z = await seedAssociation(database.db);
      await setAssociationTimeZone(database.db, z.association.id, zone);
      const day = watchDayOf(new Date(to.getTime() - 1), zone);
      await weekOfMornings(z.households.A, z.association.id, zone, day);
      homes.push({ zone, associationId: z.association.id, householdId: z.households.A.id, dayStart: watchDayStart(day, zone) });
    }

    // The job as its schedule fires it (the module's cron, in the schedules' zone), over the 24
    // hours; each firing twice at once, as a retry overlapping a run still going would.
    const cron = watchModule(ctx).schedules!.find((s) => s.queue === 'watch-rhythm')!.cron;
    const ours = new Set(homes.map((h) => h.associationId));
    const runs: { at: Date; associations: string[] }[] = [];
    for (let at = pgBossCronParser(cron, 'Asia/Tokyo', from.getTime()).next().getTime(); at < to.getTime(); at = pgBossCronParser(cron, 'Asia/Tokyo', at).next().getTime()) {
      const both = await Promise.all([watch.learnRhythms(ctx, { now: new Date(at) }), watch.learnRhythms(ctx, { now: new Date(at) })]);
      for (const run of both) runs.push({ at: new Date(at), associations: (run.associations ?? []).filter((id) => ours.has(id)) });
    }

    for (const home of homes) {
      const settings = await database.db.selectFrom('watch_settings').select(['rhythm_usual_hour', 'rhythm_days', 'rhythm_learned_at']).where('household_id', '=', home.householdId).executeTakeFirstOrThrow();
      // Learned over the 7 days up to its own last 04:00, within the hour after it.
      expect({ zone: home.zone, usualHour: settings.rhythm_usual_hour, days: settings.rhythm_days }).toEqual({ zone: home.zone, usualHour: 6, days: 7 });
      const after = settings.rhythm_learned_at!.getTime() - home.dayStart.getTime();
      expect(after, `${home.zone}: learned ${after / 60_000} min after its 04:00`).toBeGreaterThanOrEqual(0);
      expect(after).toBeLessThan(HOUR);
    }
    for (const home of homes) {
      // Once that day, by one of the two runs at once: every other run skipped it.
      const { rhythm_learned_at: learnedAt } = await database.db.selectFrom('watch_settings').select('rhythm_learned_at').where('household_id', '=', home.householdId).executeTakeFirstOrThrow();
      const learnedBy = runs.filter((r) => r.associations.includes(home.associationId) && r.at >= home.dayStart);
      expect(learnedBy.map((r) => r.at), home.zone).toEqual([learnedAt]);
    }
  }, 120_000);
});

describe('a zone change is re-planned whichever rhythm run comes first, the hourly one or the zone job', () => {
  for (const first of ['hourly', 'zone job'] as const) {
    it(`${first} first: a next check planned by the old clock (a batch of activity that read it as the change committed) is planned again by the new one`, async () => {
      const y = await seedAssociation(database.db);
      const home = y.households.A;
      await watchedHome(database.db, home, y.association.id, { quiet_start: '22:00', quiet_end: '07:00' });
      // Last seen at 00:00 UTC yesterday: checked at 21:00 in Tokyo (12 h), but at 07:00 in
      // Honolulu (the 12 h fall at 02:00 there, inside the quiet hours). No rhythm (no history):
      // learning it moves nothing by itself.
      const lastSeen = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
      await watch.recordActivities(ctx, [{ householdId: home.id, associationId: y.association.id, at: lastSeen, type: 'presence' }]);
      const byTokyo = new Date(lastSeen.getTime() + 12 * HOUR);
      const byHonolulu = new Date(lastSeen.getTime() + 17 * HOUR);
      const nextCheck = async () => (await database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', home.id).executeTakeFirstOrThrow()).next_check_at;
      expect(await nextCheck()).toEqual(byTokyo);
      const zoneJobs = () => sql<{ state: string }>`select state from pgboss.job where name = 'watch-rhythm-zone' and data->>'associationId' = ${y.association.id}`.execute(database.db).then((r) => r.rows.map((j) => j.state));

      // The batch that read Tokyo's clock just before the change committed writes its check.
      const staleBatch = () => database.db.updateTable('watch_settings').set({ next_check_at: byTokyo }).where('household_id', '=', home.id).execute();
      if (first === 'hourly') {
        // The change as the PATCH makes it (auth.service.ts updateAssociationTimeZone), its job
        // sent an hour late, so the hourly run that follows surely learns first.
        const late = { jobs: { ...ctx.jobs, send: ((trx, queue, data) => ctx.jobs.send(trx, queue, data, { startAfter: new Date(Date.now() + HOUR) })) as typeof ctx.jobs.send } };
        await inTransaction(database.db, ctx.log, async (tx) => {
          await setAssociationTimeZone(tx.db, y.association.id, 'Pacific/Honolulu');
          await watch.replanForZone(late, tx, y.association.id, 'Pacific/Honolulu');
        });
        expect(await nextCheck()).toEqual(byHonolulu);
        await staleBatch();
        await watch.learnRhythms(ctx);
        expect(await nextCheck(), 'the hourly run re-planned it').toEqual(byHonolulu);
        expect(await zoneJobs()).toEqual(['created']);
        await makeDue(database.db, 'watch-rhythm-zone', { associationId: y.association.id });
      } else {
        // The zone job held back on the marker until the stale check is written.
        const { release, holder } = await holdRuns(y.association.id);
        const officerY = await loggedInClient(server, y.logins.officer);
        expect((await officerY.patch('/api/association', { timeZone: 'Pacific/Honolulu' })).status).toBe(200);
        expect(await nextCheck()).toEqual(byHonolulu);
        await staleBatch();
        await until(runsWaiting, (n) => n >= 1, 20_000);
        release();
        await holder;
      }
      expect(await until(zoneJobs, (states) => states.every((state) => state === 'completed'), 20_000)).toEqual(['completed']);
      if (first === 'zone job') await watch.learnRhythms(ctx);
      expect(await nextCheck()).toEqual(byHonolulu);
      const marker = await database.db.selectFrom('watch_rhythm_runs').select(['time_zone', 'after', 'replan']).where('association_id', '=', y.association.id).executeTakeFirstOrThrow();
      expect(marker).toEqual({ time_zone: 'Pacific/Honolulu', after: null, replan: false });
    }, 60_000);
  }
});

describe('the hourly rhythm job, when one association fails', () => {
  it('learns the others all the same, and fails itself so it is retried', async () => {
    const [a, b] = [await seedAssociation(database.db), await seedAssociation(database.db)].sort((p, q) => (p.association.id < q.association.id ? -1 : 1));
    for (const z of [a!, b!]) await watchedHome(database.db, z.households.A, z.association.id);
    // The first of the two in the job's order has a zone Intl does not know (stored around the
    // door's check): learning it throws.
    await sql`update associations set time_zone = 'Nowhere/Atlantis' where id = ${a!.association.id}`.execute(database.db);
    try {
      await expect(watch.learnRhythms(ctx)).rejects.toThrow(/1 association\(s\) failed/);
      const learned = await database.db.selectFrom('watch_settings').select(['household_id', 'rhythm_learned_at']).where('household_id', 'in', [a!.households.A.id, b!.households.A.id]).execute();
      expect(learned.find((r) => r.household_id === b!.households.A.id)!.rhythm_learned_at, 'the later association learned').not.toBeNull();
      expect(learned.find((r) => r.household_id === a!.households.A.id)!.rhythm_learned_at, 'the failing one not').toBeNull();
    } finally {
      await setAssociationTimeZone(database.db, a!.association.id, 'Asia/Tokyo');
    }
    // Once it is fixed, the retry learns it, and nothing fails.
    await expect(watch.learnRhythms(ctx)).resolves.toMatchObject({ associations: expect.arrayContaining([a!.association.id]) });
  }, 60_000);
});
