import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { seedAssociation } from './support/fixtures.js';
import { makeDue } from './support/jobs.js';
import { loggedInClient, stopSuite } from './support/suite.js';

/**
 * A scheduled circular is a durable job: it survives the server that scheduled it being
 * stopped, and with two instances running when it is due, it is published exactly once and
 * every connected household hears of it, whichever instance it is connected to.
 */
let database: TestDatabase;
const servers: TestServer[] = [];
const sockets: Socket[] = [];

afterAll(async () => {
  sockets.forEach((s) => s.close());
  await stopSuite({ servers, database });
});

describe('a scheduled circular', () => {
  it('is published once after a restart, by one of two instances, and reaches sockets on both', async () => {
    database = await createTestDatabase();
    const x = await seedAssociation(database.db);
    const first = await startTestServer(database);
    servers.push(first);
    const officer = await loggedInClient(first, x.logins.officer);
    const draft = await officer.post('/api/circulars', { title: '年末の夜回り', publishAt: new Date(Date.now() + 3_600_000).toISOString() });
    const scheduled = await officer.post(`/api/circulars/${draft.body.id}/publish`);
    expect(scheduled.body.status).toBe('scheduled');
    const memberA = await loggedInClient(first, x.logins.memberA);
    expect((await memberA.get('/api/circulars')).body.items).toEqual([]);

    await first.close();
    const [second, third] = [await startTestServer(database), await startTestServer(database)];
    servers.push(second, third);

    // One household listens on each instance.
    const heard: string[] = [];
    for (const [server, login] of [[second, x.logins.memberA], [third, x.logins.memberB]] as const) {
      const client = await loggedInClient(server, login);
      const socket = connectSocket(server.baseUrl, { extraHeaders: { cookie: client.cookie }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => socket.on('connect', () => resolve()).on('connect_error', reject));
      socket.on('circular:published', (event: { circularId: string }) => heard.push(`${login}:${event.circularId}`));
    }

    // The clock reaches the publish time once both households listen (on a loaded machine,
    // starting two instances can take longer than any fixed delay).
    await database.db.updateTable('circulars').set({ publish_at: new Date() }).where('id', '=', draft.body.id).execute();
    expect(await makeDue(database.db, 'circular-publish', { circularId: draft.body.id })).toBe(1);
    const reader = await loggedInClient(second, x.logins.officer);
    const deadline = Date.now() + 20_000;
    while ((await reader.get(`/api/circulars/${draft.body.id}`)).body.status !== 'published' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await reader.get(`/api/circulars/${draft.body.id}`)).body.status).toBe('published');
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // time for a second publish, were there one

    const jobs = await sql<{ name: string; state: string }>`select name, state from pgboss.job where data->>'circularId' = ${draft.body.id} order by name`.execute(database.db);
    expect(jobs.rows.map((j) => `${j.name}:${j.state}`)).toEqual(['circular-deliver:completed', 'circular-publish:completed']);
    const recipients = await database.db.selectFrom('circular_recipients').select('household_id').where('circular_id', '=', draft.body.id).execute();
    expect(recipients).toHaveLength(4);
    expect(heard.sort()).toEqual([`${x.logins.memberA}:${draft.body.id}`, `${x.logins.memberB}:${draft.body.id}`].sort());
    const household = await loggedInClient(third, x.logins.memberA);
    expect((await household.get('/api/circulars')).body.items.map((c: { title: string }) => c.title)).toEqual(['年末の夜回り']);
  }, 60_000);
});
