import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { SeededAssociation } from './support/fixtures.js';
import type { ApiClient } from './support/http-client.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';

/**
 * The officers' dashboard over HTTP: compressed for a client that accepts it, 304 for a client
 * that already has this version, and a new version (new figures, new ETag) after every answer,
 * also when the same household answers again.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;
let member: ApiClient;

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'dd' }));
  officer = await loggedInClient(server, x.logins.officer);
  member = await loggedInClient(server, x.logins.memberA);
});
afterAll(() => stopSuite({ server, database }));

/** A browser revalidating what it has (fetch would add Cache-Control: no-cache to a conditional request, which asks for a full answer). */
const revalidate = (etag: string) => ({ 'if-none-match': etag, 'cache-control': 'max-age=0' });

describe('the dashboard over HTTP', () => {
  it('is gzipped when accepted, 304 while unchanged, and new after each answer', async () => {
    const started = await officer.post('/api/drills', {
      kind: 'drill', title: '配信', message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
      volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    expect(started.status).toBe(201);
    const path = `/api/drills/${started.body.id}/dashboard`;

    const first = await officer.get(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(first.body.counts).toMatchObject({ safe: 0, total: 4 });
    const plain = await officer.request('GET', path, undefined, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.body).toEqual(first.body);

    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await officer.request('GET', path, undefined, revalidate(etag))).status).toBe(304);

    expect((await member.post(`/api/drills/${started.body.id}/answer`, { status: 'safe', where: 'home' })).status).toBe(200);
    const answered = await officer.request('GET', path, undefined, revalidate(etag));
    expect(answered.status).toBe(200);
    expect(answered.body.counts).toMatchObject({ safe: 1, accounted: 1 });
    expect(answered.headers.get('etag')).not.toBe(etag);

    // The same household again, now needing help: no household more is accounted for, but the dashboard changes.
    expect((await member.post(`/api/drills/${started.body.id}/answer`, { status: 'needs_help', where: 'home' })).status).toBe(200);
    const again = await officer.request('GET', path, undefined, revalidate(answered.headers.get('etag')!));
    expect(again.status).toBe(200);
    expect(again.body.counts).toMatchObject({ safe: 0, needsHelp: 1, accounted: 1 });
    expect(again.body.needsFollowUp.map((t: { householdId: string }) => t.householdId)).toEqual([x.households.A.id]);
  });
});
