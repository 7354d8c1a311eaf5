import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerSuite, stopSuite } from './support/suite.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { hashPassword } from '../server/src/auth/password.js';
import { upsertCityEditor } from '../server/src/directory/directory-accounts.repository.js';
import { ensureAssociationArea } from '../server/src/directory/directory.repository.js';

/**
 * The city's own editing of the directory, over real HTTP. World: city A → district → X;
 * city B → Y. City A's editor adds, changes, hides and reconfirms the entries city A keeps
 * (serving the city or areas in it), imports and exports them; city B's editor sees none of it
 * (404), an officer of X sees them in X's directory but cannot change them, an organisation of a
 * city entry proposes changes that city A's editor reviews; an editor with no city is refused.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let editorA: ApiClient;
let editorB: ApiClient;
let officerX: ApiClient;
const codes = { x: '', y: '' };
const anonymous = () => new ApiClient(server.baseUrl);

async function area(kind: 'city' | 'school_district', code: string, name: string, parentId: string | null = null) {
  return (await database.db.insertInto('directory_areas').values({ kind, code, name, parent_id: parentId }).returning('id').executeTakeFirstOrThrow()).id;
}

async function signIn(login: string, password = 'city-password') {
  const client = anonymous();
  const signedIn = await client.post('/api/directory/account/login', { login, password });
  expect(signedIn.status).toBe(200);
  client.csrfToken = signedIn.body.csrfToken;
  return client;
}

const care = (name: string, extra: Record<string, unknown> = {}) => ({ organisation: 'A市 地域包括支援センター', name, worries: ['care'], phone: '0774-20-0000', hours: '平日 9:00-17:00', status: 'published', ...extra });
const search = async (code: string, worries = 'care') => (await anonymous().get(`/api/directory/search?worries=${worries}&area=${code}`)).body.results as { name: string; hours: string; servesArea: string }[];
const auditOf = (subject: string) => database.db.selectFrom('directory_audit').select(['action', 'actor_account_id']).where('subject', '=', subject).orderBy('at').orderBy('id').execute();

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  x = await seedAssociation(database.db, 'cx');
  y = await seedAssociation(database.db, 'cy');
  const cityA = await area('city', 'city-a', 'A市');
  const district = await area('school_district', 'city-a-east', 'A市東小学校区', cityA);
  const cityB = await area('city', 'city-b', 'B市');
  for (const a of [x, y]) await ensureAssociationArea(database.db, a.association.id);
  await database.db.updateTable('directory_areas').set({ parent_id: district }).where('association_id', '=', x.association.id).execute();
  await database.db.updateTable('directory_areas').set({ parent_id: cityB }).where('association_id', '=', y.association.id).execute();
  for (const [key, a] of [['x', x], ['y', y]] as const) {
    codes[key] = (await database.db.selectFrom('directory_areas').select('code').where('association_id', '=', a.association.id).executeTakeFirstOrThrow()).code;
  }
  const passwordHash = await hashPassword('city-password');
  await upsertCityEditor(database.db, { name: 'A市 福祉課', login: 'a@city.example.jp', passwordHash, areaId: cityA });
  await upsertCityEditor(database.db, { name: 'B市 福祉課', login: 'b@city.example.jp', passwordHash, areaId: cityB });
  // A city editor granted before cities were recorded (the migration leaves them without one).
  await database.db.insertInto('directory_accounts').values({ role: 'city_editor', name: '旧', login: 'old@city.example.jp', password_hash: passwordHash }).execute();
  [editorA, editorB] = await Promise.all([signIn('a@city.example.jp'), signIn('b@city.example.jp')]);
  officerX = anonymous();
  await officerX.login(x.logins.officer, PASSWORD);
});

afterAll(() => stopSuite({ server, database }));

describe('a city editor’s own entries', () => {
  it('adds a city-wide entry: in X’s search (served by the city), not in Y’s; audited; B’s editor and X’s officer cannot change it', async () => {
    const created = await editorA.post('/api/directory/account/city/services', care('A市の介護相談'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ areaCodes: ['city-a'], editable: true, cityOwned: true, status: 'published' });
    const id = created.body.id;
    expect((await search(codes.x)).find((r) => r.name === 'A市の介護相談')).toMatchObject({ servesArea: 'A市' });
    expect((await search(codes.y)).map((r) => r.name)).not.toContain('A市の介護相談');
    const row = await database.db.selectFrom('directory_services').select(['created_by_association_id', 'owner_area_id']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.created_by_association_id).toBeNull();

    // Lists: A's has it, B's has none of A's.
    const listA = await editorA.get('/api/directory/account/city/services');
    expect(listA.body.city).toMatchObject({ code: 'city-a', name: 'A市' });
    expect(listA.body.areas.map((a: { code: string }) => a.code)).toEqual(['city-a', 'city-a-east', codes.x]);
    expect(listA.body.items.map((s: { name: string }) => s.name)).toEqual(['A市の介護相談']);
    expect((await editorB.get('/api/directory/account/city/services')).body.items).toEqual([]);
    expect((await editorB.patch(`/api/directory/account/city/services/${id}`, { hours: 'B' })).status).toBe(404);
    expect((await editorB.post(`/api/directory/account/city/services/${id}/confirm`)).status).toBe(404);

    // X's officer sees it in X's directory, marked as the city's, and cannot change it.
    const officerList = await officerX.get('/api/directory/services');
    expect(officerList.body.items.find((s: { id: string }) => s.id === id)).toMatchObject({ editable: false, cityOwned: true });
    expect((await officerX.patch(`/api/directory/services/${id}`, { hours: 'X' })).status).toBe(404);
    expect((await officerX.post(`/api/directory/services/${id}/confirm`)).status).toBe(404);

    // A's editor changes hours, hides, publishes and reconfirms: each audited under their account.
    expect((await editorA.patch(`/api/directory/account/city/services/${id}`, { hours: '平日 8:30-17:15' })).body.hours).toBe('平日 8:30-17:15');
    expect((await editorA.patch(`/api/directory/account/city/services/${id}`, { status: 'hidden' })).body.status).toBe('hidden');
    expect((await search(codes.x)).map((r) => r.name)).not.toContain('A市の介護相談');
    expect((await editorA.patch(`/api/directory/account/city/services/${id}`, { status: 'published' })).status).toBe(200);
    expect((await editorA.post(`/api/directory/account/city/services/${id}/confirm`)).status).toBe(200);
    expect((await search(codes.x)).find((r) => r.name === 'A市の介護相談')?.hours).toBe('平日 8:30-17:15');
    const accountA = await database.db.selectFrom('directory_accounts').select('id').where('login', '=', 'a@city.example.jp').executeTakeFirstOrThrow();
    expect(await auditOf(id)).toEqual(['create', 'update', 'update', 'update', 'confirm'].map((a) => ({ action: `directory.service.${a}`, actor_account_id: accountA.id })));
  });

  it('serves chosen areas of the city only: a school district, by name; another city’s area is a 400 naming areas', async () => {
    const district = await editorA.post('/api/directory/account/city/services', care('東小学校区の介護カフェ', { areas: ['A市東小学校区'] }));
    expect(district.body.areaCodes).toEqual(['city-a-east']);
    expect((await search(codes.x)).find((r) => r.name === '東小学校区の介護カフェ')?.servesArea).toBe('A市東小学校区');
    const elsewhere = await editorA.post('/api/directory/account/city/services', care('よその介護', { areas: [codes.y] }));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.field).toBe('areas');
    expect((await editorA.patch(`/api/directory/account/city/services/${district.body.id}`, { areas: ['city-b'] })).body.error.field).toBe('areas');
    // An officer's entry serves their own association only.
    const wide = await officerX.post('/api/directory/services', { ...care('Xの広い相談'), areas: ['city-a'] });
    expect(wide.status).toBe(400);
    expect(wide.body.error.field).toBe('areas');
  });

  it('an organisation of a city entry proposes a change: in A’s review queue, not B’s nor X’s officer’s; A approves', async () => {
    const created = await editorA.post('/api/directory/account/city/services', care('A市の見守りサロン', { organisation: 'A市サロンの会', worries: ['loneliness'] }));
    const organisation = await database.db.selectFrom('directory_services').select('organisation_id').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    await database.db.insertInto('directory_accounts').values({ role: 'organisation', organisation_id: organisation.organisation_id, name: 'A市サロンの会', login: 'salon@city-a.example.jp', password_hash: await hashPassword('city-password') }).execute();
    const org = await signIn('salon@city-a.example.jp');
    expect((await org.patch(`/api/directory/account/services/${created.body.id}`, { hours: '毎週木曜' })).status).toBe(200);

    const queueA = (await editorA.get('/api/directory/account/review')).body.items.filter((i: { serviceId: string }) => i.serviceId === created.body.id);
    expect(queueA).toHaveLength(1);
    expect((await editorB.get('/api/directory/account/review')).body.items).toEqual([]);
    expect((await officerX.get('/api/directory/review')).body.items.map((i: { serviceId: string }) => i.serviceId)).not.toContain(created.body.id);
    expect((await editorB.post(`/api/directory/account/review/${queueA[0].id}/approve`)).status).toBe(404);
    expect((await officerX.post(`/api/directory/review/${queueA[0].id}/approve`)).status).toBe(404);
    expect((await editorA.post(`/api/directory/account/review/${queueA[0].id}/approve`)).status).toBe(200);
    expect((await search(codes.x, 'loneliness')).find((r) => r.name === 'A市の見守りサロン')?.hours).toBe('毎週木曜');
    // The organisation cannot use the city's routes.
    expect((await org.get('/api/directory/account/city/services')).status).toBe(403);
  });

  it('A’s editor invites the organisation of a city entry: it joins, proposes a change that A approves (not B, not X’s officer); X’s officer inviting it is a 409', async () => {
    const created = await editorA.post('/api/directory/account/city/services', care('A市の子育て広場', { organisation: 'A市子育ての会', worries: ['child_rearing'] }));
    expect(created.status).toBe(201);
    const refused = await officerX.post('/api/directory/invitations', { organisation: 'A市子育ての会', login: 'kosodate@x.example.jp' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.field).toBe('organisation');
    expect(await database.db.selectFrom('directory_organisations').select('id').where('name', '=', 'A市子育ての会').execute()).toHaveLength(1);

    const invited = await editorA.post('/api/directory/account/city/invitations', { organisation: 'A市子育ての会', login: 'kosodate@city-a.example.jp' });
    expect(invited.status).toBe(201);
    const org = anonymous();
    const joined = await org.post('/api/directory/account/join', { code: invited.body.code, password: 'kosodate-password' });
    expect(joined.status).toBe(200);
    org.csrfToken = joined.body.csrfToken;
    expect(joined.body.services.map((s: { name: string }) => s.name)).toEqual(['A市の子育て広場']);
    expect((await org.patch(`/api/directory/account/services/${created.body.id}`, { hours: '土曜 10:00-12:00' })).status).toBe(200);

    const change = (await editorA.get('/api/directory/account/review')).body.items.find((i: { serviceId: string }) => i.serviceId === created.body.id);
    expect((await editorB.post(`/api/directory/account/review/${change.id}/approve`)).status).toBe(404);
    expect((await officerX.post(`/api/directory/review/${change.id}/approve`)).status).toBe(404);
    expect((await editorA.post(`/api/directory/account/review/${change.id}/approve`)).status).toBe(200);
    expect((await search(codes.x, 'child_rearing')).find((r) => r.name === 'A市の子育て広場')?.hours).toBe('土曜 10:00-12:00');
    // B's editor cannot invite under A's organisation: a new one of B's (not A's entry).
    const fromB = await editorB.post('/api/directory/account/city/invitations', { organisation: 'A市子育ての会', login: 'b-kosodate@city-b.example.jp' });
    expect(fromB.status).toBe(201);
    const joinedB = await anonymous().post('/api/directory/account/join', { code: fromB.body.code, password: 'kosodate-password' });
    expect(joinedB.body.services).toEqual([]);
    const accountA = await database.db.selectFrom('directory_accounts').select('id').where('login', '=', 'a@city.example.jp').executeTakeFirstOrThrow();
    expect(await database.db.selectFrom('directory_audit').select(['action', 'actor_account_id']).where('action', '=', 'directory.organisation.invite').where('actor_account_id', '=', accountA.id).execute()).toHaveLength(1);
  });

  it('a city editor with no city is refused (403 naming the CLI) until one is granted; residents get 401', async () => {
    const old = await signIn('old@city.example.jp');
    const listed = await old.get('/api/directory/account/city/services');
    expect(listed.status).toBe(403);
    expect(listed.body.error.code).toBe('no_city');
    expect((await old.get('/api/directory/account/review')).status).toBe(403);
    expect((await old.post('/api/directory/account/city/services', care('旧の相談'))).status).toBe(403);
    expect((await officerX.get('/api/directory/account/city/services')).status).toBe(401);
  });
});

describe('a city editor’s CSV', () => {
  const header = '外部ID,団体名,サービス名,悩み,電話番号,受付時間,対象地域\r\n';
  const upload = (client: ApiClient, mode: 'preview' | 'commit', body: Buffer) => client.request('POST', `/api/directory/account/city/import?mode=${mode}`, body);
  const download = async (client: ApiClient, encoding: 'utf-8' | 'shift_jis') => {
    const response = await fetch(`${server.baseUrl}/api/directory/account/city/export?encoding=${encoding}`, { headers: { cookie: client.cookie } });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };

  it('reports an unknown area and another owner’s id by line and column, writing nothing', async () => {
    await officerX.request('POST', '/api/directory/import?mode=commit', Buffer.from(`${header}x-owned-1,Xの会,Xの窓口,介護,0774-30-0000,,\r\n`));
    const csv = `${header}a-1,A市社協,A市の家計相談,お金,0774-31-0000,平日,city-a\r\na-2,A市社協,よその相談,お金,0774-31-0001,平日,city-b\r\nx-owned-1,A市社協,乗っ取り,お金,0774-31-0002,平日,\r\n`;
    const result = await upload(editorA, 'commit', Buffer.from(csv));
    expect(result.status).toBe(200);
    expect(result.body.committed).toBe(false);
    expect(result.body.errors).toEqual([
      expect.objectContaining({ line: 3, column: '対象地域', message: expect.stringContaining('city-b') }),
      expect.objectContaining({ line: 4, column: '外部ID' }),
    ]);
    expect(await database.db.selectFrom('directory_services').select('id').where('external_id', '=', 'a-1').execute()).toEqual([]);
  });

  it('imports the city’s list (areas by code or name), re-imports by 外部ID, and its export imports back unchanged in both encodings', async () => {
    const csv = `${header}a-1,A市社協,A市の家計相談,お金,0774-31-0000,平日,city-a\r\na-2,A市社協,東の家計相談,お金,0774-31-0001,平日,A市東小学校区\r\n`;
    const saved = await upload(editorA, 'commit', Buffer.from(csv));
    expect(saved.body).toMatchObject({ committed: true, errors: [], summary: { created: 2 } });
    const rows = await database.db.selectFrom('directory_services').select(['name', 'created_by_association_id', 'owner_area_id']).where('external_id', 'in', ['a-1', 'a-2']).orderBy('external_id').execute();
    expect(rows.every((r) => r.created_by_association_id === null && r.owner_area_id !== null)).toBe(true);
    expect((await search(codes.x, 'money')).map((r) => r.name)).toEqual(expect.arrayContaining(['A市の家計相談', '東の家計相談']));
    expect((await search(codes.y, 'money')).map((r) => r.name)).not.toContain('A市の家計相談');
    // B's editor cannot take A's ids.
    const taken = await upload(editorB, 'commit', Buffer.from(`${header}a-1,B市社協,B市の家計相談,お金,0774-32-0000,平日,\r\n`));
    expect(taken.body.errors).toEqual([expect.objectContaining({ line: 2, column: '外部ID' })]);

    const again = await upload(editorA, 'commit', Buffer.from(csv.replace('0774-31-0000,平日', '0774-31-0000,平日 9時-')));
    expect(again.body.summary).toMatchObject({ created: 0, updated: 1 });

    const utf8 = await download(editorA, 'utf-8');
    expect(utf8.status).toBe(200);
    const text = utf8.bytes.toString('utf8');
    expect(text).toContain('a-1');
    expect(text).not.toContain('x-owned-1');
    const count = (await editorA.get('/api/directory/account/city/services')).body.items.length;
    const back = await upload(editorA, 'commit', utf8.bytes);
    expect(back.body).toMatchObject({ errors: [], summary: { created: 0, updated: 0, unchanged: count } });
    const sjis = await download(editorA, 'shift_jis');
    expect(iconv.decode(sjis.bytes, 'cp932')).toContain('東の家計相談');
    const backSjis = await upload(editorA, 'commit', sjis.bytes);
    expect(backSjis.body).toMatchObject({ encoding: 'shift_jis', errors: [], summary: { created: 0, updated: 0, unchanged: count } });
    // B's export holds none of A's entries.
    const exportB = await download(editorB, 'utf-8');
    expect(exportB.status).toBe(200);
    expect(exportB.bytes.toString('utf8')).not.toContain('a-1');
  });
});
