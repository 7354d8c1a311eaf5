import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerSuite, stopSuite } from './support/suite.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { hashPassword } from '../server/src/auth/password.js';
import { upsertCityEditor } from '../server/src/directory/directory-accounts.repository.js';

/**
 * Organisations' own logins and the review of their changes, over real HTTP: an officer
 * invites an organisation, it signs in apart from residents, proposes new hours that show
 * only once an editor approves; another organisation's entry is a 404; a city editor reviews
 * any association's entries; every step is audited.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
const anonymous = () => new ApiClient(server.baseUrl);

async function officerOf(a: SeededAssociation) {
  const client = new ApiClient(server.baseUrl);
  await client.login(a.logins.officer, PASSWORD);
  return client;
}

/** An organisation signed in through an invitation from `officer`. */
async function invitedOrganisation(officer: ApiClient, organisation: string, login: string) {
  const invited = await officer.post('/api/directory/invitations', { organisation, login });
  expect(invited.status).toBe(201);
  const org = anonymous();
  const joined = await org.post('/api/directory/account/join', { code: invited.body.code, password: 'salon-password' });
  expect(joined.status).toBe(200);
  org.csrfToken = joined.body.csrfToken;
  return { org, view: joined.body, invitation: invited.body };
}

const service = (name: string, organisation: string) => ({
  organisation, name, worries: ['loneliness'], phone: '0774-11-1111', hours: '毎週水曜 13:30〜15:30', status: 'published',
});

async function searchHours(area: string, name: string) {
  const found = await anonymous().get(`/api/directory/search?worries=loneliness&area=${area}`);
  return found.body.results.find((r: { name: string }) => r.name === name)?.hours;
}

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  x = await seedAssociation(database.db, 'x');
  y = await seedAssociation(database.db, 'y');
});

afterAll(() => stopSuite({ server, database }));

describe('organisation logins and review before showing', () => {
  it('an invited organisation changes its hours; search shows the old hours until the officer approves; all audited', async () => {
    const officer = await officerOf(x);
    const created = await officer.post('/api/directory/services', service('Xのサロン', 'Xサロンの会'));
    expect(created.status).toBe(201);
    const area = created.body.areaCodes[0];

    const { org, view, invitation } = await invitedOrganisation(officer, 'Xサロンの会', 'salon@x.example.jp');
    expect(invitation.url).toContain(`/directory/organisation?code=${invitation.code}`);
    expect(view.organisation.name).toBe('Xサロンの会');
    expect(view.services.map((s: { name: string }) => s.name)).toEqual(['Xのサロン']);
    // The code is spent.
    expect((await anonymous().post('/api/directory/account/join', { code: invitation.code, password: 'another-password' })).status).toBe(400);

    const proposed = await org.patch(`/api/directory/account/services/${created.body.id}`, { hours: '毎週水曜・土曜 13:30〜15:30' });
    expect(proposed.status).toBe(200);
    expect(proposed.body.hours).toBe('毎週水曜 13:30〜15:30');
    expect(proposed.body.pending.changes).toEqual([{ field: 'hours', before: '毎週水曜 13:30〜15:30', after: '毎週水曜・土曜 13:30〜15:30' }]);
    expect(await searchHours(area, 'Xのサロン')).toBe('毎週水曜 13:30〜15:30');

    const queue = await officer.get('/api/directory/review');
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual([expect.objectContaining({
      serviceId: created.body.id, service: 'Xのサロン', organisation: 'Xサロンの会', submittedBy: 'Xサロンの会',
      changes: [{ field: 'hours', before: '毎週水曜 13:30〜15:30', after: '毎週水曜・土曜 13:30〜15:30' }],
    })]);
    // Another association's officer sees none of it and cannot approve it.
    const other = await officerOf(y);
    expect((await other.get('/api/directory/review')).body.items).toEqual([]);
    expect((await other.post(`/api/directory/review/${queue.body.items[0].id}/approve`)).status).toBe(404);

    expect((await officer.post(`/api/directory/review/${queue.body.items[0].id}/approve`)).body).toEqual({ id: queue.body.items[0].id, status: 'approved' });
    expect(await searchHours(area, 'Xのサロン')).toBe('毎週水曜・土曜 13:30〜15:30');
    expect((await officer.get('/api/directory/review')).body.items).toEqual([]);
    expect((await officer.post(`/api/directory/review/${queue.body.items[0].id}/approve`)).status).toBe(404);

    const trail = await database.db.selectFrom('directory_audit').select(['action', 'actor_account_id', 'actor_person_id'])
      .where('subject', 'in', [created.body.id, view.account.id]).orderBy('id').execute();
    expect(trail).toEqual([
      // The officer's own edit is in the directory's audit too (its 変更履歴), by person.
      { action: 'directory.service.create', actor_account_id: null, actor_person_id: x.people.officer.id },
      { action: 'directory.organisation.invite', actor_account_id: null, actor_person_id: x.people.officer.id },
      { action: 'directory.account.join', actor_account_id: view.account.id, actor_person_id: null },
      { action: 'directory.change.propose', actor_account_id: view.account.id, actor_person_id: null },
      { action: 'directory.change.approve', actor_account_id: null, actor_person_id: x.people.officer.id },
    ]);
  });

  it('a rejected change keeps the published values and tells the organisation why; a reason is required', async () => {
    const officer = await officerOf(x);
    const created = await officer.post('/api/directory/services', service('X子ども会', 'X子ども会の会'));
    const { org } = await invitedOrganisation(officer, 'X子ども会の会', 'kids@x.example.jp');
    await org.patch(`/api/directory/account/services/${created.body.id}`, { phone: '0774-99-9999' });
    // A second edit adds to the waiting change.
    const both = await org.patch(`/api/directory/account/services/${created.body.id}`, { hours: '土曜 10:00〜' });
    expect(both.body.pending.changes.map((c: { field: string }) => c.field).sort()).toEqual(['hours', 'phone']);
    const [item] = (await officer.get('/api/directory/review')).body.items;
    const noReason = await officer.post(`/api/directory/review/${item.id}/reject`, { reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');
    expect((await officer.post(`/api/directory/review/${item.id}/reject`, { reason: '電話番号を確認できませんでした' })).status).toBe(200);
    const me = await org.get('/api/directory/account');
    expect(me.body.services[0]).toMatchObject({ phone: '0774-11-1111', pending: null, lastReview: { status: 'rejected', reason: '電話番号を確認できませんでした' } });
  });

  it('an entry that shows keeps a way to reach it: clearing its only contact, publishing a contactless draft, or proposing so is a 400 naming phone, and nothing changes', async () => {
    const officer = await officerOf(x);
    const created = await officer.post('/api/directory/services', service('X連絡先', 'X連絡先の会'));
    const cleared = await officer.patch(`/api/directory/services/${created.body.id}`, { phone: '' });
    expect(cleared.status).toBe(400);
    expect(cleared.body.error.field).toBe('phone');
    const { org } = await invitedOrganisation(officer, 'X連絡先の会', 'contact@x.example.jp');
    const proposed = await org.patch(`/api/directory/account/services/${created.body.id}`, { phone: '' });
    expect(proposed.status).toBe(400);
    expect(proposed.body.error.field).toBe('phone');
    expect((await officer.get('/api/directory/review')).body.items.filter((i: { serviceId: string }) => i.serviceId === created.body.id)).toEqual([]);
    // A draft without a contact (as a CSV row without one is imported) cannot be published until it has one.
    await database.db.updateTable('directory_services').set({ phone: '', status: 'draft' }).where('id', '=', created.body.id).execute();
    const published = await officer.patch(`/api/directory/services/${created.body.id}`, { status: 'published' });
    expect(published.status).toBe(400);
    expect(published.body.error.field).toBe('phone');
    expect((await officer.patch(`/api/directory/services/${created.body.id}`, { status: 'published', phone: '0774-22-2222' })).status).toBe(200);
    const row = await database.db.selectFrom('directory_services').select(['status', 'phone']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'published', phone: '0774-22-2222' });
  });

  it('a change that would leave the entry with no contact once approved (the editor cleared the other one meanwhile) is refused at approval with a 400 naming phone, and stays pending', async () => {
    const officer = await officerOf(x);
    const created = await officer.post('/api/directory/services', { ...service('X二つの連絡先', 'X二つの会'), web: 'https://example.jp/x' });
    const { org } = await invitedOrganisation(officer, 'X二つの会', 'two@x.example.jp');
    expect((await org.patch(`/api/directory/account/services/${created.body.id}`, { web: '' })).status).toBe(200);
    expect((await officer.patch(`/api/directory/services/${created.body.id}`, { phone: '' })).status).toBe(200);
    const item = (await officer.get('/api/directory/review')).body.items.find((i: { serviceId: string }) => i.serviceId === created.body.id);
    const approved = await officer.post(`/api/directory/review/${item.id}/approve`);
    expect(approved.status).toBe(400);
    expect(approved.body.error.field).toBe('phone');
    const row = await database.db.selectFrom('directory_services').select(['status', 'web']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'published', web: 'https://example.jp/x' });
    expect((await officer.get('/api/directory/review')).body.items.some((i: { id: string }) => i.id === item.id)).toBe(true);
  });

  it('a fresh invitation of a joined organisation resets its password: whoever was signed in is signed out', async () => {
    const officer = await officerOf(x);
    await officer.post('/api/directory/services', service('X再招待', 'X再招待の会'));
    const { org } = await invitedOrganisation(officer, 'X再招待の会', 'again@x.example.jp');
    expect((await org.get('/api/directory/account')).status).toBe(200);
    const { org: renewed } = await invitedOrganisation(officer, 'X再招待の会', 'again@x.example.jp');
    expect((await org.get('/api/directory/account')).status).toBe(401);
    expect((await renewed.get('/api/directory/account')).status).toBe(200);
    // Audited as a reset, by the officer who did it (the first invitation as an invitation).
    const trail = await database.db.selectFrom('directory_audit').select(['action', 'actor_person_id']).where('detail', '@>', sql<string>`'{"login":"again@x.example.jp"}'::jsonb` as unknown as string).orderBy('id').execute();
    expect(trail).toEqual([
      { action: 'directory.organisation.invite', actor_person_id: x.people.officer.id },
      { action: 'directory.account.reinvite', actor_person_id: x.people.officer.id },
    ]);
    const logged = await database.db.selectFrom('audit_log').select(['action', 'actor_person_id']).where('association_id', '=', x.association.id).where('action', 'like', 'directory.%invite').orderBy('id').execute();
    expect(logged.filter((l) => l.action === 'directory.account.reinvite')).toEqual([{ action: 'directory.account.reinvite', actor_person_id: x.people.officer.id }]);
  });

  it('an entry its editor hid while stale stays hidden when its organisation reconfirms', async () => {
    const officer = await officerOf(x);
    const created = await officer.post('/api/directory/services', service('X隠した', 'X隠した会'));
    const { org } = await invitedOrganisation(officer, 'X隠した会', 'hidden@x.example.jp');
    await database.db.updateTable('directory_services').set({ status: 'stale', stale_since: '2026-11-01' }).where('id', '=', created.body.id).execute();
    expect((await officer.patch(`/api/directory/services/${created.body.id}`, { status: 'hidden' })).status).toBe(200);
    expect((await org.post(`/api/directory/account/services/${created.body.id}/confirm`)).status).toBe(200);
    const row = await database.db.selectFrom('directory_services').select(['status', 'stale_since']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'hidden', stale_since: null });
  });

  it('an organisation cannot touch another organisation’s entry (404) nor decide its own whether it shows', async () => {
    const officer = await officerOf(x);
    const mine = await officer.post('/api/directory/services', service('Xの体操', 'X体操の会'));
    const theirs = await officer.post('/api/directory/services', service('Xの食堂', 'X食堂の会'));
    const { org } = await invitedOrganisation(officer, 'X体操の会', 'taiso@x.example.jp');
    expect((await org.patch(`/api/directory/account/services/${theirs.body.id}`, { hours: '毎日' })).status).toBe(404);
    expect((await org.post(`/api/directory/account/services/${theirs.body.id}/confirm`)).status).toBe(404);
    const status = await org.patch(`/api/directory/account/services/${mine.body.id}`, { status: 'hidden' });
    expect(status.status).toBe(400);
    // Nor review anything: the review queue is a city editor's or an officer's.
    expect((await org.get('/api/directory/account/review')).status).toBe(403);
    // Without the directory session's CSRF token, no change.
    const noToken = new ApiClient(server.baseUrl);
    noToken.cookie = org.cookie;
    expect((await noToken.patch(`/api/directory/account/services/${mine.body.id}`, { hours: '毎日' })).status).toBe(403);
  });

  it('an organisation’s login is no resident: every association route answers 401, and a resident is no organisation', async () => {
    const officer = await officerOf(x);
    const { org } = await invitedOrganisation(officer, 'X見守りの会', 'mimamori@x.example.jp');
    for (const path of ['/api/directory/services', '/api/directory/review', '/api/roster/export', '/api/circulars']) {
      expect((await org.get(path)).status, path).toBe(401);
    }
    // Who am I, as a resident: nobody.
    expect((await org.get('/api/session')).body).toBeNull();
    expect((await officer.get('/api/directory/account')).status).toBe(401);
    // Signed out, its session is gone.
    expect((await org.post('/api/directory/account/logout')).status).toBe(204);
    expect((await org.get('/api/directory/account')).status).toBe(401);
    // A wrong password is refused; the right one signs in again.
    expect((await anonymous().post('/api/directory/account/login', { login: 'mimamori@x.example.jp', password: 'wrong-password' })).status).toBe(401);
    expect((await anonymous().post('/api/directory/account/login', { login: 'mimamori@x.example.jp', password: 'salon-password' })).status).toBe(200);
  });

  it('a login already given to another organisation is not reused (409, naming the field)', async () => {
    const officer = await officerOf(x);
    await officer.post('/api/directory/invitations', { organisation: 'X甲の会', login: 'same@x.example.jp' });
    const again = await officer.post('/api/directory/invitations', { organisation: 'X乙の会', login: 'same@x.example.jp' });
    expect(again.status).toBe(409);
    expect(again.body.error.field).toBe('login');
    expect((await officer.post('/api/directory/invitations', { organisation: 'X乙の会', login: 'not-an-email' })).body.error.field).toBe('login');
  });

  it('a city editor reviews the entries of associations in their city, and sees no association route', async () => {
    const officerY = await officerOf(y);
    const created = await officerY.post('/api/directory/services', service('Yのサロン', 'Yサロンの会'));
    const { org } = await invitedOrganisation(officerY, 'Yサロンの会', 'salon@y.example.jp');
    await org.patch(`/api/directory/account/services/${created.body.id}`, { hours: '毎週金曜' });
    // Y is in the city; the city editor keeps that city.
    const city = await database.db.insertInto('directory_areas').values({ kind: 'city', code: 'accounts-city', name: 'アカウント市' }).returning('id').executeTakeFirstOrThrow();
    await database.db.updateTable('directory_areas').set({ parent_id: city.id }).where('association_id', '=', y.association.id).execute();
    await upsertCityEditor(database.db, { name: '市の担当', login: 'city@example.jp', passwordHash: await hashPassword('city-password'), areaId: city.id });
    const editor = anonymous();
    const signedIn = await editor.post('/api/directory/account/login', { login: 'city@example.jp', password: 'city-password' });
    expect(signedIn.body).toMatchObject({ account: { role: 'city_editor' }, organisation: null, services: [] });
    expect(signedIn.body.toReview).toBeGreaterThanOrEqual(1);
    editor.csrfToken = signedIn.body.csrfToken;
    const item = (await editor.get('/api/directory/account/review')).body.items.find((i: { serviceId: string }) => i.serviceId === created.body.id);
    expect(item.changes).toEqual([{ field: 'hours', before: '毎週水曜 13:30〜15:30', after: '毎週金曜' }]);
    expect((await editor.post(`/api/directory/account/review/${item.id}/approve`)).status).toBe(200);
    expect(await searchHours(created.body.areaCodes[0], 'Yのサロン')).toBe('毎週金曜');
    expect((await editor.patch(`/api/directory/account/services/${created.body.id}`, { hours: 'x' })).status).toBe(403);
    expect((await editor.get('/api/circulars')).status).toBe(401);
  });

  it('an organisation proposes a new service: not in search until its editor approves it; another association’s officer cannot; a contactless one is a 400 naming phone', async () => {
    const officer = await officerOf(x);
    const created = await officer.post('/api/directory/services', service('X食堂の既存', 'X食堂の会'));
    const area = created.body.areaCodes[0];
    const { org } = await invitedOrganisation(officer, 'X食堂の会', 'shokudo@x.example.jp');

    const bad = await org.post('/api/directory/account/services', { name: 'X連絡先なし', worries: ['food'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('phone');
    const proposed = await org.post('/api/directory/account/services', { name: 'X新しい食堂', worries: ['food', 'loneliness'], phone: '0774-55-5555', hours: '毎週金曜 17:00〜19:00' });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ name: 'X新しい食堂', status: 'draft', areaCodes: [area] });
    expect(proposed.body.pending.changes).toEqual(expect.arrayContaining([
      { field: 'status', before: 'draft', after: 'published' }, { field: 'phone', before: '', after: '0774-55-5555' }, { field: 'hours', before: '', after: '毎週金曜 17:00〜19:00' },
    ]));
    const names = async () => (await anonymous().get(`/api/directory/search?worries=food&area=${area}`)).body.results.map((r: { name: string }) => r.name);
    expect(await names()).not.toContain('X新しい食堂');

    const other = await officerOf(y);
    expect((await other.get('/api/directory/review')).body.items).toEqual([]);
    const item = (await officer.get('/api/directory/review')).body.items.find((i: { serviceId: string }) => i.serviceId === proposed.body.id);
    expect(item).toMatchObject({ service: 'X新しい食堂', organisation: 'X食堂の会' });
    expect((await other.post(`/api/directory/review/${item.id}/approve`)).status).toBe(404);
    expect((await officer.post(`/api/directory/review/${item.id}/approve`)).status).toBe(200);
    expect(await names()).toContain('X新しい食堂');
    const found = (await anonymous().get(`/api/directory/search?worries=food&area=${area}`)).body.results.find((r: { name: string }) => r.name === 'X新しい食堂');
    expect(found).toMatchObject({ phone: '0774-55-5555', hours: '毎週金曜 17:00〜19:00' });
    const audit = await database.db.selectFrom('directory_audit').select('action').where('subject', '=', proposed.body.id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['directory.service.propose', 'directory.change.approve']);
  });
});
