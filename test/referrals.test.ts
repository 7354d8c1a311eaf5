import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerSuite, stopSuite, loggedInClient } from './support/suite.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { createDrill } from './support/factories/drills.js';
import { liveAlert, watchedHome } from './support/factories/watch.js';
import { makeHousehold } from './support/factories/roster.js';
import { ensureAssociationArea } from '../server/src/directory/directory.repository.js';

/**
 * Referrals from a needs-help drill visit or watch alert, over real HTTP: who may record one
 * (scoped like the visit and the alert), the consent and service checks, once per source and
 * service with its audit row, a household's list, and the officers' counts without names.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let care: string;
let draft: string;
let ofY: string;
let drillId: string;
let alertId: string;
let captain1: ApiClient;
let captain2: ApiClient;
let officer: ApiClient;

async function addService(name: string, worries: string[], associationId: string, status: 'draft' | 'published' = 'published') {
  const area = await ensureAssociationArea(database.db, associationId);
  const org = await database.db.insertInto('directory_organisations').values({ name: `${name}の団体`, created_by_association_id: associationId }).returning('id').executeTakeFirstOrThrow();
  const { id } = await database.db.insertInto('directory_services')
    .values({ organisation_id: org.id, name, worries, phone: '0774-11-2222', status, created_by_association_id: associationId }).returning('id').executeTakeFirstOrThrow();
  await database.db.insertInto('directory_service_areas').values({ service_id: id, area_id: area.id }).execute();
  return id;
}

const referral = (over: Record<string, unknown> = {}) => ({
  source: 'drill_visit', sourceId: drillId, householdId: x.households.A.id, serviceId: care, worries: ['care', 'loneliness'], consent: true, ...over,
});

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  x = await seedAssociation(database.db, 'x');
  y = await seedAssociation(database.db, 'y');
  care = await addService('地域包括支援センター', ['care', 'loneliness'], x.association.id);
  draft = await addService('下書きの相談', ['care'], x.association.id, 'draft');
  ofY = await addService('Yの介護相談', ['care'], y.association.id);
  [captain1, captain2, officer] = await Promise.all([loggedInClient(server, x.logins.captain1), loggedInClient(server, x.logins.captain2), loggedInClient(server, x.logins.officer)]);
  drillId = (await createDrill(database.db, x.association.id)).id;
  await watchedHome(database.db, x.households.A, x.association.id);
  alertId = await liveAlert(database.db, x.households.A, x.association.id, 'silent', 'family_captain');
});

afterAll(() => stopSuite({ server, database }));

describe('a captain refers a household that needs help', () => {
  it('shows the association’s current services for the ticked worries, none of another association', async () => {
    const found = await captain1.get('/api/referrals/services?worries=care');
    expect(found.status).toBe(200);
    expect(found.body.results.map((r: { name: string }) => r.name)).toEqual(['地域包括支援センター']);
    const member = await loggedInClient(server, x.logins.memberA);
    expect((await member.get('/api/referrals/services?worries=care')).status).toBe(403);
  });

  it('a drill visit: refused before the visit found a need, then recorded once with its audit row', async () => {
    expect((await captain1.post('/api/referrals', referral())).status).toBe(409);
    const visit = await captain1.post(`/api/drills/${drillId}/visit`, { householdId: x.households.A.id, outcome: 'needs_help' });
    expect(visit.status).toBe(200);

    const first = await captain1.post('/api/referrals', referral());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ source: 'drill_visit', serviceName: '地域包括支援センター', worries: ['care', 'loneliness'], referredBy: '班長 一' });
    const again = await captain1.post('/api/referrals', referral());
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const rows = await database.db.selectFrom('referrals').selectAll().where('household_id', '=', x.households.A.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ block_id: x.blocks.block1.id, consent: true, worries: ['care', 'loneliness'] });
    const audits = await database.db.selectFrom('audit_log').select(['action', 'subject']).where('action', '=', 'referral.create').execute();
    expect(audits).toEqual([{ action: 'referral.create', subject: first.body.id }]);
  });

  it('bad input: no consent names consent, a draft or another association’s service names serviceId, no worry names worries', async () => {
    for (const consent of [undefined, false]) {
      const response = await captain1.post('/api/referrals', referral({ consent }));
      expect(response.status).toBe(400);
      expect(response.body.error.field).toBe('consent');
    }
    for (const serviceId of [draft, ofY]) {
      const response = await captain1.post('/api/referrals', referral({ serviceId }));
      expect(response.status).toBe(400);
      expect(response.body.error.field).toBe('serviceId');
    }
    const none = await captain1.post('/api/referrals', referral({ worries: [] }));
    expect(none.body.error.field).toBe('worries');
    const freeText = await captain1.post('/api/referrals', referral({ worries: ['認知症の疑い'] }));
    expect(freeText.status).toBe(400);
    // One worry ticked thrice would count thrice: refused, naming worries.
    const repeated = await captain1.post('/api/referrals', referral({ worries: ['care', 'care', 'care'] }));
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.field).toBe('worries');
  });

  it('another 班’s captain, a member and another association cannot refer the household', async () => {
    expect((await captain2.post('/api/referrals', referral())).status).toBe(404);
    const member = await loggedInClient(server, x.logins.memberB);
    expect((await member.post('/api/referrals', referral())).status).toBe(403);
    const otherOfficer = await loggedInClient(server, y.logins.officer);
    expect((await otherOfficer.post('/api/referrals', referral())).status).toBe(404);
  });

  it('a watch alert: only once resolved as needs help, then recorded', async () => {
    const body = referral({ source: 'watch_alert', sourceId: alertId, worries: ['care'] });
    expect((await captain1.post('/api/referrals', body)).status).toBe(409);
    expect((await captain1.post(`/api/watch/alerts/${alertId}/resolve`, { outcome: 'needs_help' })).status).toBe(200);
    const made = await captain1.post('/api/referrals', body);
    expect(made.status).toBe(201);
    expect(made.body.source).toBe('watch_alert');
    // The alert belongs to household A: naming another household is a 404.
    expect((await captain1.post('/api/referrals', { ...body, householdId: x.households.C.id })).status).toBe(404);
    expect((await captain2.post('/api/referrals', body)).status).toBe(404);
  });

  it('the household’s card lists its referrals for its 班長 and officers, not for another 班', async () => {
    const mine = await captain1.get(`/api/referrals/households/${x.households.A.id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((r: { source: string }) => r.source).sort()).toEqual(['drill_visit', 'watch_alert']);
    expect((await officer.get(`/api/referrals/households/${x.households.A.id}`)).body.items).toHaveLength(2);
    expect((await captain2.get(`/api/referrals/households/${x.households.A.id}`)).status).toBe(404);
    const otherOfficer = await loggedInClient(server, y.logins.officer);
    expect((await otherOfficer.get(`/api/referrals/households/${x.households.A.id}`)).status).toBe(404);
  });

  it('the household itself and its family (a son watching his mother) do not see what she was referred for', async () => {
    for (const login of [x.logins.watcherA, x.logins.memberA]) {
      const family = await loggedInClient(server, login);
      expect((await family.get(`/api/households/${x.households.A.id}`)).status).toBe(200);
      const listed = await family.get(`/api/referrals/households/${x.households.A.id}`);
      expect(listed.status).toBe(404);
      expect(listed.text).not.toContain('地域包括支援センター');
    }
  });
});

describe('the officers’ counts', () => {
  it('counts households, not referrals: household A referred twice (and to a second service) counts once; 1 or 2 shown as null', async () => {
    // Household C's visit (班1) and its referral; A has two already, and now a third service from the same visit.
    await captain1.post(`/api/drills/${drillId}/visit`, { householdId: x.households.C.id, outcome: 'injured' });
    expect((await captain1.post('/api/referrals', referral({ householdId: x.households.C.id, worries: ['care'] }))).status).toBe(201);
    const second = await addService('配食サービス', ['care'], x.association.id);
    expect((await captain1.post('/api/referrals', referral({ serviceId: second, worries: ['care'] }))).status).toBe(201);

    const counts = await officer.get('/api/referrals/counts?months=3');
    expect(counts.status).toBe(200);
    const month = counts.body.months.at(-1);
    expect(counts.body.months).toHaveLength(3);
    expect(counts.body.threshold).toBe(3);
    // Four referrals, two households: never "3".
    expect(counts.body.byWorry).toEqual([{ month, worry: 'care', count: null }, { month, worry: 'loneliness', count: null }]);
    // A month with a 1–2 withholds its 班 (not even which 班 had a referral).
    expect(counts.body.byBlock).toEqual([]);
    expect(counts.body.blocksWithheld).toEqual([month]);
    for (const name of ['山田家', '鈴木家', x.households.A.id, '班長 一']) expect(counts.text).not.toContain(name);

    expect((await captain1.get('/api/referrals/counts')).status).toBe(403);
    const otherOfficer = await loggedInClient(server, y.logins.officer);
    expect((await otherOfficer.get('/api/referrals/counts')).body.byWorry).toEqual([]);
  });

  it('a 1–2 in either margin is never recoverable by subtraction from the other: that month’s 班 are withheld, on the page’s data and the CSV', async () => {
    // Two more households in 班1 (four in all) and one in 班2, each referred for care: care = 5 households this month.
    const block1 = await Promise.all(['105', '106'].map((n) => makeHousehold(database.db, { id: x.blocks.block1.id, associationId: x.association.id }, { householdNumber: n })));
    const block2 = await makeHousehold(database.db, { id: x.blocks.block2.id, associationId: x.association.id }, { householdNumber: '107' });
    for (const h of [...block1, block2]) {
      await database.db.insertInto('referrals').values({
        association_id: x.association.id, household_id: h.id, block_id: h.blockId, source: 'drill_visit', drill_id: drillId, service_id: care, worries: ['care'], consent: true,
      }).execute();
    }
    const counts = await officer.get('/api/referrals/counts?months=1');
    const [month] = counts.body.months;
    expect(counts.body.byWorry).toContainEqual({ month, worry: 'care', count: 5 });
    // Were 班1 shown as 4, 班2 would be 5 − 4 = 1; were both 「1〜2」, the sum 5 would say 班1 is 3 or 4, not 1〜2.
    expect(counts.body.byBlock).toEqual([]);
    expect(counts.body.blocksWithheld).toEqual([month]);

    const csv = await officer.get('/api/referrals/counts.csv?months=1');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/referrals-\d{4}-\d{2}-\d{2}\.csv/);
    expect(csv.text).toContain(`${month},悩み,介護,5`);
    expect(csv.text).toContain(`${month},悩み,孤独・孤立,1〜2`);
    expect(csv.text).toContain(`${month},班,（すべての班）,非表示`);
    expect(csv.text).not.toContain(x.blocks.block1.name);
    expect(csv.text).not.toContain('山田家');
  });
});

describe('a circular links the directory', () => {
  it('an officer attaches current services and a worry search; residents read them; unknown, draft or foreign services are a 400 naming helpServiceIds', async () => {
    const made = await officer.post('/api/circulars', { title: '相談窓口のお知らせ', bodyMarkdown: '困ったときは', helpServiceIds: [care], helpWorries: ['care', 'loneliness'] });
    expect(made.status).toBe(201);
    expect(made.body.help.services).toEqual([expect.objectContaining({ id: care, name: '地域包括支援センター', phone: '0774-11-2222' })]);
    expect(made.body.help.searchUrl).toMatch(/\/help\?area=[a-z0-9-]+&worries=care,loneliness$/);
    expect((await officer.post(`/api/circulars/${made.body.id}/publish`)).status).toBe(200);
    const member = await loggedInClient(server, x.logins.memberA);
    const read = await member.get(`/api/circulars/${made.body.id}`);
    expect(read.body.help.services.map((s: { name: string }) => s.name)).toEqual(['地域包括支援センター']);

    for (const helpServiceIds of [[draft], [ofY], ['99999999-9999-4999-8999-999999999999'], [care, care]]) {
      const refused = await officer.post('/api/circulars', { title: '誤り', helpServiceIds });
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe('helpServiceIds');
    }
    for (const helpWorries of [['なやみ'], ['care', 'care']]) {
      const badWorry = await officer.post('/api/circulars', { title: '誤り', helpWorries });
      expect(badWorry.status).toBe(400);
      expect(badWorry.body.error.field).toMatch(/^helpWorries/);
    }
  });

  it('reading writes nothing: an association without a directory area reads its circular and searches with no services, and still has no area', async () => {
    const z = await seedAssociation(database.db, 'z');
    const [zOfficer, zCaptain] = await Promise.all([loggedInClient(server, z.logins.officer), loggedInClient(server, z.logins.captain1)]);
    const made = await zOfficer.post('/api/circulars', { title: '相談窓口', bodyMarkdown: '困ったときは', helpWorries: ['care'] });
    expect(made.status).toBe(201);
    expect(made.body.help).toMatchObject({ services: [], searchUrl: null });
    expect((await zOfficer.get(`/api/circulars/${made.body.id}`)).status).toBe(200);
    const found = await zCaptain.get('/api/referrals/services?worries=care');
    expect(found.status).toBe(200);
    expect(found.body.results).toEqual([]);
    const areas = await database.db.selectFrom('directory_areas').select('id').where('association_id', '=', z.association.id).execute();
    expect(areas).toEqual([]);
  });
});
