import { sql } from 'kysely';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSuite, stopSuite, loggedInClient } from './support/suite.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { makeDue } from './support/jobs.js';
import { until } from './support/wait.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import type { ClientToServerEvents, QuakeNotice, ServerToClientEvents } from '../server/src/contracts/socket.js';
import { pollFeed } from '../server/src/quakes/feed.service.js';
import { refireOverdue } from '../server/src/quakes/trigger.service.js';
import { derive, FeedServer } from './support/quake-feed.js';

/**
 * The JMA trigger end to end: telegrams (test/fixtures/jma, real ones and ones derived from
 * them, 出典：気象庁) are served by a local HTTP server in the feed's Atom format, so the reader's
 * real HTTP path runs (If-Modified-Since, one fetch per new entry); each poll is the
 * quake-poll job's work, and a trigger's hold-off is passed with makeDue, not by sleeping.
 *
 * Three associations: Kyoto's (京都府南部 511), Shiga's (滋賀県南部 501), Osaka's (大阪府北部 520).
 */

let database: TestDatabase;
let server: TestServer;
let kyoto: SeededAssociation;
let shiga: SeededAssociation;
let osaka: SeededAssociation;
let officer: ApiClient;
const feed = new FeedServer();
const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
/** What a person's open web app hears: the JMA trigger's notices and log updates. */
async function listen(login: string) {
  const client = await loggedInClient(server, login);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(server.baseUrl, { extraHeaders: { cookie: client.cookie }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  const heard = { notices: [] as QuakeNotice[], logged: [] as string[] };
  socket.on('quake:notice', (n) => void heard.notices.push(n));
  socket.on('quake:logged', (e) => void heard.logged.push(e.telegramId));
  await new Promise<void>((resolve, reject) => (socket.on('connect', () => resolve()), socket.on('connect_error', reject)));
  return heard;
}
let kyotoOfficerHears: Awaited<ReturnType<typeof listen>>;
let kyotoResidentHears: Awaited<ReturnType<typeof listen>>;

const poll = (timeoutMs = 5000) => pollFeed(server.app.context, { url: `${feed.base}/feed.xml`, timeoutMs });
const events = (x: SeededAssociation, kind: 'real' | 'drill' = 'real') =>
  database.db.selectFrom('drills').selectAll().where('association_id', '=', x.association.id).where('kind', '=', kind).execute();
const triggers = (x: SeededAssociation) => database.db.selectFrom('quake_triggers').selectAll().where('association_id', '=', x.association.id).orderBy('created_at').execute();
/** Passes the hold-off of the association's pending triggers (makeDue) and waits until none is pending. */
async function holdOffPasses(x: SeededAssociation) {
  for (const t of await triggers(x)) await makeDue(database.db, 'quake-fire', { triggerId: t.id });
  return until(() => triggers(x), (ts) => ts.every((t) => t.status !== 'pending'));
}

beforeAll(async () => {
  await feed.start();
  ({ database, server, x: kyoto } = await startSuite({ label: 'kyoto' }));
  shiga = await seedAssociation(database.db, 'shiga');
  osaka = await seedAssociation(database.db, 'osaka');
  officer = await loggedInClient(server, kyoto.logins.officer);
  kyotoOfficerHears = await listen(kyoto.logins.officer);
  kyotoResidentHears = await listen(kyoto.logins.memberA);
  for (const [x, code] of [[shiga, '501'], [osaka, '520']] as const) {
    const client = await loggedInClient(server, x.logins.officer);
    expect((await client.put('/api/quakes/settings', { areaCodes: [code], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false })).status).toBe(200);
  }
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await stopSuite({ server, database });
  await new Promise((resolve) => feed.server.close(resolve));
});

describe('the officers set the trigger', () => {
  it('shows the defaults (震度5弱, 120 s, 6 h, no drills from 訓練) and takes areas from the JMA code list only', async () => {
    const initial = await officer.get('/api/quakes/settings');
    expect(initial.body).toMatchObject({
      areaCodes: [], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false, updatedAt: null,
      deadlineSeconds: 10800, volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    const backwards = await officer.put('/api/quakes/settings', { ...initial.body, areas: undefined, updatedAt: undefined, volunteersAfterSeconds: 1800, officersAfterSeconds: 900 });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('officersAfterSeconds');
    const unknown = await officer.put('/api/quakes/settings', { ...initial.body, areaCodes: ['999'] });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('areaCodes');
    const saved = await officer.put('/api/quakes/settings', { areaCodes: ['511'], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false });
    expect(saved.status).toBe(200);
    expect(saved.body.areas).toEqual([{ code: '511', name: '京都府南部' }]);
  });

  it('the settings and their audit row are one write: when the audit row fails, the settings stay as they were', async () => {
    const before = (await officer.get('/api/quakes/settings')).body;
    // The database refuses this one audit row (a fault injected where the write happens, not a stub).
    await sql`create function test_refuse_quake_audit() returns trigger language plpgsql as $$
      begin if new.action = 'quake.settings' then raise exception 'audit refused (test)'; end if; return new; end $$`.execute(database.db);
    await sql`create trigger test_refuse_quake_audit before insert on audit_log for each row execute function test_refuse_quake_audit()`.execute(database.db);
    try {
      const refused = await officer.put('/api/quakes/settings', { areaCodes: ['511', '501'], minIntensity: '7', holdOffSeconds: 5, aftershockSeconds: 60, drillsFromTraining: true });
      expect(refused.status).toBe(500);
    } finally {
      await sql`drop trigger test_refuse_quake_audit on audit_log`.execute(database.db);
      await sql`drop function test_refuse_quake_audit()`.execute(database.db);
    }
    expect((await officer.get('/api/quakes/settings')).body).toEqual(before);
    const audits = await database.db.selectFrom('audit_log').select('id').where('association_id', '=', kyoto.association.id).where('action', '=', 'quake.settings').execute();
    expect(audits).toHaveLength(1);
  });

  it('a save that leaves out the event timing (an app cached from before it existed) keeps it as stored, not reset to the defaults', async () => {
    const base = { areaCodes: ['511'], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false };
    expect((await officer.put('/api/quakes/settings', { ...base, deadlineSeconds: 7200, volunteersAfterSeconds: 600, officersAfterSeconds: 1200 })).status).toBe(200);
    const kept = await officer.put('/api/quakes/settings', { ...base, holdOffSeconds: 180 });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ holdOffSeconds: 180, deadlineSeconds: 7200, volunteersAfterSeconds: 600, officersAfterSeconds: 1200 });
    // The tiers' order is checked on what would be stored: volunteers after the officers is refused, and nothing changes.
    const backwards = await officer.put('/api/quakes/settings', { ...base, volunteersAfterSeconds: 1500 });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('officersAfterSeconds');
    expect((await officer.get('/api/quakes/settings')).body).toMatchObject({ holdOffSeconds: 180, volunteersAfterSeconds: 600, officersAfterSeconds: 1200 });
    // Back to the defaults for the tests that follow.
    expect((await officer.put('/api/quakes/settings', { ...base, deadlineSeconds: 10800, volunteersAfterSeconds: 900, officersAfterSeconds: 1800 })).status).toBe(200);
  });

  it('a resident and a 班長 may not read or change it', async () => {
    for (const login of [kyoto.logins.memberA, kyoto.logins.captain1]) {
      const client = await loggedInClient(server, login);
      expect((await client.get('/api/quakes/settings')).status).toBe(403);
      expect((await client.put('/api/quakes/settings', { areaCodes: [], minIntensity: '1', holdOffSeconds: 0, aftershockSeconds: 0, drillsFromTraining: true })).status).toBe(403);
      expect((await client.get('/api/quakes/log')).status).toBe(403);
    }
  });
});

describe('JMA telegrams through the feed, end to end', () => {
  it('a real telegram elsewhere (宮城, 奄美) and a quake below the threshold in 京都府南部 start nothing', async () => {
    feed.publish('20210217140808_0_VXSE51_010000.xml');
    feed.publish('20210217165040_0_VXSE53_270000.xml');
    feed.publish('kyoto-3-VXSE51.xml');
    expect(await poll()).toEqual({ stored: 3 });
    expect(await triggers(kyoto)).toEqual([]);
    const log = await officer.get('/api/quakes/log');
    expect(log.body.items).toEqual([expect.objectContaining({ title: '震度速報', eventId: '20261201090000', action: 'none', reason: 'below_threshold', intensity: '3', trigger: null })]);
  });

  it('nothing new: the next poll asks If-Modified-Since and gets 304', async () => {
    expect(await poll()).toEqual({ not_modified: 1 });
    expect(feed.requests.at(-1)).toMatchObject({ path: '/feed.xml', ifModifiedSince: expect.any(String) });
  });

  it('震度5弱 in 京都府南部: one real event after the hold-off, asking every household, naming the telegram', async () => {
    // What reaches people by push (common/reach.ts), recorded on the way through.
    const reach = server.app.context.reach;
    const people = reach.people;
    const pushed: { ids: readonly string[]; title: string }[] = [];
    reach.people = (ids, push) => (pushed.push({ ids, title: push.title }), people(ids, push));
    feed.publish('kyoto-5lower-VXSE51.xml');
    expect(await poll()).toEqual({ stored: 1, seen: 3 });
    // The officers are told at once, with the intensity, before anything starts.
    expect(pushed).toEqual([{ ids: [kyoto.people.officer.id], title: '【地震】京都府南部 震度5弱' }]);
    // Pending for the hold-off: nothing asked yet, the officers' log says when it starts.
    expect(await events(kyoto)).toEqual([]);
    const [pending] = await triggers(kyoto);
    expect(pending).toMatchObject({ status: 'pending', intensity: '5-', area_name: '京都府南部', event_id: '20261201100000' });
    expect(pending!.fire_at.getTime() - Date.now()).toBeGreaterThan(100_000);
    expect((await officer.get('/api/quakes/log')).body.items[0]).toMatchObject({ action: 'pend', reason: 'above_threshold', intensity: '5-', trigger: { status: 'pending', drillId: null } });
    // …and at once on any page of the web app: the notice (the banner) and the log's refresh.
    await until(async () => kyotoOfficerHears.notices, (n) => n.length === 1);
    expect(kyotoOfficerHears.notices[0]).toEqual({
      key: `trigger:${pending!.id}`, kind: 'pending', eventKind: 'real', intensity: '5-', areaNames: ['京都府南部'], quakeEventId: '20261201100000',
      drillId: null, asked: false, fireAt: pending!.fire_at.toISOString(),
    });
    expect(kyotoOfficerHears.logged.length).toBeGreaterThanOrEqual(1);

    const [started] = await holdOffPasses(kyoto);
    expect(started).toMatchObject({ status: 'started', drill_id: expect.any(String) });
    // Told again when it starts (the start's own notices, such as the 班長's paper-only homes, go too).
    const startNotice = { ids: [kyoto.people.officer.id], title: '【地震】京都府南部 震度5弱: 安否確認を始めました' };
    await until(async () => pushed, (p) => p.some((x) => x.title === startNotice.title));
    expect(pushed).toContainEqual(startNotice);
    reach.people = people;
    const [event] = await events(kyoto);
    // The banner's notice: same key as the pending one (it replaces it), the event to open or end; residents hear none of it.
    await until(async () => kyotoOfficerHears.notices, (n) => n.length === 2);
    expect(kyotoOfficerHears.notices[1]).toMatchObject({ key: `trigger:${pending!.id}`, kind: 'started', intensity: '5-', areaNames: ['京都府南部'], drillId: event!.id, asked: true });
    expect(kyotoResidentHears.notices).toEqual([]);
    expect(kyotoResidentHears.logged).toEqual([]);
    expect(event).toMatchObject({ id: started!.drill_id, kind: 'real', status: 'active', started_by: null, title: '地震（京都府南部 震度5弱）の安否確認' });
    const targets = await database.db.selectFrom('drill_targets').select('household_id').where('drill_id', '=', event!.id).execute();
    expect(targets.map((t) => t.household_id).sort()).toEqual(Object.values(kyoto.households).map((h) => h.id).sort());
    // A resident sees the question; the officers' list shows a real event.
    const member = await loggedInClient(server, kyoto.logins.memberA);
    expect((await member.get('/api/drills/mine')).body.items).toEqual([expect.objectContaining({ drill: expect.objectContaining({ id: event!.id, kind: 'real' }), answer: null })]);
    // The report's timeline and the audit name the telegram.
    const timeline = await database.db.selectFrom('drill_events').select('what').where('drill_id', '=', event!.id).execute();
    expect(timeline.map((e) => e.what)).toContainEqual(expect.stringContaining('EventID 20261201100000'));
    const audit = await database.db.selectFrom('audit_log').select(['action', 'detail']).where('subject', '=', event!.id).where('action', '=', 'quake.triggered').executeTakeFirst();
    expect(JSON.stringify(audit?.detail)).toContain('kyoto-5lower-VXSE51.xml');
  });

  it('its aftershock within the window starts no second event; the not yet accounted for are asked again', async () => {
    const [event] = await events(kyoto);
    feed.publish('kyoto-aftershock-5lower-VXSE51.xml');
    expect(await poll()).toMatchObject({ stored: 1 });
    expect(await makeDue(database.db, 'quake-fire')).toBe(0);
    expect(await events(kyoto)).toHaveLength(1);
    const timeline = await database.db.selectFrom('drill_events').select('what').where('drill_id', '=', event!.id).execute();
    expect(timeline.map((e) => e.what)).toContainEqual(expect.stringContaining('余震 京都府南部 震度5弱'));
    expect((await officer.get('/api/quakes/log')).body.items[0]).toMatchObject({ action: 'aftershock', trigger: { status: 'started', drillId: event!.id } });
    const notice = await until(async () => kyotoOfficerHears.notices.at(-1), (n) => n?.kind === 'aftershock');
    expect(notice).toMatchObject({ key: expect.stringMatching(/^telegram:/), quakeEventId: '20261201103000', intensity: '5-', drillId: event!.id, asked: true });
    // One more round of asking (the start's and this one): the ask itself skips those accounted for.
    const asks = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'drill-ask' and data->>'drillId' = ${event!.id} and data->>'after' is null`.execute(database.db);
    expect(asks.rows[0]!.n).toBe(2);
  });

  it('a 訓練 telegram of 震度6弱 starts no real event (and no drill: not chosen)', async () => {
    feed.publish('kyoto-training-6lower-VXSE51.xml');
    expect(await poll()).toMatchObject({ stored: 1 });
    expect(await events(kyoto)).toHaveLength(1);
    expect(await events(kyoto, 'drill')).toEqual([]);
    expect((await officer.get('/api/quakes/log')).body.items[0]).toMatchObject({ status: '訓練', action: 'none', reason: 'training' });
  });

  it('with drills from 訓練 chosen, a 訓練 telegram starts a drill, still no real event', async () => {
    const settings = (await officer.get('/api/quakes/settings')).body;
    expect((await officer.put('/api/quakes/settings', { ...settings, areas: undefined, updatedAt: undefined, drillsFromTraining: true })).status).toBe(200);
    feed.publish('kyoto-training-6lower-VXSE51.xml', `${feed.base}/data/kyoto-training-6lower-VXSE51.xml?again`);
    await poll();
    await holdOffPasses(kyoto);
    const [drill] = await events(kyoto, 'drill');
    expect(drill).toMatchObject({ kind: 'drill', title: '【訓練】地震（京都府南部 震度6弱）の安否確認', started_by: null });
    expect(await events(kyoto)).toHaveLength(1);
    expect((await officer.put('/api/quakes/settings', { ...settings, areas: undefined, updatedAt: undefined, drillsFromTraining: false })).status).toBe(200);
  });

  it('a 取消 before the hold-off ends: nothing starts', async () => {
    feed.publish('shiga-5upper-VXSE51.xml');
    await poll();
    expect(await triggers(shiga)).toEqual([expect.objectContaining({ status: 'pending', intensity: '5+' })]);
    feed.publish('shiga-cancel-VXSE51.xml');
    expect(await poll()).toMatchObject({ stored: 1 });
    await holdOffPasses(shiga);
    expect(await triggers(shiga)).toEqual([expect.objectContaining({ status: 'cancelled', drill_id: null })]);
    expect(await events(shiga)).toEqual([]);
  });

  it('an upgrade: 震度4 in 大阪府北部 starts nothing, its 震源・震度情報 at 6弱 starts the event then', async () => {
    feed.publish('osaka-4-VXSE51.xml');
    await poll();
    expect(await triggers(osaka)).toEqual([]);
    feed.publish('osaka-upgrade-6lower-VXSE53.xml');
    await poll();
    const log = await (await loggedInClient(server, osaka.logins.officer)).get('/api/quakes/log');
    expect(log.body.items.map((i: { action: string; reason: string }) => `${i.action}:${i.reason}`)).toEqual(['pend:upgrade', 'none:below_threshold']);
    const [started] = await holdOffPasses(osaka);
    expect(started).toMatchObject({ status: 'started', intensity: '6-', area_name: '大阪府北部' });
    expect(await events(osaka)).toHaveLength(1);
    // Each association's telegrams are its own: Kyoto and Shiga have no more events than before.
    expect(await events(kyoto)).toHaveLength(1);
    expect(await events(shiga)).toHaveLength(0);
  });

  it('an officer ends a system-started event through the drills’ end route; the audit names that officer', async () => {
    const [event] = await events(osaka);
    expect(event).toMatchObject({ started_by: null, status: 'active' });
    const osakaOfficer = await loggedInClient(server, osaka.logins.officer);
    expect((await (await loggedInClient(server, kyoto.logins.officer)).post(`/api/drills/${event!.id}/end`, {})).status).toBe(404);
    const ended = await osakaOfficer.post(`/api/drills/${event!.id}/end`, {});
    expect(ended.status).toBe(200);
    expect((await events(osaka))[0]).toMatchObject({ status: 'ended' });
    const audit = await database.db.selectFrom('audit_log').select(['actor_person_id']).where('subject', '=', event!.id).where('action', '=', 'drill.ended').execute();
    expect(audit).toEqual([{ actor_person_id: osaka.people.officer.id }]);
  });
});

describe('bad input: logged and counted, never a crash, never a duplicate event', () => {
  it('a truncated telegram is stored as rejected and counted; the same entry again is not handled twice', async () => {
    feed.publish('truncated-VXSE51.xml');
    // Fetched again on the next polls (a broken download may come whole), kept as rejected after the third.
    expect(await poll()).toMatchObject({ malformed: 1 });
    expect(await poll()).toMatchObject({ malformed: 1 });
    expect(await poll()).toMatchObject({ rejected: 1 });
    const stored = await database.db.selectFrom('quake_telegrams').select(['rejected']).where('entry_id', 'like', '%truncated%').execute();
    expect(stored).toEqual([{ rejected: expect.stringContaining('malformed_xml') }]);
    // Republished under the same entry id (a feed that repeats itself), and the Kyoto quake twice.
    feed.publish('truncated-VXSE51.xml');
    feed.publish('kyoto-5lower-VXSE51.xml');
    const again = await poll();
    expect(again.stored ?? 0).toBe(0);
    expect(await events(kyoto)).toHaveLength(1);
  });

  it('the same telegram handled by two instances at once: stored once, one decision', async () => {
    feed.publish('kyoto-3-VXSE51.xml', `${feed.base}/data/kyoto-3-VXSE51.xml?copy`);
    const [a, b] = await Promise.all([poll(), poll()]);
    expect((a.stored ?? 0) + (b.stored ?? 0)).toBe(1);
    const copies = await database.db.selectFrom('quake_telegrams').select('id').where('entry_id', 'like', '%?copy').execute();
    expect(copies).toHaveLength(1);
  });

  it('a feed that is down, slow or not a feed: counted as feed_failed, no throw', async () => {
    feed.publish('kyoto-3-VXSE51.xml', `${feed.base}/data/kyoto-3-VXSE51.xml?later`);
    for (const mode of ['down', 'slow', 'html'] as const) {
      feed.mode = mode;
      expect(await poll(500)).toEqual({ feed_failed: 1 });
    }
    feed.mode = 'up';
    // Back up: the entry missed meanwhile is read.
    expect(await poll()).toMatchObject({ stored: 1 });
  });

  it('a telegram that cannot be downloaded is tried again on the next poll', async () => {
    feed.publish('missing-VXSE51.xml');
    expect(await poll()).toMatchObject({ fetch_failed: 1 });
    expect(await poll()).toMatchObject({ fetch_failed: 1 });
    expect(feed.requests.filter((r) => r.path === '/data/missing-VXSE51.xml')).toHaveLength(2);
    // The poll stops there (later entries wait, in order) until the attempts run out; here JMA drops it from the feed.
    feed.entries = feed.entries.filter((e) => e.file !== 'missing-VXSE51.xml');
  });
});

/** A telegram derived from a fixture: another quake (EventID), intensity in every area, report time or info type. */
/** Publishes a telegram derived from `file` under its own path `as`. */
const publishAs = (file: string, as: string, o: Parameters<typeof derive>[0], more: { href?: string } = {}) => feed.publish(file, `${feed.base}/data/${as}`, { as, edit: derive(o), ...more });
/** A fresh association watching 滋賀県南部 (501), so each case starts with no trigger in its aftershock window. */
async function watching(label: string) {
  const x = await seedAssociation(database.db, label);
  const client = await loggedInClient(server, x.logins.officer);
  expect((await client.put('/api/quakes/settings', { areaCodes: ['501'], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false })).status).toBe(200);
  return x;
}
const SHIGA = 'shiga-5upper-VXSE51.xml'; // 滋賀県南部 5強, reported 12:02
const CANCEL = 'shiga-cancel-VXSE51.xml'; // its 取消, reported 12:04

describe('reviewed defects: order, corrections, several quakes, retries', () => {
  it('a 取消 published after its 発表 is never decided first: the poll stops at a failed download', async () => {
    const x = await watching('order1');
    publishAs(SHIGA, 'o1-VXSE51.xml', { eventId: '20261201130001' });
    publishAs(CANCEL, 'o1-cancel-VXSE51.xml', { eventId: '20261201130001' });
    feed.failNext.add('/data/o1-VXSE51.xml');
    expect(await poll()).toEqual({ fetch_failed: 1, seen: expect.any(Number) });
    expect(feed.requests.some((r) => r.path === '/data/o1-cancel-VXSE51.xml')).toBe(false);
    expect(await poll()).toMatchObject({ stored: 2 });
    expect(await holdOffPasses(x)).toEqual([expect.objectContaining({ status: 'cancelled', drill_id: null })]);
    expect(await events(x)).toEqual([]);
  });

  it('a 発表 arriving after its own 取消 (entries out of order) starts nothing', async () => {
    const x = await watching('order2');
    publishAs(CANCEL, 'o2-cancel-VXSE51.xml', { eventId: '20261201130002' });
    expect(await poll()).toMatchObject({ stored: 1 });
    publishAs(SHIGA, 'o2-VXSE51.xml', { eventId: '20261201130002' });
    expect(await poll()).toMatchObject({ stored: 1 });
    expect(await triggers(x)).toEqual([]);
    const log = await (await loggedInClient(server, x.logins.officer)).get('/api/quakes/log');
    expect(log.body.items[0]).toMatchObject({ eventId: '20261201130002', action: 'none', reason: 'already_cancelled' });
    expect(await events(x)).toEqual([]);
  });

  it('訂正 below the threshold, then a newer report across it: the event starts then', async () => {
    const x = await watching('reopen');
    publishAs(SHIGA, 'r-VXSE51.xml', { eventId: '20261201130003', at: '5-' });
    await poll();
    publishAs(SHIGA, 'r-corr-VXSE51.xml', { eventId: '20261201130003', at: '4', infoType: '訂正', reportAt: '2026-12-01T12:03:00+09:00' });
    await poll();
    expect(await triggers(x)).toEqual([expect.objectContaining({ status: 'cancelled', cancel_reason: 'corrected_below' })]);
    publishAs(SHIGA, 'r-up-VXSE51.xml', { eventId: '20261201130003', at: '5+', reportAt: '2026-12-01T12:05:00+09:00' });
    await poll();
    const [pending] = await triggers(x);
    expect(pending).toMatchObject({ status: 'pending', intensity: '5+', round: 2 });
    expect(pending!.fire_at.getTime() - Date.now()).toBeGreaterThan(100_000);
    expect(await holdOffPasses(x)).toEqual([expect.objectContaining({ status: 'started', drill_id: expect.any(String) })]);
    expect(await events(x)).toHaveLength(1);
  });

  it('two quakes in one hold-off: the first one’s 取消 does not cancel the second', async () => {
    const x = await watching('twoquakes');
    publishAs(SHIGA, 'a-VXSE51.xml', { eventId: '20261201130004', at: '5-' });
    publishAs(SHIGA, 'b-VXSE51.xml', { eventId: '20261201130005', at: '5+', reportAt: '2026-12-01T12:03:00+09:00' });
    await poll();
    expect((await triggers(x)).map((t) => [t.event_id, t.status])).toEqual([['20261201130004', 'pending'], ['20261201130005', 'pending']]);
    publishAs(CANCEL, 'a-cancel-VXSE51.xml', { eventId: '20261201130004' });
    await poll();
    const after = await holdOffPasses(x);
    expect(after.map((t) => [t.event_id, t.status])).toEqual([['20261201130004', 'cancelled'], ['20261201130005', 'started']]);
    expect(await events(x)).toHaveLength(1);
  });

  it('two quakes in one hold-off, none cancelled: the weaker one fired second joins the first event (one event)', async () => {
    const x = await watching('joined');
    publishAs(SHIGA, 'j1-VXSE51.xml', { eventId: '20261201130006', at: '5+' });
    publishAs(SHIGA, 'j2-VXSE51.xml', { eventId: '20261201130007', at: '5-', reportAt: '2026-12-01T12:03:00+09:00' });
    await poll();
    const [first, second] = await triggers(x);
    await makeDue(database.db, 'quake-fire', { triggerId: first!.id });
    await until(() => triggers(x), (ts) => ts[0]!.status === 'started');
    const after = await holdOffPasses(x);
    expect(after[1]).toMatchObject({ id: second!.id, status: 'started', drill_id: after[0]!.drill_id });
    expect(await events(x)).toHaveLength(1);
    const timeline = await database.db.selectFrom('drill_events').select('what').where('drill_id', '=', after[0]!.drill_id!).execute();
    expect(timeline.map((e) => e.what)).toContainEqual(expect.stringContaining('余震 滋賀県南部 震度5弱'));
  });

  it('a truncated download of a real 5強 is fetched again on the next poll and starts the event', async () => {
    const x = await watching('truncated');
    publishAs(SHIGA, 't-VXSE51.xml', { eventId: '20261201130008' });
    feed.truncateNext.add('/data/t-VXSE51.xml');
    expect(await poll()).toEqual({ malformed: 1, seen: expect.any(Number) });
    expect(await triggers(x)).toEqual([]);
    expect(await poll()).toMatchObject({ stored: 1 });
    expect(await holdOffPasses(x)).toEqual([expect.objectContaining({ status: 'started' })]);
  });

  it('a pending trigger past its time whose quake-fire job is gone is fired by the next poll', async () => {
    const x = await watching('overdue');
    publishAs(SHIGA, 'f-VXSE51.xml', { eventId: '20261201130009' });
    await poll();
    const [pending] = await triggers(x);
    await sql`delete from pgboss.job where name = 'quake-fire' and data->>'triggerId' = ${pending!.id}`.execute(database.db);
    await database.db.updateTable('quake_triggers').set({ fire_at: new Date(Date.now() - 5 * 60_000) }).where('id', '=', pending!.id).execute();
    expect(await refireOverdue(server.app.context)).toBeGreaterThanOrEqual(1);
    expect(await until(() => triggers(x), (ts) => ts[0]!.status !== 'pending')).toEqual([expect.objectContaining({ status: 'started' })]);
    expect(await events(x)).toHaveLength(1);
  });

  it('an oversize telegram and a link off the feed’s origin: counted as refused, nothing fetched or stored', async () => {
    const x = await watching('refused');
    const port = new URL(feed.base).port;
    publishAs(SHIGA, 'big-VXSE51.xml', { eventId: '20261201130010' });
    feed.entries[0]!.edit = (xml) => xml.replace('</Report>', `<!--${'x'.repeat(600 * 1024)}--></Report>`);
    publishAs(SHIGA, 'foreign-VXSE51.xml', { eventId: '20261201130011' }, { href: `http://localhost:${port}/data/foreign-VXSE51.xml` });
    expect(await poll()).toMatchObject({ refused: 2 });
    expect(feed.requests.some((r) => r.path === '/data/foreign-VXSE51.xml')).toBe(false);
    const stored = await database.db.selectFrom('quake_telegrams').select('id').where('event_id', 'in', ['20261201130010', '20261201130011']).execute();
    expect(stored).toEqual([]);
    expect(await triggers(x)).toEqual([]);
  });
});

describe('震度５弱以上未入電 and the officers’ notices', () => {
  /** A fresh association watching 京都府南部 at this threshold. */
  async function watchingKyoto(label: string, minIntensity: string, timing = {}) {
    const x = await seedAssociation(database.db, label);
    const client = await loggedInClient(server, x.logins.officer);
    expect((await client.put('/api/quakes/settings', { areaCodes: ['511'], minIntensity, holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false, ...timing })).status).toBe(200);
    return { x, client, hears: await listen(x.logins.officer) };
  }

  it('a city of the area 未入電: with 震度5弱 set it counts as reached (the log says why); with 5強 set nothing starts and the officers are told', async () => {
    // This one also sets its events' deadline (1 hour) and tiers (10 and 20 minutes after it).
    const five = await watchingKyoto('unrecv5', '5-', { deadlineSeconds: 3600, volunteersAfterSeconds: 600, officersAfterSeconds: 1200 });
    const strong = await watchingKyoto('unrecv5p', '5+');
    feed.publish('kyoto-unreceived-VXSE53.xml');
    expect(await poll()).toMatchObject({ stored: 1 });
    expect((await five.client.get('/api/quakes/log')).body.items[0]).toMatchObject({ eventId: '20261201140000', action: 'pend', reason: 'unreceived', intensity: '5-' });
    expect(await holdOffPasses(five.x)).toEqual([expect.objectContaining({ status: 'started', intensity: '5-', area_name: '京都府南部' })]);
    const [event] = await events(five.x);
    expect(event).toMatchObject({ title: '地震（京都府南部 強い揺れのおそれ）の安否確認', volunteers_after_seconds: 600, officers_after_seconds: 1200 });
    expect((event!.deadline_at.getTime() - event!.started_at.getTime()) / 1000).toBeCloseTo(3600, -1);

    expect((await strong.client.get('/api/quakes/log')).body.items[0]).toMatchObject({ eventId: '20261201140000', action: 'none', reason: 'unreceived_unsure', intensity: '3' });
    expect(await triggers(strong.x)).toEqual([]);
    expect(await events(strong.x)).toEqual([]);
    const told = await until(async () => strong.hears.notices, (n) => n.length === 1);
    expect(told[0]).toMatchObject({ kind: 'unreceived', intensity: '3', areaNames: ['京都府南部'], quakeEventId: '20261201140000', drillId: null, asked: false });
  });

  /**
   * kyoto-unreceived-VXSE53 moved to 京都府北部 (510, watched by no other association of this file):
   * 京田辺市 未入電 (`at` null), or the later 発表 of the same quake with its reading come in (`at`).
   */
  const north = (eventId: string, at: string | null, reportAt: string) => (xml: string) => {
    xml = xml.replaceAll('<Name>京都府南部</Name><Code>511</Code>', '<Name>京都府北部</Name><Code>510</Code>');
    if (at) xml = derive({ at })(xml.replace('<Condition>震度５弱以上未入電</Condition>', `<MaxInt>${at}</MaxInt>`).replace('<Int>震度５弱以上未入電</Int>', `<Int>${at}</Int>`));
    return derive({ eventId, reportAt })(xml);
  };
  async function pendingOnUnreceived(label: string, eventId: string) {
    const x = await seedAssociation(database.db, label);
    const client = await loggedInClient(server, x.logins.officer);
    expect((await client.put('/api/quakes/settings', { areaCodes: ['510'], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false })).status).toBe(200);
    const hears = await listen(x.logins.officer);
    feed.publish('kyoto-unreceived-VXSE53.xml', `${feed.base}/data/${label}-1.xml`, { as: `${label}-1.xml`, edit: north(eventId, null, '2026-12-01T14:06:00+09:00') });
    expect(await poll()).toMatchObject({ stored: 1 });
    expect(await triggers(x)).toEqual([expect.objectContaining({ status: 'pending', intensity: '5-', unreceived: true })]);
    const pending = await until(async () => hears.notices, (n) => n.length === 1);
    expect(pending[0]).toMatchObject({ kind: 'pending', intensity: '5-', unreceived: true, areaNames: ['京都府北部'] });
    return { x, client, hears };
  }

  it('pending on 未入電, a later 発表 gives the area 震度4: cancelled, nobody asked; the officers told the reading', async () => {
    const { x, client, hears } = await pendingOnUnreceived('unrecv-low', '20261201141000');
    feed.publish('kyoto-unreceived-VXSE53.xml', `${feed.base}/data/unrecv-low-2.xml`, { as: 'unrecv-low-2.xml', edit: north('20261201141000', '4', '2026-12-01T14:10:00+09:00') });
    expect(await poll()).toMatchObject({ stored: 1 });
    expect((await client.get('/api/quakes/log')).body.items[0]).toMatchObject({ eventId: '20261201141000', infoType: '発表', action: 'cancel', reason: 'received_below' });
    expect(await holdOffPasses(x)).toEqual([expect.objectContaining({ status: 'cancelled', drill_id: null })]);
    expect(await events(x)).toEqual([]);
    expect(await database.db.selectFrom('drill_targets').innerJoin('households', 'households.id', 'drill_targets.household_id').select('drill_targets.drill_id').where('households.association_id', '=', x.association.id).execute()).toEqual([]);
    const told = await until(async () => hears.notices, (n) => n.length === 2);
    expect(told[1]).toMatchObject({ kind: 'cancelled', intensity: '5-', unreceived: true });
  });

  it('pending on 未入電, a later 発表 gives the area 5強: it starts, labelled 震度5強 (never 未入電) in its title, its ask and the notices', async () => {
    const { x, client, hears } = await pendingOnUnreceived('unrecv-high', '20261201142000');
    feed.publish('kyoto-unreceived-VXSE53.xml', `${feed.base}/data/unrecv-high-2.xml`, { as: 'unrecv-high-2.xml', edit: north('20261201142000', '5+', '2026-12-01T14:10:00+09:00') });
    expect(await poll()).toMatchObject({ stored: 1 });
    expect((await client.get('/api/quakes/log')).body.items[0]).toMatchObject({ eventId: '20261201142000', action: 'update', reason: 'received', intensity: '5+' });
    const raised = await until(async () => hears.notices, (n) => n.length === 2);
    expect(raised[1]).toMatchObject({ kind: 'pending', intensity: '5+' });
    expect(raised[1]!.unreceived).toBeUndefined();
    expect(await holdOffPasses(x)).toEqual([expect.objectContaining({ status: 'started', intensity: '5+', unreceived: false })]);
    const [event] = await events(x);
    expect(event).toMatchObject({ title: '地震（京都府北部 震度5強）の安否確認', message: '気象庁の発表で京都府北部 震度5強の揺れがありました。ご無事ですか。' });
    const started = await until(async () => hears.notices, (n) => n.length === 3);
    expect(started[2]).toMatchObject({ kind: 'started', intensity: '5+', drillId: event!.id });
    expect(started[2]!.unreceived).toBeUndefined();
  });

  it('started on 未入電: the officers’ notice says 震度5弱以上（未入電）; the residents’ title and ask say strong shaking, no number', async () => {
    const { x, hears } = await pendingOnUnreceived('unrecv-start', '20261201143000');
    expect(await holdOffPasses(x)).toEqual([expect.objectContaining({ status: 'started', unreceived: true })]);
    const [event] = await events(x);
    expect(event).toMatchObject({ title: '地震（京都府北部 強い揺れのおそれ）の安否確認', message: '気象庁の発表によると、京都府北部で強い揺れがあったおそれがあります（震度はまだ届いていません）。ご無事ですか。' });
    const started = await until(async () => hears.notices, (n) => n.length === 2);
    expect(started[1]).toMatchObject({ kind: 'started', intensity: '5-', unreceived: true, drillId: event!.id });
    // Stored too, for an officer whose app was closed.
    const stored = (await (await loggedInClient(server, x.logins.officer)).get('/api/quakes/notices')).body.items;
    expect(stored).toEqual([expect.objectContaining({ key: started[1]!.key, kind: 'started', intensity: '5-', unreceived: true })]);
  });

  it('a 取消 after the event asked everyone: the event goes on, the officers get a notice naming it', async () => {
    const x = await watching('cancelafter');
    const hears = await listen(x.logins.officer);
    publishAs(SHIGA, 'ca-VXSE51.xml', { eventId: '20261201150000' });
    await poll();
    const [started] = await holdOffPasses(x);
    publishAs(CANCEL, 'ca-cancel-VXSE51.xml', { eventId: '20261201150000' });
    await poll();
    const notice = await until(async () => hears.notices.at(-1), (n) => n?.kind === 'cancelled_after_start');
    expect(notice).toMatchObject({ key: expect.stringMatching(/^telegram:/), quakeEventId: '20261201150000', drillId: started!.drill_id, asked: true });
    expect((await events(x))[0]).toMatchObject({ status: 'active' });
  });
});

describe('the officers’ notices from the stored state, and notices that change', () => {
  it('an officer opening the app later gets the notices that still matter, with the live ones’ keys and fields; another association’s officer gets none; a resident 403', async () => {
    const x = await watching('stored');
    const hears = await listen(x.logins.officer);
    const client = await loggedInClient(server, x.logins.officer);
    const stranger = await loggedInClient(server, (await seedAssociation(database.db, 'storedother')).logins.officer);
    const stored = async () => {
      const response = await client.get('/api/quakes/notices');
      expect(response.status).toBe(200);
      return response.body.items as QuakeNotice[];
    };
    const liveOf = (key: string, kind: string) => hears.notices.filter((n) => n.key === key && n.kind === kind).at(-1);
    expect(await stored()).toEqual([]);

    publishAs(SHIGA, 'st-VXSE51.xml', { eventId: '20261201160001' });
    await poll();
    const [pending] = await triggers(x);
    const key = `trigger:${pending!.id}`;
    await until(async () => liveOf(key, 'pending'), (n) => !!n);
    expect(await stored()).toEqual([{ key, kind: 'pending', eventKind: 'real', intensity: '5+', areaNames: ['滋賀県南部'], quakeEventId: '20261201160001', drillId: null, asked: false, fireAt: pending!.fire_at.toISOString() }]);
    expect((await stored())[0]).toEqual(liveOf(key, 'pending'));
    expect((await stranger.get('/api/quakes/notices')).body).toEqual({ items: [] });
    expect((await (await loggedInClient(server, x.logins.memberA)).get('/api/quakes/notices')).status).toBe(403);

    const [started] = await holdOffPasses(x);
    await until(async () => liveOf(key, 'started'), (n) => !!n);
    expect(await stored()).toEqual([liveOf(key, 'started')]);
    expect((await stored())[0]).toMatchObject({ kind: 'started', drillId: started!.drill_id, asked: true, fireAt: null });

    // An aftershock asks again the not yet accounted for; then JMA cancels the first quake: both shown, newest first.
    publishAs(SHIGA, 'st-after-VXSE51.xml', { eventId: '20261201160002', at: '5-', reportAt: '2026-12-01T12:30:00+09:00' });
    await poll();
    publishAs(CANCEL, 'st-cancel-VXSE51.xml', { eventId: '20261201160001' });
    await poll();
    const cancelled = await until(async () => hears.notices.find((n) => n.kind === 'cancelled_after_start'), (n) => !!n);
    const aftershock = hears.notices.find((n) => n.kind === 'aftershock');
    expect(aftershock).toMatchObject({ intensity: '5-', drillId: started!.drill_id, asked: true });
    expect(await stored()).toEqual([cancelled, aftershock, liveOf(key, 'started')]);
    expect((await stranger.get('/api/quakes/notices')).body).toEqual({ items: [] });

    // Ended: nothing left to tell.
    expect((await client.post(`/api/drills/${started!.drill_id}/end`, {})).status).toBe(200);
    expect(await stored()).toEqual([]);
  });

  it('a later report raises a waiting trigger’s intensity: a notice with the new intensity under the same key', async () => {
    const x = await watching('raised');
    const hears = await listen(x.logins.officer);
    publishAs(SHIGA, 'up1-VXSE51.xml', { eventId: '20261201160003', at: '5-' });
    await poll();
    publishAs(SHIGA, 'up2-VXSE51.xml', { eventId: '20261201160003', at: '6-', reportAt: '2026-12-01T12:03:00+09:00' });
    await poll();
    const [first, raised] = await until(async () => hears.notices, (n) => n.length === 2);
    expect(first).toMatchObject({ kind: 'pending', intensity: '5-' });
    expect(raised).toMatchObject({ key: first!.key, kind: 'pending', intensity: '6-', fireAt: first!.fireAt });
    expect((await (await loggedInClient(server, x.logins.officer)).get('/api/quakes/notices')).body.items).toEqual([raised]);
    // The same report again (a repeat, nothing raised): no further notice.
    publishAs(SHIGA, 'up3-VXSE51.xml', { eventId: '20261201160003', at: '6-', reportAt: '2026-12-01T12:04:00+09:00' });
    await poll();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hears.notices).toHaveLength(2);
  });

  it('a 訓練 telegram waiting to start a drill: the notice is the drill’s, live and stored', async () => {
    const x = await seedAssociation(database.db, 'trainingnotice');
    const client = await loggedInClient(server, x.logins.officer);
    expect((await client.put('/api/quakes/settings', { areaCodes: ['511'], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: true })).status).toBe(200);
    const hears = await listen(x.logins.officer);
    publishAs('kyoto-training-6lower-VXSE51.xml', 'tn-VXSE51.xml', { eventId: '20261201160004' });
    await poll();
    const [notice] = await until(async () => hears.notices, (n) => n.length === 1);
    expect(notice).toMatchObject({ kind: 'pending', eventKind: 'drill', intensity: '6-' });
    expect((await client.get('/api/quakes/notices')).body.items).toEqual([notice]);
  });
});

describe('the demo', () => {
  it('has Kyotanabe’s area (京都府南部) and its city (京田辺市) configured', async () => {
    const { seedDemo, demo } = await import('../server/src/demo/seed.js');
    await seedDemo(database.db);
    const settings = await database.db.selectFrom('quake_settings').selectAll().where('association_id', '=', demo.associationId).executeTakeFirst();
    expect(settings).toMatchObject({ area_codes: ['511'], city_codes: ['2621100'], min_intensity: '5-', hold_off_seconds: 120, aftershock_seconds: 21600, drills_from_training: false });
  });
});
