import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { startServerSuite, stopSuite } from './support/suite.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';

/**
 * The local support directory: anonymous search by worries over real HTTP (ranking, what
 * never shows, the general lines, bad input, nothing kept about the visitor) and its editors.
 * World: 京都府 → city A → district → X; city B → Y.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
const area: Record<string, { id: string; code: string }> = {};
const anonymous = () => new ApiClient(server.baseUrl);

async function addArea(key: string, kind: 'prefecture' | 'city' | 'school_district' | 'association', parent: string | null, associationId: string | null = null) {
  const code = `${key.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`;
  area[key] = await database.db.insertInto('directory_areas').values({ kind, code, name: key, parent_id: parent ? area[parent]!.id : null, association_id: associationId }).returning(['id', 'code']).executeTakeFirstOrThrow();
}

async function addService(name: string, worries: string[], areaKey: string, over: { status?: 'draft' | 'published' | 'hidden'; monthsAgo?: number } = {}) {
  const org = await database.db.insertInto('directory_organisations').values({ name: `${name}の団体`, created_by_association_id: null }).returning('id').executeTakeFirstOrThrow();
  const { id } = await database.db.insertInto('directory_services').values({
    organisation_id: org.id, name, worries, phone: '0774-00-0000', hours: '平日 9時〜17時', status: over.status ?? 'published',
    last_confirmed_on: sql<string>`((now() at time zone 'Asia/Tokyo')::date - make_interval(months => ${over.monthsAgo ?? 0}))::date` as unknown as string,
  }).returning('id').executeTakeFirstOrThrow();
  await database.db.insertInto('directory_service_areas').values({ service_id: id, area_id: area[areaKey]!.id }).execute();
  return id;
}

const names = (body: { results: { name: string }[] }) => body.results.map((r) => r.name);

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  x = await seedAssociation(database.db, 'x');
  y = await seedAssociation(database.db, 'y');
  await addArea('Pref', 'prefecture', null);
  await addArea('CityA', 'city', 'Pref');
  await addArea('DistrictA', 'school_district', 'CityA');
  await addArea('X', 'association', 'DistrictA', x.association.id);
  await addArea('CityB', 'city', 'Pref');
  await addArea('Y', 'association', 'CityB', y.association.id);
  await addService('市の介護と孤独の相談', ['care', 'loneliness'], 'CityA');
  await addService('Xのサロン', ['loneliness'], 'X');
  await addService('学区の介護カフェ', ['care'], 'DistrictA', { monthsAgo: 5 });
  await addService('Xの下書き', ['care', 'loneliness'], 'X', { status: 'draft' });
  await addService('Xの非表示', ['care'], 'X', { status: 'hidden' });
  await addService('Xの古い情報', ['care', 'loneliness'], 'X', { monthsAgo: 7 });
  await addService('市Bの介護', ['care', 'loneliness'], 'CityB');
  await addService('Yのサロン', ['loneliness'], 'Y');
  await addService('府のよりそい電話', ['general', 'loneliness'], 'Pref');
});

afterAll(() => stopSuite({ server, database }));

describe('anonymous search by worries', () => {
  it('finds what serves the area for any ticked worry: most worries first, then the most local; drafts, hidden, stale and other areas never', async () => {
    const response = await anonymous().get(`/api/directory/search?worries=care,loneliness&area=${area.X!.code}`);
    expect(response.status).toBe(200);
    expect(names(response.body)).toEqual(['市の介護と孤独の相談', 'Xのサロン', '学区の介護カフェ', '府のよりそい電話']);
    expect(response.body.results[0]).toMatchObject({ matched: 2, servesArea: 'CityA', organisation: '市の介護と孤独の相談の団体', phone: '0774-00-0000', hours: '平日 9時〜17時' });
    expect(response.body.area.code).toBe(area.X!.code);
    expect(response.body.areas.map((a: { name: string }) => a.name)).toEqual(['X', 'DistrictA', 'CityA', 'Pref']);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('from Y: its own city and salon, nothing of X or city A', async () => {
    const response = await anonymous().get(`/api/directory/search?worries=loneliness&area=${area.Y!.code}`);
    expect(names(response.body)).toEqual(['Yのサロン', '市Bの介護', '府のよりそい電話']);
  });

  it('a stale entry never shows as current: confirmed 7 months ago it is hidden; a 3-month reconfirm period hides a 5-month-old one', async () => {
    const before = await anonymous().get(`/api/directory/search?worries=care&area=${area.X!.code}`);
    // One worry each: the school district's is more local than the city's.
    expect(names(before.body)).toEqual(['学区の介護カフェ', '市の介護と孤独の相談']);
    await database.db.updateTable('directory_services').set({ reconfirm_months: 3 }).where('name', '=', '学区の介護カフェ').execute();
    const after = await anonymous().get(`/api/directory/search?worries=care&area=${area.X!.code}`);
    expect(names(after.body)).toEqual(['市の介護と孤独の相談']);
    await database.db.updateTable('directory_services').set({ reconfirm_months: 6 }).where('name', '=', '学区の介護カフェ').execute();
  });

  it('no worry ticked: the general help lines', async () => {
    const response = await anonymous().get(`/api/directory/search?area=${area.X!.code}`);
    expect(response.status).toBe(200);
    expect(response.body.general).toBe(true);
    expect(names(response.body)).toEqual(['府のよりそい電話']);
  });

  it('an unknown worry is a 400 naming worries; an unknown area a 404 naming area', async () => {
    const bad = await anonymous().get(`/api/directory/search?worries=care,fortune&area=${area.X!.code}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('worries');
    expect(bad.body.error.message).toContain('fortune');
    const unknown = await anonymous().get('/api/directory/search?worries=care&area=no-such-area');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.field).toBe('area');
  });

  it('stores nothing about the visitor: no row written, and a failed search is logged without its worries', async () => {
    const count = async () => (await sql<{ n: number }>`select (select count(*) from rate_limits) + (select count(*) from audit_log) + (select count(*) from sessions) as n`.execute(database.db)).rows[0]!.n;
    const before = await count();
    await anonymous().get(`/api/directory/search?worries=violence,money&area=${area.X!.code}`);
    expect(await count()).toBe(before);

    const error = vi.spyOn(server.app.context.log, 'error');
    await sql`alter table directory_service_areas rename to directory_service_areas_away`.execute(database.db);
    try {
      const failed = await anonymous().get(`/api/directory/search?worries=violence,money&area=${area.X!.code}`);
      expect(failed.status).toBe(500);
    } finally {
      await sql`alter table directory_service_areas_away rename to directory_service_areas`.execute(database.db);
    }
    const logged = JSON.stringify(error.mock.calls);
    error.mockRestore();
    expect(logged).toContain('/api/directory/search?[redacted]');
    expect(logged).not.toContain('violence');
    expect(logged).not.toContain('money');
  });
});

describe('editing the directory', () => {
  const body = { organisation: 'X地区 見守りの会', name: 'Xの話し相手ボランティア', worries: ['loneliness'], phone: '0774-00-0009', hours: '毎週月曜 10時〜12時', status: 'published' };

  it('an officer adds an entry for their association (audited); it shows in their search and nowhere else', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const created = await officer.post('/api/directory/services', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: body.name, status: 'published', stale: false, editable: true, areaCodes: [area.X!.code] });
    const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_person_id']).where('subject', '=', created.body.id).execute();
    expect(audit).toEqual([{ action: 'directory.service.create', actor_person_id: x.people.officer.id }]);
    expect(names((await anonymous().get(`/api/directory/search?worries=loneliness&area=${area.X!.code}`)).body)).toContain(body.name);
    expect(names((await anonymous().get(`/api/directory/search?worries=loneliness&area=${area.Y!.code}`)).body)).not.toContain(body.name);

    const list = await officer.get('/api/directory/services');
    expect(list.status).toBe(200);
    const listed = list.body.items.map((s: { name: string }) => s.name);
    expect(listed).toEqual(expect.arrayContaining([body.name, 'Xの下書き', 'Xの古い情報', '市の介護と孤独の相談']));
    expect(listed).not.toContain('Yのサロン');
    expect(list.body.items.find((s: { name: string }) => s.name === 'Xの古い情報')).toMatchObject({ stale: true, editable: false });
  });

  it('an officer changes and reconfirms their own entry (audited); another association\'s officer gets 404, a 班長 403', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const { body: created } = await officer.post('/api/directory/services', { ...body, name: 'X 時間変更テスト' });
    await database.db.updateTable('directory_services').set({ last_confirmed_on: '2020-01-01' }).where('id', '=', created.id).execute();
    expect(names((await anonymous().get(`/api/directory/search?worries=loneliness&area=${area.X!.code}`)).body)).not.toContain('X 時間変更テスト');

    const changed = await officer.patch(`/api/directory/services/${created.id}`, { hours: '毎週火曜 13時〜15時' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ hours: '毎週火曜 13時〜15時', stale: true });
    const confirmed = await officer.post(`/api/directory/services/${created.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.stale).toBe(false);
    const found = (await anonymous().get(`/api/directory/search?worries=loneliness&area=${area.X!.code}`)).body.results.find((r: { name: string }) => r.name === 'X 時間変更テスト');
    expect(found.hours).toBe('毎週火曜 13時〜15時');
    const actions = await database.db.selectFrom('audit_log').select('action').where('subject', '=', created.id).orderBy('at').execute();
    expect(actions.map((a) => a.action)).toEqual(['directory.service.create', 'directory.service.update', 'directory.service.confirm']);

    const officerY = new ApiClient(server.baseUrl);
    await officerY.login(y.logins.officer, PASSWORD);
    expect((await officerY.patch(`/api/directory/services/${created.id}`, { hours: '乗っ取り' })).status).toBe(404);
    expect((await officerY.post(`/api/directory/services/${created.id}/confirm`)).status).toBe(404);
    const captain = new ApiClient(server.baseUrl);
    await captain.login(x.logins.captain1, PASSWORD);
    expect((await captain.patch(`/api/directory/services/${created.id}`, { hours: '乗っ取り' })).status).toBe(403);
    const after = await database.db.selectFrom('directory_services').select('hours').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(after.hours).toBe('毎週火曜 13時〜15時');
  });

  it("an association whose slug an area already uses as its code still gets its own area (its list opens, no 500; reading writes nothing)", async () => {
    const z = await seedAssociation(database.db, 'z');
    const { slug } = await database.db.selectFrom('associations').select('slug').where('id', '=', z.association.id).executeTakeFirstOrThrow();
    await database.db.insertInto('directory_areas').values({ kind: 'city', code: slug, name: 'slugと同じ市' }).execute();
    const officer = new ApiClient(server.baseUrl);
    await officer.login(z.logins.officer, PASSWORD);
    // Before the association has an area its list opens, empty (a read writes nothing); its first entry gives it one.
    const before = await officer.get('/api/directory/services');
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ areas: [], searchUrl: null, items: [] });
    expect((await officer.post('/api/directory/services', { ...body, name: 'Zの窓口' })).status).toBe(201);
    const own = await database.db.selectFrom('directory_areas').select('code').where('association_id', '=', z.association.id).executeTakeFirstOrThrow();
    expect(own.code).not.toBe(slug);
    expect(own.code.startsWith(`${slug}-`)).toBe(true);
  });

  it('an entry without any way to reach it is refused, naming phone', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const response = await officer.post('/api/directory/services', { ...body, phone: '' });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('phone');
  });
});
