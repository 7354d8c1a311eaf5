import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSuite, stopSuite, loggedInClient } from './support/suite.js';
import type { SeededAssociation } from './support/fixtures.js';
import { makeDue } from './support/jobs.js';
import { until } from './support/wait.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import { pollFeed } from '../server/src/quakes/feed.service.js';
import { derive, FeedServer } from './support/quake-feed.js';

/**
 * Cities in the earthquake trigger, end to end through the local feed (test/support/quake-feed.ts):
 * an association watching 京都府南部 with 京田辺市 chosen. Its 震度速報 (VXSE51, areas only) pends on
 * the area's reading; the 震源・震度に関する情報 (VXSE53) that follows within the hold-off decides on
 * 京田辺市's own reading (test/fixtures/jma/kyoto-cities-*, derived from a real VXSE53, 出典：気象庁).
 */

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;
const feed = new FeedServer();
const SETTINGS = { areaCodes: ['511'], cityCodes: ['2621100'], minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 0, drillsFromTraining: false };

const poll = () => pollFeed(server.app.context, { url: `${feed.base}/feed.xml`, timeoutMs: 5000 });
const events = () => database.db.selectFrom('drills').selectAll().where('association_id', '=', x.association.id).orderBy('started_at').execute();
const triggerOf = (eventId: string) => database.db.selectFrom('quake_triggers').selectAll().where('association_id', '=', x.association.id).where('event_id', '=', eventId).executeTakeFirst();
/** Passes the trigger's hold-off (makeDue) and waits until it is no longer pending. */
async function holdOffPasses(eventId: string) {
  const t = await triggerOf(eventId);
  await makeDue(database.db, 'quake-fire', { triggerId: t!.id });
  return until(() => triggerOf(eventId), (row) => row?.status !== 'pending');
}
/** Publishes a fixture as its own entry, as the quake `eventId` reported at `reportAt` (JST). */
const publish = (file: string, as: string, eventId: string, reportAt: string) => feed.publish(file, `${feed.base}/data/${as}`, { as, edit: derive({ eventId, reportAt }) });
const log = async () => (await officer.get('/api/quakes/log')).body.items as { eventId: string; action: string; reason: string; intensity: string | null; basis: string | null; places: string[] }[];

beforeAll(async () => {
  await feed.start();
  ({ database, server, x } = await startSuite({ label: 'cities' }));
  officer = await loggedInClient(server, x.logins.officer);
});
afterAll(async () => {
  await stopSuite({ server, database });
  await new Promise((resolve) => feed.server.close(resolve));
});

describe('the officers pick cities from JMA’s list', () => {
  it('an unknown code or a city outside the chosen areas: 400 naming cityCodes; a pick is saved and shown with its name', async () => {
    const unknown = await officer.put('/api/quakes/settings', { ...SETTINGS, cityCodes: ['2699999'] });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('cityCodes');
    const outside = await officer.put('/api/quakes/settings', { ...SETTINGS, areaCodes: ['510'] });
    expect(outside.status).toBe(400);
    expect(outside.text).toContain('cityCodes');
    expect((await officer.get('/api/quakes/settings')).body.cityCodes).toEqual([]);

    const saved = await officer.put('/api/quakes/settings', SETTINGS);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ cityCodes: ['2621100'], cities: [{ code: '2621100', name: '京田辺市', areaCode: '511' }] });
    // A save without cityCodes (an app cached from before them) keeps them while their area stays chosen.
    const { cityCodes: _left, ...older } = SETTINGS;
    expect((await officer.put('/api/quakes/settings', { ...older, holdOffSeconds: 150 })).body).toMatchObject({ holdOffSeconds: 150, cityCodes: ['2621100'] });
    expect((await officer.put('/api/quakes/settings', SETTINGS)).status).toBe(200);
  });
});

describe('the chosen city’s reading decides', () => {
  it('震度速報 5弱 in 京都府南部, then within the hold-off 京田辺市 at 4: cancelled before anyone is asked, the log saying why and which reading', async () => {
    publish('kyoto-5lower-VXSE51.xml', 'c1-VXSE51.xml', '20261201161000', '2026-12-01T16:10:00+09:00');
    expect(await poll()).toMatchObject({ stored: 1 });
    expect(await triggerOf('20261201161000')).toMatchObject({ status: 'pending', intensity: '5-' });
    expect((await log())[0]).toMatchObject({ eventId: '20261201161000', action: 'pend', reason: 'above_threshold', intensity: '5-', basis: 'area', places: ['京都府南部'] });

    publish('kyoto-cities-tanabe4-VXSE53.xml', 'c1-VXSE53.xml', '20261201161000', '2026-12-01T16:13:00+09:00');
    expect(await poll()).toMatchObject({ stored: 1 });
    expect((await log())[0]).toMatchObject({ eventId: '20261201161000', action: 'cancel', reason: 'city_below', basis: 'city', places: ['京田辺市'] });
    expect(await holdOffPasses('20261201161000')).toMatchObject({ status: 'cancelled', drill_id: null });
    expect(await events()).toEqual([]);
  });

  it('the same, with 京田辺市 at 5弱: the event starts after the hold-off and asks every household', async () => {
    publish('kyoto-5lower-VXSE51.xml', 'c2-VXSE51.xml', '20261201162000', '2026-12-01T16:20:00+09:00');
    publish('kyoto-cities-tanabe5lower-VXSE53.xml', 'c2-VXSE53.xml', '20261201162000', '2026-12-01T16:23:00+09:00');
    expect(await poll()).toMatchObject({ stored: 2 });
    expect((await log()).slice(0, 2)).toEqual([
      expect.objectContaining({ eventId: '20261201162000', action: 'none', reason: 'no_change', intensity: '5-', basis: 'city', places: ['京田辺市'] }),
      expect.objectContaining({ eventId: '20261201162000', action: 'pend', basis: 'area' }),
    ]);
    const started = await holdOffPasses('20261201162000');
    expect(started).toMatchObject({ status: 'started', drill_id: expect.any(String) });
    const [event] = await events();
    expect(event).toMatchObject({ id: started!.drill_id, kind: 'real', started_by: null });
    const targets = await database.db.selectFrom('drill_targets').select('household_id').where('drill_id', '=', event!.id).execute();
    expect(targets.map((t) => t.household_id).sort()).toEqual(Object.values(x.households).map((h) => h.id).sort());
  });

  it('a VXSE53 alone with 京田辺市 at 4 (its area at 5弱) starts nothing', async () => {
    publish('kyoto-cities-tanabe4-VXSE53.xml', 'c3-VXSE53.xml', '20261201163000', '2026-12-01T16:33:00+09:00');
    expect(await poll()).toMatchObject({ stored: 1 });
    expect((await log())[0]).toMatchObject({ eventId: '20261201163000', action: 'none', reason: 'below_threshold', intensity: '4', basis: 'city', places: ['京田辺市'] });
    expect(await triggerOf('20261201163000')).toBeUndefined();
  });
});

describe('a 未入電 trigger whose later report omits the area', () => {
  it('stays pending; the hold-off ends with the best reading known (5弱 assumed), and residents read no number', async () => {
    // 京田辺市 未入電 (5弱 or more possibly): pending as 5弱.
    publish('kyoto-unreceived-VXSE53.xml', 'c4-1.xml', '20261201164000', '2026-12-01T16:40:00+09:00');
    expect(await poll()).toMatchObject({ stored: 1 });
    expect((await log())[0]).toMatchObject({ action: 'pend', reason: 'unreceived', intensity: '5-', basis: 'city', places: ['京田辺市'] });
    // A later 発表 of the same quake naming 京都府北部 only (京都府南部 omitted): no reading for us, no change.
    feed.publish('kyoto-unreceived-VXSE53.xml', `${feed.base}/data/c4-2.xml`, {
      as: 'c4-2.xml',
      edit: (xml) => derive({ eventId: '20261201164000', reportAt: '2026-12-01T16:44:00+09:00' })(xml.replaceAll('<Name>京都府南部</Name><Code>511</Code>', '<Name>京都府北部</Name><Code>510</Code>')),
    });
    expect(await poll()).toMatchObject({ stored: 1 });
    expect((await log())[0]).toMatchObject({ eventId: '20261201164000', action: 'none', reason: 'no_change', basis: null, places: [] });
    expect(await holdOffPasses('20261201164000')).toMatchObject({ status: 'started', intensity: '5-', unreceived: true, area_name: '京田辺市' });
    const event = (await events()).at(-1)!;
    expect(event).toMatchObject({ title: '地震（京田辺市 強い揺れのおそれ）の安否確認', message: '気象庁の発表によると、京田辺市で強い揺れがあったおそれがあります（震度はまだ届いていません）。ご無事ですか。' });
    // What a resident reads: no intensity number, no 未入電.
    const member = await loggedInClient(server, x.logins.memberA);
    const mine = (await member.get('/api/drills/mine')).body.items.find((i: { drill: { id: string } }) => i.drill.id === event.id);
    expect(`${mine.drill.title}${mine.drill.message}`).not.toMatch(/震度\s*[0-9０-９]|未入電/);
  });
});
