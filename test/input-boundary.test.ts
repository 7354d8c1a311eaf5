import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';

/**
 * One input boundary: what zod used to let through to PostgreSQL (and back as a 500) is a 400
 * that names the field, and nothing is written.
 */

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;

const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();
const count = async (table: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(database.db)).rows[0]!.n);

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database);
  x = await seedAssociation(database.db, 'ib');
  officer = new ApiClient(server.baseUrl);
  await officer.login(x.logins.officer, PASSWORD);
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

function expectInvalid(response: { status: number; body: any }, field: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.error.field).toBe(field);
}

describe('text', () => {
  it('refuses NUL in a text field, naming it, and writes nothing', async () => {
    const before = await count('households');
    const response = await officer.post('/api/households', {
      householdNumber: '201', name: '田中\u0000家', address: '京田辺市 201', blockId: x.blocks.block1.id, channels: ['app'],
    });
    expectInvalid(response, 'name');
    expect(response.body.error.message).toMatch(/NUL/);
    expect(await count('households')).toBe(before);
  });

  it('refuses NUL in a search, in the query string', async () => {
    expectInvalid(await officer.get('/api/people?q=%00'), 'q');
    expectInvalid(await officer.get('/api/circulars?q=a%00b'), 'q');
    expectInvalid(await officer.get('/api/households?q=%00'), 'q');
  });

  it('refuses a lone surrogate in an audit-logged field, and the household is not changed', async () => {
    const response = await officer.patch(`/api/households/${x.households.A.id}`, { responderNotes: 'ok \ud800' });
    expectInvalid(response, 'responderNotes');
    expect(response.body.error.message).toMatch(/surrogate/);
    const row = await database.db.selectFrom('households').select('responder_notes').where('id', '=', x.households.A.id).executeTakeFirstOrThrow();
    expect(row.responder_notes).toBe('');
  });

  it('keeps well-formed text with characters outside the BMP', async () => {
    const response = await officer.patch(`/api/households/${x.households.A.id}`, { responderNotes: '𠮷野家の隣 🏠' });
    expect(response.status).toBe(200);
    expect(response.body.responderNotes).toBe('𠮷野家の隣 🏠');
  });
});

describe('dates', () => {
  it('refuses year 0000 and year 275760, naming the field', async () => {
    expectInvalid(await officer.post(`/api/watch/households/${x.households.A.id}/away`, { startsAt: '0000-01-01T00:00:00Z', endsAt: inDays(1) }), 'startsAt');
    expectInvalid(await officer.post('/api/circulars', { title: '遠い未来', dueAt: '275760-09-13T00:00:00.000Z' }), 'dueAt');
    expectInvalid(await officer.post('/api/circulars', { title: '紀元前', publishAt: '0000-01-01T00:00:00+09:00' }), 'publishAt');
    expectInvalid(await officer.put(`/api/blocks/${x.blocks.block1.id}/captains`, { personIds: [x.people.captain1.id], startsOn: '0000-01-01' }), 'startsOn');
    expect(await count('watch_away_periods')).toBe(0);
    expect(await count('circulars')).toBe(0);
  });
});

describe('integers', () => {
  it('refuses integers beyond 32 bits, naming the field, and writes nothing', async () => {
    const before = await count('blocks');
    for (const sortOrder of [2 ** 31, -(2 ** 31) - 1, 2 ** 53]) {
      expectInvalid(await officer.post('/api/blocks', { name: '3班', sortOrder }), 'sortOrder');
    }
    expectInvalid(await officer.get('/api/households?offset=2147483648'), 'offset');
    expect(await count('blocks')).toBe(before);
    expect((await officer.post('/api/blocks', { name: '3班', sortOrder: 2 ** 31 - 1 })).status).toBe(201);
  });
});

describe('requests that cannot be read', () => {
  it('answers an empty PATCH with 400 "nothing to change"', async () => {
    for (const path of [`/api/blocks/${x.blocks.block1.id}`, `/api/households/${x.households.A.id}`, `/api/people/${x.people.memberA.id}`, `/api/watch/households/${x.households.A.id}/settings`]) {
      const response = await officer.patch(path, {});
      expect(response.status, path).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'nothing_to_change', field: 'body' });
    }
  });

  it('treats a malformed session cookie as no session, on every kind of route', async () => {
    for (const cookie of ['tonari_session=%E0%A4%A', 'tonari_session=%00', `tonari_session=${'a'.repeat(5000)}`]) {
      const anonymous = new ApiClient(server.baseUrl);
      const session = await anonymous.request('GET', '/api/session', undefined, { cookie });
      expect([session.status, session.body]).toEqual([200, null]);
      expect((await anonymous.request('GET', '/api/blocks', undefined, { cookie })).status).toBe(401);
      const login = await anonymous.request('POST', '/api/auth/login', { identifier: x.logins.officer, password: PASSWORD }, { cookie });
      expect(login.status).toBe(200);
    }
  });

  it('answers 400 to a Content-Encoding: gzip body that is not gzip, and to a path that cannot be decoded', async () => {
    const anonymous = new ApiClient(server.baseUrl);
    const response = await anonymous.request('POST', '/api/auth/login', JSON.stringify({ identifier: 'a', password: 'b' }), {
      'content-type': 'application/json', 'content-encoding': 'gzip',
    });
    expectInvalid(response, 'body');
    expect(response.text).not.toMatch(/zlib|incorrect header|at \//);
    expectInvalid(await officer.get('/api/households/%E0%A4%A'), 'params');
    expectInvalid(await officer.get('/api/circulars/%ED%A0%80'), 'params');
  });
});

describe('a scheduled circular', () => {
  it('is not changed by an edit that is refused', async () => {
    const created = await officer.post('/api/circulars', { title: '夏祭りのお知らせ', publishAt: inDays(2), dueAt: inDays(9) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await officer.post(`/api/circulars/${id}/publish`)).body.status).toBe('scheduled');

    // A due date before the publish time is refused …
    const refused = await officer.patch(`/api/circulars/${id}`, { title: '書き換え', dueAt: inDays(1) });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('dueAt');
    // … and nothing of it is saved.
    const after = await officer.get(`/api/circulars/${id}`);
    expect(after.body.title).toBe('夏祭りのお知らせ');
    expect(Date.parse(after.body.dueAt)).toBeGreaterThan(Date.now() + 8 * 86400_000);
    const row = await database.db.selectFrom('circulars').select(['title', 'due_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.title).toBe('夏祭りのお知らせ');

    // Nor by one with a due date in the past, a NUL in its title, or a publish time in year 0000.
    expectInvalid(await officer.patch(`/api/circulars/${id}`, { title: '書き換え', dueAt: new Date(Date.now() - 60_000).toISOString() }), 'dueAt');
    expectInvalid(await officer.patch(`/api/circulars/${id}`, { title: '書き\u0000換え' }), 'title');
    expectInvalid(await officer.patch(`/api/circulars/${id}`, { title: '書き換え', publishAt: '0000-01-01T00:00:00Z' }), 'publishAt');
    expect((await officer.get(`/api/circulars/${id}`)).body).toMatchObject({ title: '夏祭りのお知らせ', status: 'scheduled' });
    // … and no second publish job was queued for a refused time.
    const jobs = await sql<{ n: string }>`select count(*) as n from pgboss.job where name = 'circular-publish' and data->>'circularId' = ${id}`.execute(database.db);
    expect(Number(jobs.rows[0]!.n)).toBe(1);
  });
});

describe('a PATCH', () => {
  it('changes only the fields it names: a household keeps its notes, a person their kana and language', async () => {
    await officer.patch(`/api/households/${x.households.B.id}`, { responderNotes: '耳が遠い。玄関で大きな声で' });
    const household = await officer.patch(`/api/households/${x.households.B.id}`, { name: '佐藤家（新）' });
    expect(household.status).toBe(200);
    expect(household.body.responderNotes).toBe('耳が遠い。玄関で大きな声で');

    await officer.patch(`/api/people/${x.people.memberB.id}`, { kana: 'さとう たろう', preferredLanguage: 'en' });
    const person = await officer.patch(`/api/people/${x.people.memberB.id}`, { name: '佐藤 太郎（新）' });
    expect(person.status).toBe(200);
    expect(person.body).toMatchObject({ kana: 'さとう たろう', preferredLanguage: 'en' });
  });
});

describe('a roster import', () => {
  it('refuses a NUL in a cell with the line and column, and imports nothing', async () => {
    const header = '班,世帯番号,世帯名,住所,連絡手段,対応メモ,氏名,ふりがな,電話,メール,言語,役割';
    const body = [header, '1班,301,中村\u0000家,京田辺市 301,app,,中村 一,,,,ja,', ''].join('\r\n');
    const before = await count('households');
    const response = await officer.request('POST', '/api/roster/import?mode=commit', body);
    expect(response.status, response.text).toBeLessThan(500);
    expect(response.body.committed).toBe(false);
    expect(response.body.errors[0]).toMatchObject({ line: 2, column: '世帯名' });
    expect(await count('households')).toBe(before);
  });
});
