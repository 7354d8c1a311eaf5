import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from 'kysely';
import { startServerSuite, stopSuite } from './support/suite.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { migrations } from '../migrations/index.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { hashPassword } from '../server/src/auth/password.js';
import { upsertCityEditor } from '../server/src/directory/directory-accounts.repository.js';
import { ensureAssociationArea } from '../server/src/directory/directory.repository.js';

/**
 * The directory's remaining edits and its 変更履歴, over real HTTP. World: city A → X, city B → Y.
 * An officer fixes an entry's organisation, age groups, languages and map pin on its card (the
 * update route the city's editors share); bad values are 400s naming the field and write
 * nothing; an organisation proposes them too. 変更履歴 shows each viewer only the entries it
 * keeps: X's officer X's, Y's officer Y's, city A's editor city A's, an organisation its own.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let officerX: ApiClient;
let officerY: ApiClient;
let editorA: ApiClient;
let editorB: ApiClient;
const anonymous = () => new ApiClient(server.baseUrl);

const entry = (name: string, extra: Record<string, unknown> = {}) => ({
  organisation: 'X 見守りの会', name, worries: ['loneliness'], phone: '0774-30-0000', status: 'published', ...extra,
});
const row = (id: string) => database.db.selectFrom('directory_services')
  .select(['organisation_id', 'age_groups', 'languages', 'lat', 'lon', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow();
const trail = (id: string) => database.db.selectFrom('directory_audit').select(['action', 'detail', 'actor_person_id', 'actor_account_id'])
  .where('subject', '=', id).orderBy('id').execute();

async function signIn(login: string) {
  const client = anonymous();
  const signedIn = await client.post('/api/directory/account/login', { login, password: 'city-password' });
  expect(signedIn.status).toBe(200);
  client.csrfToken = signedIn.body.csrfToken;
  return client;
}

/** An organisation login for `organisation` (an officer's invitation, joined), signed in. */
async function organisationLogin(officer: ApiClient, organisation: string, login: string) {
  const invited = await officer.post('/api/directory/invitations', { organisation, login });
  expect(invited.status).toBe(201);
  const client = anonymous();
  const joined = await client.post('/api/directory/account/join', { code: invited.body.code, password: 'org-password' });
  expect(joined.status).toBe(200);
  client.csrfToken = joined.body.csrfToken;
  return client;
}

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  x = await seedAssociation(database.db, 'hx');
  y = await seedAssociation(database.db, 'hy');
  const city = async (code: string, name: string) => (await database.db.insertInto('directory_areas').values({ kind: 'city', code, name }).returning('id').executeTakeFirstOrThrow()).id;
  const cityA = await city('hist-city-a', 'A市');
  const cityB = await city('hist-city-b', 'B市');
  for (const [a, parent] of [[x, cityA], [y, cityB]] as const) {
    await ensureAssociationArea(database.db, a.association.id);
    await database.db.updateTable('directory_areas').set({ parent_id: parent }).where('association_id', '=', a.association.id).execute();
  }
  const passwordHash = await hashPassword('city-password');
  await upsertCityEditor(database.db, { name: 'A市 福祉課', login: 'a@hist.example.jp', passwordHash, areaId: cityA });
  await upsertCityEditor(database.db, { name: 'B市 福祉課', login: 'b@hist.example.jp', passwordHash, areaId: cityB });
  [editorA, editorB] = await Promise.all([signIn('a@hist.example.jp'), signIn('b@hist.example.jp')]);
  officerX = anonymous();
  await officerX.login(x.logins.officer, PASSWORD);
  officerY = anonymous();
  await officerY.login(y.logins.officer, PASSWORD);
});

afterAll(() => stopSuite({ server, database }));

describe('the fields only CSV could change, on the card', () => {
  it('an officer changes an entry’s age groups, languages and map pin: saved, in search, and audited naming those fields', async () => {
    const { body: created } = await officerX.post('/api/directory/services', entry('X 言語テスト'));
    expect(created).toMatchObject({ languages: ['ja'], ageGroups: [], lat: null, lon: null });
    const changed = await officerX.patch(`/api/directory/services/${created.id}`, { ageGroups: ['seniors'], languages: ['ja', 'en', 'easy-ja'], lat: 34.8145, lon: 135.7675 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ ageGroups: ['seniors'], languages: ['ja', 'en', 'easy-ja'], lat: 34.8145, lon: 135.7675 });
    expect(await row(created.id)).toMatchObject({ age_groups: ['seniors'], languages: ['ja', 'en', 'easy-ja'], lat: 34.8145, lon: 135.7675 });
    const found = (await anonymous().get(`/api/directory/search?worries=loneliness&area=${created.areaCodes[0]}`)).body.results.find((r: { id: string }) => r.id === created.id);
    expect(found).toMatchObject({ languages: ['ja', 'en', 'easy-ja'], lat: 34.8145, lon: 135.7675 });

    const audited = await trail(created.id);
    expect(audited.at(-1)).toMatchObject({ action: 'directory.service.update', actor_person_id: x.people.officer.id, detail: { fields: ['age_groups', 'languages', 'lat', 'lon'] } });
    const inAssociationLog = await database.db.selectFrom('audit_log').select('detail').where('subject', '=', created.id).where('action', '=', 'directory.service.update').execute();
    expect(inAssociationLog).toEqual([{ detail: { fields: ['age_groups', 'languages', 'lat', 'lon'] } }]);

    // Clearing the pin (both halves null) is a change too.
    const cleared = await officerX.patch(`/api/directory/services/${created.id}`, { lat: null, lon: null });
    expect(cleared.body).toMatchObject({ lat: null, lon: null });
  });

  it.each([
    ['an unknown language', 'languages.1', { languages: ['ja', 'fr'] }, /one of/],
    ['an unknown age group', 'ageGroups.0', { ageGroups: ['babies'] }, /one of/],
    ['a latitude past 90', 'lat', { lat: 91, lon: 135 }, /between -90 and 90/],
    ['a longitude past -180', 'lon', { lat: 34, lon: -181 }, /between -180 and 180/],
    ['a latitude that is text', 'lat', { lat: '34.8', lon: 135 }, /number/],
    ['half a pin on an entry without one', 'lon', { lat: 34.8 }, /both/],
  ] as const)('%s is a 400 naming %s, and writes nothing', async (_what, field, body, message) => {
    const { body: created } = await officerX.post('/api/directory/services', entry(`X 不正 ${field}`));
    const before = await row(created.id);
    const auditedBefore = (await trail(created.id)).length;
    const response = await officerX.patch(`/api/directory/services/${created.id}`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
    expect(response.body.error.message).toMatch(message);
    expect(await row(created.id)).toEqual(before);
    expect(await trail(created.id)).toHaveLength(auditedBefore);
  });

  it('an officer moves an entry to another organisation: their own of that name, never another association’s or the city’s (409 naming organisation)', async () => {
    const { body: created } = await officerX.post('/api/directory/services', entry('X 団体変更'));
    const { body: yEntry } = await officerY.post('/api/directory/services', entry('Y の窓口', { organisation: 'Y 食堂の会' }));
    const yOrganisation = (await row(yEntry.id)).organisation_id;

    const moved = await officerX.patch(`/api/directory/services/${created.id}`, { organisation: 'Y 食堂の会' });
    expect(moved.status).toBe(200);
    expect(moved.body.organisation).toBe('Y 食堂の会');
    const now = await row(created.id);
    expect(now.organisation_id).not.toBe(yOrganisation);
    const owner = await database.db.selectFrom('directory_organisations').select('created_by_association_id').where('id', '=', now.organisation_id).executeTakeFirstOrThrow();
    expect(owner.created_by_association_id).toBe(x.association.id);
    expect((await trail(created.id)).at(-1)).toMatchObject({ detail: { fields: ['organisation'] } });

    // An organisation city A keeps, by name: the city's editor keeps it.
    const cityEntry = await editorA.post('/api/directory/account/city/services', entry('A市の相談', { organisation: 'A市 社会福祉協議会' }));
    expect(cityEntry.status).toBe(201);
    const refused = await officerX.patch(`/api/directory/services/${created.id}`, { organisation: 'A市 社会福祉協議会' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.field).toBe('organisation');
    expect((await row(created.id)).organisation_id).toBe(now.organisation_id);
  });

  it('a city editor changes the city’s entry the same way; another city’s editor and any officer get 404', async () => {
    const { body: created } = await editorA.post('/api/directory/account/city/services', entry('A市 多言語窓口', { organisation: 'A市 国際交流協会' }));
    const changed = await editorA.patch(`/api/directory/account/city/services/${created.id}`, { languages: ['ja', 'zh', 'ko'], lat: 34.81, lon: 135.77 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ languages: ['ja', 'zh', 'ko'], lat: 34.81, lon: 135.77 });
    expect((await trail(created.id)).at(-1)).toMatchObject({ action: 'directory.service.update', detail: { fields: ['languages', 'lat', 'lon'] } });
    expect((await editorB.patch(`/api/directory/account/city/services/${created.id}`, { languages: ['en'] })).status).toBe(404);
    expect((await officerX.patch(`/api/directory/services/${created.id}`, { languages: ['en'] })).status).toBe(404);
    expect((await row(created.id)).languages).toEqual(['ja', 'zh', 'ko']);
  });

  it('an organisation proposes new languages and a pin; they show once an officer approves', async () => {
    const { body: created } = await officerX.post('/api/directory/services', entry('X 提案テスト', { organisation: 'X 提案の会' }));
    const invited = await officerX.post('/api/directory/invitations', { organisation: 'X 提案の会', login: 'teian@hx.example.jp' });
    const org = anonymous();
    const joined = await org.post('/api/directory/account/join', { code: invited.body.code, password: 'teian-password' });
    org.csrfToken = joined.body.csrfToken;

    const refused = await org.patch(`/api/directory/account/services/${created.id}`, { languages: ['klingon'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('languages.0');
    const proposed = await org.patch(`/api/directory/account/services/${created.id}`, { languages: ['ja', 'vi'], lat: 34.8, lon: 135.7 });
    expect(proposed.status).toBe(200);
    expect(proposed.body.pending.changes).toEqual(expect.arrayContaining([
      { field: 'languages', before: ['ja'], after: ['ja', 'vi'] }, { field: 'lat', before: null, after: 34.8 }, { field: 'lon', before: null, after: 135.7 },
    ]));
    expect((await row(created.id)).languages).toEqual(['ja']);
    const change = (await officerX.get('/api/directory/review')).body.items.find((i: { serviceId: string }) => i.serviceId === created.id);
    expect((await officerX.post(`/api/directory/review/${change.id}/approve`)).status).toBe(200);
    expect(await row(created.id)).toMatchObject({ languages: ['ja', 'vi'], lat: 34.8, lon: 135.7 });
  });
});

describe('approving an organisation’s change', () => {
  it('that would leave half a map pin (the officer cleared the pin since) is a 400 naming lon, and saves nothing', async () => {
    const { body: created } = await officerX.post('/api/directory/services', entry('X 半分の位置', { organisation: 'X 位置の会', lat: 34.8, lon: 135.7 }));
    const org = await organisationLogin(officerX, 'X 位置の会', 'ichi@hx.example.jp');
    expect((await org.patch(`/api/directory/account/services/${created.id}`, { lat: 36 })).status).toBe(200);
    expect((await officerX.patch(`/api/directory/services/${created.id}`, { lat: null, lon: null })).status).toBe(200);
    const change = (await officerX.get('/api/directory/review')).body.items.find((i: { serviceId: string }) => i.serviceId === created.id);
    const auditedBefore = (await trail(created.id)).length;

    const refused = await officerX.post(`/api/directory/review/${change.id}/approve`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('lon');
    expect(await row(created.id)).toMatchObject({ lat: null, lon: null });
    expect(await trail(created.id)).toHaveLength(auditedBefore);
    // Still waiting: the officer can reject it instead.
    expect((await officerX.post(`/api/directory/review/${change.id}/reject`, { reason: '位置は消しました' })).status).toBe(200);
    expect(await row(created.id)).toMatchObject({ lat: null, lon: null });
  });
});

type Item = { id: string; at: string; serviceId: string; service: string; action: string; fields: string[]; actor: { kind: string; name: string | null; login: string | null } };

describe('団体名 of an entry whose organisation signs in', () => {
  it('an officer naming another organisation gets a 409 naming organisation and nothing moves; without a login the entry moves as before', async () => {
    const { body: kept } = await officerX.post('/api/directory/services', entry('X ログインの窓口', { organisation: 'X ログインの会' }));
    await organisationLogin(officerX, 'X ログインの会', 'login@hx.example.jp');
    const before = await row(kept.id);
    const auditedBefore = (await trail(kept.id)).length;
    const refused = await officerX.patch(`/api/directory/services/${kept.id}`, { organisation: 'X ログインの会（誤字修正）', hours: '一緒に送った変更' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'organisation_has_login', field: 'organisation' });
    expect(await row(kept.id)).toEqual(before);
    expect(await trail(kept.id)).toHaveLength(auditedBefore);
    expect(await database.db.selectFrom('directory_organisations').select('id').where('name', '=', 'X ログインの会（誤字修正）').execute()).toEqual([]);
    // The same name (a form that sends every field) is no move: the other changes save.
    expect((await officerX.patch(`/api/directory/services/${kept.id}`, { organisation: 'X ログインの会', hours: '月曜' })).status).toBe(200);
    expect((await row(kept.id)).organisation_id).toBe(before.organisation_id);

    const { body: free } = await officerX.post('/api/directory/services', entry('X ログインなしの窓口', { organisation: 'X ログインなしの会' }));
    const moved = await officerX.patch(`/api/directory/services/${free.id}`, { organisation: 'X ログインなしの会（正）' });
    expect(moved.status).toBe(200);
    expect(moved.body.organisation).toBe('X ログインなしの会（正）');
  });

  it('a city editor is refused the same way', async () => {
    const { body: cityEntry } = await editorA.post('/api/directory/account/city/services', entry('A市 ログインの窓口', { organisation: 'A市 ログインする会' }));
    expect((await editorA.post('/api/directory/account/city/invitations', { organisation: 'A市 ログインする会', login: 'shi2@hist.example.jp' })).status).toBe(201);
    const refused = await editorA.patch(`/api/directory/account/city/services/${cityEntry.id}`, { organisation: 'A市 別の会' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.field).toBe('organisation');
    expect((await editorA.get('/api/directory/account/city/services')).body.items.find((s: { id: string }) => s.id === cityEntry.id).organisation).toBe('A市 ログインする会');
  });
});

describe('変更履歴', () => {
  it('an officer sees their association’s entries’ changes, newest first, with the fields and their name; never another association’s or the city’s', async () => {
    const { body: mine } = await officerX.post('/api/directory/services', entry('X 履歴の窓口'));
    await officerX.patch(`/api/directory/services/${mine.id}`, { languages: ['ja', 'pt'] });
    await officerX.post(`/api/directory/services/${mine.id}/confirm`);
    const { body: theirs } = await officerY.post('/api/directory/services', entry('Y 履歴の窓口'));
    await officerY.patch(`/api/directory/services/${theirs.id}`, { hours: 'Y が変更' });

    const history = await officerX.get('/api/directory/history');
    expect(history.status).toBe(200);
    expect(history.body.timeZone).toBe('Asia/Tokyo');
    const items = history.body.items as Item[];
    expect(items.slice(0, 3).map((i) => [i.service, i.action, i.fields])).toEqual([
      ['X 履歴の窓口', 'service.confirm', ['last_confirmed_on']],
      ['X 履歴の窓口', 'service.update', ['languages']],
      ['X 履歴の窓口', 'service.create', []],
    ]);
    expect(items[1]!.actor).toEqual({ kind: 'officer', name: '役員 一郎', login: null });
    const seen = new Set(items.map((i) => i.serviceId));
    expect(seen.has(theirs.id)).toBe(false);
    expect(items.some((i) => i.service.startsWith('A市'))).toBe(false);
    // Newest first throughout.
    expect([...items].sort((a, b) => b.at.localeCompare(a.at))).toEqual(items);

    const ofY = (await officerY.get('/api/directory/history')).body.items as Item[];
    expect(ofY.map((i) => i.serviceId)).toContain(theirs.id);
    expect(ofY.some((i) => i.serviceId === mine.id)).toBe(false);
    expect(ofY.some((i) => i.service.startsWith('X'))).toBe(false);
  });

  it('pages by keyset: each page older than the last, together the whole history, none twice', async () => {
    const all = (await officerX.get('/api/directory/history?limit=100')).body.items as Item[];
    expect(all.length).toBeGreaterThan(5);
    const paged: Item[] = [];
    let next: string | null = null;
    do {
      const page: { body: { items: Item[]; next: string | null } } = await officerX.get(`/api/directory/history?limit=2${next ? `&before=${next}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.items);
      next = page.body.next;
    } while (next);
    expect(paged.map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect((await officerX.get('/api/directory/history?before=abc')).body.error.field).toBe('before');
    expect((await officerX.get('/api/directory/history?limit=0')).body.error.field).toBe('limit');
  });

  it('a cursor from another association’s history, or from no row, is a 400 naming before (not an empty page)', async () => {
    const { body: ofYEntry } = await officerY.post('/api/directory/services', entry('Y カーソルの窓口', { organisation: 'Y カーソルの会' }));
    await officerY.patch(`/api/directory/services/${ofYEntry.id}`, { hours: 'Y が変更' });
    const ofY = (await officerY.get('/api/directory/history')).body.items as Item[];
    expect(ofY.length).toBeGreaterThan(1);
    const ofX = (await officerX.get('/api/directory/history?limit=100')).body.items as Item[];
    expect(ofX.some((i) => i.id === ofY[0]!.id)).toBe(false);
    for (const before of [ofY[0]!.id, '999999999']) {
      const refused = await officerX.get(`/api/directory/history?before=${before}`);
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe('before');
    }
    // Y's own cursor still pages Y's history.
    expect((await officerY.get(`/api/directory/history?before=${ofY[0]!.id}`)).status).toBe(200);
  });

  it('times are for the association’s zone: the answer names it', async () => {
    await database.db.updateTable('associations').set({ time_zone: 'Pacific/Honolulu' }).where('id', '=', y.association.id).execute();
    try {
      expect((await officerY.get('/api/directory/history')).body.timeZone).toBe('Pacific/Honolulu');
      expect((await officerX.get('/api/directory/history')).body.timeZone).toBe('Asia/Tokyo');
    } finally {
      await database.db.updateTable('associations').set({ time_zone: 'Asia/Tokyo' }).where('id', '=', y.association.id).execute();
    }
  });

  it('a city editor sees the city’s entries only (「市の担当者」 by account); an organisation its own, officers unnamed', async () => {
    const { body: cityEntry } = await editorA.post('/api/directory/account/city/services', entry('A市 履歴', { organisation: 'A市 履歴の会' }));
    await editorA.patch(`/api/directory/account/city/services/${cityEntry.id}`, { ageGroups: ['children'] });
    const { body: otherCity } = await editorB.post('/api/directory/account/city/services', entry('B市 履歴', { organisation: 'B市 履歴の会' }));

    const ofA = await editorA.get('/api/directory/account/history');
    expect(ofA.status).toBe(200);
    expect(ofA.body.timeZone).toBe('Asia/Tokyo');
    const itemsA = ofA.body.items as Item[];
    expect(itemsA[0]).toMatchObject({ serviceId: cityEntry.id, action: 'service.update', fields: ['age_groups'], actor: { kind: 'city_editor', name: 'A市 福祉課', login: 'a@hist.example.jp' } });
    expect(itemsA.some((i) => i.serviceId === otherCity.id)).toBe(false);
    expect(itemsA.some((i) => i.service.startsWith('X') || i.service.startsWith('Y'))).toBe(false);
    expect(((await editorB.get('/api/directory/account/history')).body.items as Item[]).some((i) => i.serviceId === cityEntry.id)).toBe(false);

    // The organisation of 'X 提案テスト' (above): its own entry's history, the officer as 「自治会の役員」 without a name.
    const org = anonymous();
    const signedIn = await org.post('/api/directory/account/login', { login: 'teian@hx.example.jp', password: 'teian-password' });
    org.csrfToken = signedIn.body.csrfToken;
    const ofOrg = (await org.get('/api/directory/account/history')).body.items as Item[];
    expect(new Set(ofOrg.map((i) => i.service))).toEqual(new Set(['X 提案テスト']));
    expect(ofOrg.map((i) => i.action)).toEqual(['change.approve', 'change.propose', 'service.create']);
    expect(ofOrg[0]!.actor).toEqual({ kind: 'officer', name: null, login: null });
    expect(ofOrg[1]).toMatchObject({ action: 'change.propose', actor: { kind: 'organisation', login: 'teian@hx.example.jp' } });
    expect([...ofOrg[1]!.fields].sort()).toEqual(['languages', 'lat', 'lon']);
  });

  it('an entry moved to another organisation: the new one sees none of the old one’s proposals, reasons or login', async () => {
    const { body: moving } = await officerX.post('/api/directory/services', entry('X 移る窓口', { organisation: 'X 移動元の会' }));
    const from = await organisationLogin(officerX, 'X 移動元の会', 'moto@hx.example.jp');
    expect((await from.patch(`/api/directory/account/services/${moving.id}`, { hours: '移動元の提案' })).status).toBe(200);
    const proposal = (await officerX.get('/api/directory/review')).body.items.find((i: { serviceId: string }) => i.serviceId === moving.id);
    expect((await officerX.post(`/api/directory/review/${proposal.id}/reject`, { reason: '移動元だけへの理由' })).status).toBe(200);
    expect((await from.patch(`/api/directory/account/services/${moving.id}`, { cost: '移動元の二つ目' })).status).toBe(200);
    await officerX.post('/api/directory/services', entry('X 移動先の窓口', { organisation: 'X 移動先の会' }));
    const to = await organisationLogin(officerX, 'X 移動先の会', 'saki@hx.example.jp');
    // Moved as a CSV import by external id moves it (or an edit before 団体名 was kept with its login).
    const target = await database.db.selectFrom('directory_organisations').select('id').where('name', '=', 'X 移動先の会').executeTakeFirstOrThrow();
    await database.db.updateTable('directory_services').set({ organisation_id: target.id }).where('id', '=', moving.id).execute();
    await officerX.patch(`/api/directory/services/${moving.id}`, { hours: '移動後に役員が変更' });

    const history = await to.get('/api/directory/account/history?limit=100');
    expect(history.status).toBe(200);
    const ofMoved = (history.body.items as (Item & { reason: string })[]).filter((i) => i.serviceId === moving.id);
    // The entry's own changes by the officer stay; the old organisation's proposals and their decisions do not.
    expect(ofMoved.map((i) => i.action)).toEqual(['service.update', 'service.create']);
    expect(ofMoved.every((i) => i.actor.kind === 'officer')).toBe(true);
    expect(JSON.stringify(history.body)).not.toMatch(/moto@|移動元だけへの理由|X 移動元の会/);
    // The officers keep seeing it all.
    const ofOfficer = ((await officerX.get('/api/directory/history?limit=100')).body.items as Item[]).filter((i) => i.serviceId === moving.id);
    expect(ofOfficer.map((i) => i.action)).toEqual(['service.update', 'change.propose', 'change.reject', 'change.propose', 'service.create']);
    expect(ofOfficer[1]!.actor).toMatchObject({ kind: 'organisation', login: 'moto@hx.example.jp' });
  });

  it('an organisation sees 「市の担当者」 without the city editor’s login', async () => {
    const { body: cityEntry } = await editorA.post('/api/directory/account/city/services', entry('A市 団体の窓口', { organisation: 'A市 ログインの会' }));
    const invited = await editorA.post('/api/directory/account/city/invitations', { organisation: 'A市 ログインの会', login: 'shi@hist.example.jp' });
    expect(invited.status).toBe(201);
    const org = anonymous();
    const joined = await org.post('/api/directory/account/join', { code: invited.body.code, password: 'org-password' });
    org.csrfToken = joined.body.csrfToken;
    await editorA.patch(`/api/directory/account/city/services/${cityEntry.id}`, { hours: '市が変更' });

    const items = (await org.get('/api/directory/account/history')).body.items as Item[];
    expect(items[0]).toMatchObject({ serviceId: cityEntry.id, action: 'service.update', actor: { kind: 'city_editor', name: 'A市 福祉課', login: null } });
    expect(items.some((i) => i.actor.login === 'a@hist.example.jp')).toBe(false);
  });

  it('a row by an account deleted since is 「削除されたアカウント」, not an officer', async () => {
    const { body: created } = await officerX.post('/api/directory/services', entry('X 削除の窓口', { organisation: 'X 削除される会' }));
    const org = await organisationLogin(officerX, 'X 削除される会', 'sakujo@hx.example.jp');
    expect((await org.patch(`/api/directory/account/services/${created.id}`, { hours: '削除前の提案' })).status).toBe(200);
    await database.db.deleteFrom('directory_accounts').where('login', '=', 'sakujo@hx.example.jp').execute();

    const items = ((await officerX.get('/api/directory/history?limit=100')).body.items as Item[]).filter((i) => i.serviceId === created.id);
    expect(items.map((i) => [i.action, i.actor])).toEqual([
      ['change.propose', { kind: 'deleted', name: null, login: null }],
      ['service.create', { kind: 'officer', name: '役員 一郎', login: null }],
    ]);
  });

  it('no one else: a 班長 is refused (403), a resident has no directory account (401), nor has a stranger', async () => {
    const captain = anonymous();
    await captain.login(x.logins.captain1, PASSWORD);
    expect((await captain.get('/api/directory/history')).status).toBe(403);
    expect((await officerX.get('/api/directory/account/history')).status).toBe(401);
    expect((await anonymous().get('/api/directory/history')).status).toBe(401);
    expect((await anonymous().get('/api/directory/account/history')).status).toBe(401);
  });
});

describe('20261209T0200: an officer’s earlier edits join the directory’s audit', () => {
  it('copies each create, update and confirm of an entry the association keeps, once, with its time and officer; down takes them out again', async () => {
    const own = await createTestDatabase();
    try {
      const z = await seedAssociation(own.db, 'mz');
      const migrator = new Migrator({ db: own.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('20261208T0700_directory_city_owner_backfill')).error).toBeUndefined();
      const organisation = await own.db.insertInto('directory_organisations').values({ name: 'Z の会', created_by_association_id: z.association.id }).returning('id').executeTakeFirstOrThrow();
      const service = await own.db.insertInto('directory_services').values({
        organisation_id: organisation.id, name: 'Z の窓口', worries: ['care'], phone: '0774-00-0000', created_by_association_id: z.association.id, last_confirmed_on: '2026-11-01',
      }).returning('id').executeTakeFirstOrThrow();
      // As the code before wrote them: only in the association's audit_log.
      const at = (day: number) => new Date(Date.UTC(2026, 10, day, 1));
      await own.db.insertInto('audit_log').values([
        { association_id: z.association.id, actor_person_id: z.people.officer.id, action: 'directory.service.create', subject: service.id, detail: JSON.stringify({ name: 'Z の窓口' }), at: at(1) },
        { association_id: z.association.id, actor_person_id: z.people.officer.id, action: 'directory.service.update', subject: service.id, detail: JSON.stringify({ fields: ['hours'] }), at: at(2) },
        { association_id: z.association.id, actor_person_id: z.people.officer.id, action: 'people.update', subject: z.people.memberA.id, detail: '{}', at: at(3) },
      ]).execute();
      const copied = () => own.db.selectFrom('directory_audit').select(['action', 'actor_person_id', 'at', 'detail']).where('subject', '=', service.id).orderBy('at').execute();
      expect(await copied()).toEqual([]);

      expect((await migrator.migrateTo('20261209T0200_directory_audit_officers')).error).toBeUndefined();
      expect(await copied()).toEqual([
        { action: 'directory.service.create', actor_person_id: z.people.officer.id, at: at(1), detail: { name: 'Z の窓口' } },
        { action: 'directory.service.update', actor_person_id: z.people.officer.id, at: at(2), detail: { fields: ['hours'] } },
      ]);
      // A city editor's edit whose account was deleted since: no actor left, and not the migration's to take out.
      await own.db.insertInto('directory_audit').values({ action: 'directory.service.update', subject: service.id, detail: JSON.stringify({ fields: ['phone'] }), at: at(4) }).execute();
      expect((await migrator.migrateDown()).error).toBeUndefined();
      expect(await copied()).toEqual([{ action: 'directory.service.update', actor_person_id: null, at: at(4), detail: { fields: ['phone'] } }]);
    } finally {
      await own.drop();
    }
  });
});
