import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, type SeededAssociation } from './support/fixtures.js';
import { startSuite, stopSuite } from './support/suite.js';

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;

beforeAll(async () => ({ database, server, x } = await startSuite({ server: { loginRateLimit: 5 } })));
afterAll(() => stopSuite({ server, database }));

describe('login', () => {
  it('logs in with email and sets an HttpOnly SameSite session cookie', async () => {
    const client = new ApiClient(server.baseUrl);
    const response = await client.post('/api/auth/login', { identifier: x.logins.officer.toUpperCase(), password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.person.name).toBe('役員 一郎');
    expect(response.body.roles.officer).toBe(true);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/tonari_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await client.get('/api/session')).body.association.id).toBe(x.association.id);
  });

  it('logs in with a phone number written with hyphens or full-width digits', async () => {
    await database.db.updateTable('people').set({ phone: '09012345678' }).where('id', '=', x.people.memberA.id).execute();
    const client = new ApiClient(server.baseUrl);
    const response = await client.post('/api/auth/login', { identifier: '０９０-１２３４-５６７８', password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.roles.household.id).toBe(x.households.A.id);
  });

  it('says the same thing for an unknown account and a wrong password', async () => {
    const client = new ApiClient(server.baseUrl);
    const wrongPassword = await client.post('/api/auth/login', { identifier: x.logins.captain1, password: 'not the password' });
    const noAccount = await client.post('/api/auth/login', { identifier: 'nobody@example.jp', password: 'not the password' });
    expect(wrongPassword.status).toBe(401);
    expect(noAccount.status).toBe(401);
    expect(wrongPassword.body.error.message).toBe(noAccount.body.error.message);
    expect(wrongPassword.headers.get('set-cookie')).toBeNull();
  });

  it('names the missing field', async () => {
    const response = await new ApiClient(server.baseUrl).post('/api/auth/login', { identifier: x.logins.officer });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('password');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await new ApiClient(server.baseUrl).request('POST', '/api/auth/login', undefined, { 'content-type': 'application/json' });
    const broken = await fetch(`${server.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"identifier": ' });
    expect([400]).toContain(response.status);
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe('invalid_json');
  });

  it('rate-limits repeated failures for one account, and the right password is refused too while limited', async () => {
    const client = new ApiClient(server.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await client.post('/api/auth/login', { identifier: x.logins.volunteer, password: `guess-${i}` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const limited = await client.post('/api/auth/login', { identifier: x.logins.volunteer, password: PASSWORD });
    expect(limited.status).toBe(429);
    // Another account from the same address is not locked out.
    expect((await client.post('/api/auth/login', { identifier: x.logins.captain2, password: PASSWORD })).status).toBe(200);
  });
});

describe('session', () => {
  it('refuses a state-changing request without the CSRF token', async () => {
    const client = new ApiClient(server.baseUrl);
    await client.login(x.logins.officer, PASSWORD);
    const token = client.csrfToken;
    client.csrfToken = '';
    const response = await client.post('/api/blocks', { name: '3班' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('csrf');
    client.csrfToken = token;
    expect((await client.post('/api/blocks', { name: '3班' })).status).toBe(201);
  });

  it('logout ends the session on the server, not only in the browser', async () => {
    const client = new ApiClient(server.baseUrl);
    await client.login(x.logins.captain1, PASSWORD);
    const cookie = client.cookie;
    expect((await client.post('/api/auth/logout')).status).toBe(200);
    client.cookie = cookie;
    const after = await client.get('/api/session');
    expect([after.status, after.body]).toEqual([200, null]);
    expect((await client.get('/api/blocks')).status).toBe(401);
  });

  it('answers 401 without a session', async () => {
    expect((await new ApiClient(server.baseUrl).get('/api/households')).status).toBe(401);
  });

  it('saves the preferred language', async () => {
    const client = new ApiClient(server.baseUrl);
    await client.login(x.logins.watcherA, PASSWORD);
    expect((await client.patch('/api/me', { preferredLanguage: 'en' })).body.person.preferredLanguage).toBe('en');
    expect((await client.get('/api/session')).body.person.preferredLanguage).toBe('en');
    expect((await client.patch('/api/me', { preferredLanguage: 'fr' })).status).toBe(400);
  });
});

describe('joining a household with a passcode', () => {
  it('issues printable codes, lets a member join once, and refuses the code afterwards', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const sheet = await officer.post('/api/passcodes', { blockId: x.blocks.block2.id });
    expect(sheet.status).toBe(200);
    const card = sheet.body.items.find((i: { householdId: string }) => i.householdId === x.households.D.id);
    expect(card.code).toMatch(/^[A-Z2-9]{8}$/);
    expect(card.joinUrl).toBe(`http://localhost:3000/join?code=${card.code}`);
    expect(card.qrSvg).toContain('<svg');
    expect(sheet.body.items).toHaveLength(2); // 班2 has households B and D

    const resident = new ApiClient(server.baseUrl);
    const lookup = await resident.post('/api/join/lookup', { code: card.code.toLowerCase().replace(/(....)/, '$1-') });
    expect(lookup.status).toBe(200);
    expect(lookup.body.household.name).toBe('高橋家');
    const joined = await resident.post('/api/join', { code: card.code, name: '高橋 ヨシ', phone: '080-1111-2222', password: 'yoshi-password' });
    expect(joined.status).toBe(200);
    expect(joined.body.roles.household.id).toBe(x.households.D.id);
    resident.csrfToken = joined.body.csrfToken;
    expect((await resident.get(`/api/households/${x.households.D.id}`)).body.members.map((m: { name: string }) => m.name)).toContain('高橋 ヨシ');

    const again = await new ApiClient(server.baseUrl).post('/api/join', { code: card.code, name: '別人', phone: '08033334444', password: 'another-password' });
    expect(again.status).toBe(400);
    expect(again.body.error.field).toBe('code');
    // The new login works.
    await new ApiClient(server.baseUrl).login('08011112222', 'yoshi-password');
  });

  it('a new sheet voids the unused codes of the old one', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const first = await officer.post('/api/passcodes', { householdIds: [x.households.B.id] });
    const second = await officer.post('/api/passcodes', { householdIds: [x.households.B.id] });
    const resident = new ApiClient(server.baseUrl);
    expect((await resident.post('/api/join/lookup', { code: first.body.items[0].code })).status).toBe(400);
    expect((await resident.post('/api/join/lookup', { code: second.body.items[0].code })).status).toBe(200);
  });

  it('does not attach an email that is already a login, and does not say so', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const sheet = await officer.post('/api/passcodes', { householdIds: [x.households.C.id] });
    const response = await new ApiClient(server.baseUrl).post('/api/join', {
      code: sheet.body.items[0].code, name: '鈴木 某', email: x.logins.officer, password: 'password-123',
    });
    expect(response.status).toBe(200);
    // The code is spent, the officer's login is theirs alone, and the audit log tells the officer why the newcomer cannot log in by email.
    expect((await new ApiClient(server.baseUrl).post('/api/join/lookup', { code: sheet.body.items[0].code })).status).toBe(400);
    await new ApiClient(server.baseUrl).login(x.logins.officer, PASSWORD);
    const audit = await database.db.selectFrom('audit_log').select('detail').where('action', '=', 'household.joined').where('subject', '=', x.households.C.id).executeTakeFirstOrThrow();
    expect(audit.detail).toEqual({ contactInUse: ['email'] });
  });
});
