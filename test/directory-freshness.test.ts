import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServerSuite, stopSuite } from './support/suite.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { until } from './support/wait.js';
import { freshnessPass } from '../server/src/directory/directory-freshness.service.js';
import { localDate } from '../server/src/common/local-time.js';

/**
 * The directory's daily freshness job (pg-boss, through the module): an entry past its
 * reconfirm period is marked stale (and never shown in search), one stale past the grace
 * month is hidden; reconfirming brings either back; an editor's own hiding stays.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  x = await seedAssociation(database.db, 'x');
});
afterAll(() => stopSuite({ server, database }));

const status = async (id: string) => (await database.db.selectFrom('directory_services').select(['status', 'stale_since']).where('id', '=', id).executeTakeFirstOrThrow());
const confirmedAgo = (id: string, months: number) =>
  database.db.updateTable('directory_services').set({ last_confirmed_on: sql<string>`((now() at time zone 'Asia/Tokyo')::date - make_interval(months => ${months}))::date` as unknown as string }).where('id', '=', id).execute();

describe('the directory freshness job', () => {
  it('marks stale, hides after the grace month, and a reconfirmation brings an entry back; audited', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const add = async (name: string) => (await officer.post('/api/directory/services', { organisation: 'X鮮度の会', name, worries: ['loneliness'], phone: '0774-22-2222', status: 'published' })).body;
    const fresh = await add('X新しい');
    const old = await add('X古い');
    const hiddenByEditor = await add('X役員が非表示');
    await confirmedAgo(old.id, 7);
    await confirmedAgo(hiddenByEditor.id, 9);
    await officer.patch(`/api/directory/services/${hiddenByEditor.id}`, { status: 'hidden' });

    await server.app.jobs.sendDetached('tick', 'directory-freshness', {});
    await until(() => status(old.id), (s) => s.status === 'stale');
    expect((await status(fresh.id)).status).toBe('published');
    expect((await status(hiddenByEditor.id)).status).toBe('hidden');
    const listed = await officer.get('/api/directory/services');
    expect(listed.body.items.find((s: { id: string }) => s.id === old.id)).toMatchObject({ status: 'stale', stale: true });
    const found = await new ApiClient(server.baseUrl).get(`/api/directory/search?worries=loneliness&area=${old.areaCodes[0]}`);
    expect(found.body.results.map((r: { name: string }) => r.name)).toEqual(['X新しい']);

    // A month and more later, still unconfirmed: hidden.
    await database.db.updateTable('directory_services').set({ stale_since: sql<string>`current_date - 40` as unknown as string }).where('id', '=', old.id).execute();
    await server.app.jobs.sendDetached('tick', 'directory-freshness', {});
    await until(() => status(old.id), (s) => s.status === 'hidden');
    // Still on the editors' 確認待ち list (hidden meanwhile), with its organisation's login; the editor's own hiding is not.
    await officer.post('/api/directory/invitations', { organisation: 'X鮮度の会', login: 'sendo@x.example.jp' });
    const hiddenList = (await officer.get('/api/directory/services')).body.items;
    expect(hiddenList.find((s: { id: string }) => s.id === old.id)).toMatchObject({ status: 'hidden', hiddenStale: true, organisationLogin: 'sendo@x.example.jp' });
    expect(hiddenList.find((s: { id: string }) => s.id === hiddenByEditor.id)).toMatchObject({ status: 'hidden', hiddenStale: false });

    // Reconfirmed by the officer (or its organisation): current and published again; the editor's own hiding stays.
    expect((await officer.post(`/api/directory/services/${old.id}/confirm`)).body).toMatchObject({ status: 'published', stale: false });
    expect((await officer.post(`/api/directory/services/${hiddenByEditor.id}/confirm`)).body.status).toBe('hidden');
    const again = await new ApiClient(server.baseUrl).get(`/api/directory/search?worries=loneliness&area=${old.areaCodes[0]}`);
    expect(again.body.results.map((r: { name: string }) => r.name).sort()).toEqual(['X古い', 'X新しい']);

    const trail = await database.db.selectFrom('directory_audit').select('action').where('subject', '=', old.id).orderBy('id').execute();
    // The job's markings between the officer's own create and reconfirm (in the directory's audit too, for its 変更履歴).
    expect(trail.map((t) => t.action)).toEqual(['directory.service.create', 'directory.service.stale', 'directory.service.hide_stale', 'directory.service.confirm']);
  });

  it('reminds once from 30 days before the reconfirm date: the organisation sees the deadline, the editors "due soon"; a re-run reminds no one twice', async () => {
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const due = (await officer.post('/api/directory/services', { organisation: 'X期限の会', name: 'X期限が近い', worries: ['care'], phone: '0774-33-3333', status: 'published' })).body;
    const later = (await officer.post('/api/directory/services', { organisation: 'X期限の会', name: 'X期限は先', worries: ['care'], phone: '0774-33-3334', status: 'published' })).body;
    expect(later).toMatchObject({ dueSoon: false, stale: false });
    // Confirmed long enough ago that its reconfirm date is 12 days away.
    await database.db.updateTable('directory_services')
      .set({ last_confirmed_on: sql<string>`((now() at time zone 'Asia/Tokyo')::date + 12 - make_interval(months => reconfirm_months))::date` as unknown as string })
      .where('id', '=', due.id).execute();

    const listed = (await officer.get('/api/directory/services')).body.items;
    const entry = listed.find((s: { id: string }) => s.id === due.id);
    expect(entry).toMatchObject({ status: 'published', stale: false, dueSoon: true });
    const today = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date())}T00:00:00Z`);
    expect(entry.daysLeft).toBe(Math.round((Date.parse(`${entry.confirmBy}T00:00:00Z`) - today.getTime()) / 86_400_000));
    expect(entry.daysLeft).toBeGreaterThanOrEqual(10);
    expect(entry.daysLeft).toBeLessThanOrEqual(14);
    expect(listed.find((s: { id: string }) => s.id === later.id).dueSoon).toBe(false);
    // Still current: it shows in search until its date.
    const found = await new ApiClient(server.baseUrl).get(`/api/directory/search?worries=care&area=${due.areaCodes[0]}`);
    expect(found.body.results.map((r: { name: string }) => r.name)).toContain('X期限が近い');

    // The organisation's own page says so.
    const invited = await officer.post('/api/directory/invitations', { organisation: 'X期限の会', login: 'kigen@x.example.jp' });
    const org = new ApiClient(server.baseUrl);
    const joined = await org.post('/api/directory/account/join', { code: invited.body.code, password: 'kigen-password' });
    org.csrfToken = joined.body.csrfToken;
    expect(joined.body.services.find((s: { id: string }) => s.id === due.id)).toMatchObject({ dueSoon: true, confirmBy: entry.confirmBy, daysLeft: entry.daysLeft });

    const runJob = async () => {
      const id = await server.app.jobs.sendDetached('tick', 'directory-freshness', {});
      await until(async () => (await sql<{ state: string }>`select state from pgboss.job where id = ${id}`.execute(database.db)).rows[0]?.state, (s) => s === 'completed');
    };
    const reminders = async () => (await database.db.selectFrom('directory_audit').select(['action', 'detail']).where('subject', '=', due.id).where('action', '=', 'directory.service.remind').execute());
    await runJob();
    expect(await reminders()).toEqual([{ action: 'directory.service.remind', detail: expect.objectContaining({ confirmBy: entry.confirmBy }) }]);
    await runJob();
    expect(await reminders()).toHaveLength(1);
    expect(await database.db.selectFrom('directory_audit').select('id').where('subject', '=', later.id).where('action', '=', 'directory.service.remind').execute()).toEqual([]);

    // One button: reconfirmed, its next date is months away, no longer due; the next run reminds no one.
    const confirmed = await org.post(`/api/directory/account/services/${due.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ dueSoon: false, stale: false });
    expect(confirmed.body.daysLeft).toBeGreaterThan(150);
    await runJob();
    expect(await reminders()).toHaveLength(1);
  });

  it("counts each entry's days in its own association's time zone: Honolulu's entry goes stale on Honolulu's day, and its organisation reconfirms on it", async () => {
    const h = await seedAssociation(database.db, 'hnl');
    await database.db.updateTable('associations').set({ time_zone: 'Pacific/Honolulu' }).where('id', '=', h.association.id).execute();
    const officer = new ApiClient(server.baseUrl);
    await officer.login(h.logins.officer, PASSWORD);
    const hnl = (await officer.post('/api/directory/services', { organisation: 'H時差の会', name: 'H時差', worries: ['health'], phone: '808-555-0100', status: 'published' })).body;
    const tokyoOfficer = new ApiClient(server.baseUrl);
    await tokyoOfficer.login(x.logins.officer, PASSWORD);
    const tyo = (await tokyoOfficer.post('/api/directory/services', { organisation: 'X時差の会', name: 'X時差', worries: ['health'], phone: '0774-55-5555', status: 'published' })).body;
    // Both last confirmed on 2026-06-02 for six months: due by 2026-12-02, each on its own day.
    await database.db.updateTable('directory_services').set({ last_confirmed_on: '2026-06-02', reconfirm_months: 6 }).where('id', 'in', [hnl.id, tyo.id]).execute();

    // 2026-12-01 20:00 UTC: already 12-02 05:00 in Tokyo, still 12-01 10:00 in Honolulu.
    await freshnessPass(server.app.context, new Date('2026-12-01T20:00:00Z'));
    expect((await status(tyo.id))).toEqual({ status: 'stale', stale_since: '2026-12-02' });
    expect((await status(hnl.id)).status).toBe('published');
    // Honolulu's midnight: now it is its 12-02 too.
    await freshnessPass(server.app.context, new Date('2026-12-02T10:00:00Z'));
    expect((await status(hnl.id))).toEqual({ status: 'stale', stale_since: '2026-12-02' });
    const audited = await database.db.selectFrom('directory_audit').select('detail').where('subject', '=', hnl.id).where('action', '=', 'directory.service.stale').execute();
    expect(audited.map((a) => a.detail)).toEqual([{ on: '2026-12-02' }]);

    // Its organisation reconfirms on Honolulu's today, and its page counts the days from it.
    const invited = await officer.post('/api/directory/invitations', { organisation: 'H時差の会', login: 'jisa@h.example.jp' });
    const org = new ApiClient(server.baseUrl);
    const joined = await org.post('/api/directory/account/join', { code: invited.body.code, password: 'jisa-password' });
    org.csrfToken = joined.body.csrfToken;
    const confirmed = await org.post(`/api/directory/account/services/${hnl.id}/confirm`);
    expect(confirmed.status).toBe(200);
    const hnlToday = localDate(new Date(), 'Pacific/Honolulu');
    expect(confirmed.body.lastConfirmedOn).toBe(hnlToday);
    expect(confirmed.body.daysLeft).toBe(Math.round((Date.parse(`${confirmed.body.confirmBy}T00:00:00Z`) - Date.parse(`${hnlToday}T00:00:00Z`)) / 86_400_000));
  });
});
