import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServerSuite, stopSuite } from './support/suite.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { until } from './support/wait.js';

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

    // Reconfirmed by the officer (or its organisation): current and published again; the editor's own hiding stays.
    expect((await officer.post(`/api/directory/services/${old.id}/confirm`)).body).toMatchObject({ status: 'published', stale: false });
    expect((await officer.post(`/api/directory/services/${hiddenByEditor.id}/confirm`)).body.status).toBe('hidden');
    const again = await new ApiClient(server.baseUrl).get(`/api/directory/search?worries=loneliness&area=${old.areaCodes[0]}`);
    expect(again.body.results.map((r: { name: string }) => r.name).sort()).toEqual(['X古い', 'X新しい']);

    const trail = await database.db.selectFrom('directory_audit').select('action').where('subject', '=', old.id).orderBy('id').execute();
    expect(trail.map((t) => t.action)).toEqual(['directory.service.stale', 'directory.service.hide_stale']);
  });
});
