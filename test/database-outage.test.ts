import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createDatabase, migrateToLatest, type Db } from '../server/src/platform/db/database.js';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../server/src/platform/db/embedded-postgres.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/src/contracts/socket.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { until } from './support/wait.js';

/**
 * A PostgreSQL of this file's own (never the shared one), stopped and started under two
 * running instances: they must stay up, answer 503 meanwhile, and resume by themselves,
 * realtime across instances included.
 */

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let dataDir: string;
let port: number;
let postgres: EmbeddedPostgresHandle | undefined;
let url: string;
const dbs: Db[] = [];
let a: TestServer;
let b: TestServer;
let x: SeededAssociation;
const sockets: ClientSocket[] = [];

async function startPostgres() {
  postgres = await startEmbeddedPostgres({ dataDir, port });
}
async function stopPostgres() {
  await postgres?.stop();
  postgres = undefined;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tonari-outage-pg-'));
  port = await freePort();
  await startPostgres();
  await ensureDatabase(postgres!.url('postgres'), 'tonari');
  url = postgres!.url('tonari');
  const setup = createDatabase(url, { max: 2 });
  await migrateToLatest(setup);
  x = await seedAssociation(setup, 'out');
  await setup.destroy();
  // Two instances, each with its own pool, as two processes would have.
  for (let i = 0; i < 2; i++) dbs.push(createDatabase(url, { max: 5 }));
  a = await startTestServer({ db: dbs[0]!, url });
  b = await startTestServer({ db: dbs[1]!, url });
}, 120_000);

afterAll(async () => {
  sockets.forEach((s) => s.close());
  if (!postgres) await startPostgres().catch(() => undefined);
  await a?.close();
  await b?.close();
  for (const db of dbs) await db.destroy();
  await stopPostgres().catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

async function socketOn(server: TestServer, client: ApiClient) {
  const socket: ClientSocket = connectSocket(server.baseUrl, { extraHeaders: { cookie: client.cookie }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', () => resolve());
    socket.on('connect_error', reject);
  });
  return socket;
}

async function loggedIn(server: TestServer, identifier: string) {
  const client = new ApiClient(server.baseUrl);
  await client.login(identifier, PASSWORD);
  return client;
}

describe('a PostgreSQL restart under two running instances', () => {
  it('answers 503 with Retry-After while the database is away, and everything resumes when it is back', async () => {
    const officerA = await loggedIn(a, x.logins.officer);
    const memberA = await loggedIn(a, x.logins.memberA);
    const officerB = await loggedIn(b, x.logins.officer);
    const drill = await officerA.post('/api/drills', { kind: 'drill', title: '停電中の訓練', deadlineAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(drill.status).toBe(201);
    const socketB = await socketOn(b, officerB);
    // A durable job due in the middle of the outage: it must run once the database is back.
    const draft = await officerA.post('/api/circulars', { title: '停電中に配る回覧', publishAt: new Date(Date.now() + 2_000).toISOString() });
    expect((await officerA.post(`/api/circulars/${draft.body.id}/publish`)).body.status).toBe('scheduled');

    // Sockets stay connected to their instance through the outage; when the instance's
    // listener is back it tells them to refetch what they may have missed.
    const resynced = new Promise<void>((resolve) => socketB.once('realtime:resync', () => resolve()));

    await stopPostgres();
    // Long enough for every periodic database user to notice: pg-boss polling, the adapter's
    // heartbeat and its listening connection.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const answerKey = randomUUID();
    const answer = () => memberA.request('POST', `/api/drills/${drill.body.id}/answer`, { status: 'safe' }, { 'idempotency-key': answerKey });
    for (const [client, call] of [
      [memberA, () => memberA.get('/api/session')],
      [memberA, answer],
      [officerB, () => officerB.get('/api/households')],
    ] as const) {
      void client;
      const response = await call();
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.body.error.code).toBe('unavailable');
      expect(response.body.error.message).not.toMatch(/ECONNREFUSED|connect|postgres|terminat/i);
    }
    // Logging in needs the database too: a 503, not a 500 or a hang.
    const login = await new ApiClient(a.baseUrl).post('/api/auth/login', { identifier: x.logins.memberB, password: PASSWORD });
    expect(login.status).toBe(503);
    // A socket handshake is refused as unavailable (the web app retries), not as unauthorized.
    const refused = connectSocket(b.baseUrl, { extraHeaders: { cookie: officerB.cookie }, transports: ['websocket'], reconnection: false });
    sockets.push(refused);
    expect((await new Promise<Error>((resolve) => refused.on('connect_error', resolve))).message).toBe('unavailable');
    expect((await fetch(`${a.baseUrl}/healthz`)).status).toBe(503);

    await startPostgres();
    const back = await until(() => memberA.get('/api/session'), (r) => r.status === 200, 30_000);
    expect(back.status).toBe(200);
    expect((await officerB.get('/api/households')).status).toBe(200);
    await resynced;
    // The answer tried during the outage, sent again with its key (twice, as a web app
    // whose response was lost would): stored once.
    expect((await answer()).status).toBe(200);
    expect((await answer()).body.answer.status).toBe('safe');
    const stored = await dbs[1]!.selectFrom('drill_answers').select('status').where('drill_id', '=', drill.body.id).execute();
    expect(stored).toEqual([{ status: 'safe' }]);

    // The job queue resumed by itself: the circular due during the outage is published.
    const published = await until(() => officerB.get(`/api/circulars/${draft.body.id}`), (r) => r.body?.status === 'published', 20_000);
    expect(published.body.status).toBe('published');

    // Realtime across instances: a change made on A reaches the socket on B again. The
    // listening connection comes back within seconds; the change is repeated until heard.
    let heard = false;
    socketB.on('roster:changed', () => {
      heard = true;
    });
    const deadline = Date.now() + 20_000;
    for (let i = 0; !heard && Date.now() < deadline; i++) {
      expect((await officerA.patch(`/api/households/${x.households.A.id}`, { responderNotes: `復旧確認 ${i}` })).status).toBe(200);
      await until(async () => heard, (h) => h, 1_000);
    }
    expect(heard).toBe(true);
    expect(socketB.connected).toBe(true);
    // And a new socket handshake works on both.
    await socketOn(a, officerA);
    await socketOn(b, officerB);
  }, 90_000);

  it('stores an answer retried with the same Idempotency-Key once, and answers the retry like the first', async () => {
    const officer = await loggedIn(a, x.logins.officer);
    const memberA = await loggedIn(a, x.logins.memberA);
    const memberOnB = new ApiClient(b.baseUrl);
    memberOnB.cookie = memberA.cookie;
    memberOnB.csrfToken = memberA.csrfToken;
    const drill = await officer.post('/api/drills', { kind: 'drill', title: '再送の訓練', deadlineAt: new Date(Date.now() + 3_600_000).toISOString() });
    const key = randomUUID();
    const answer = (client: ApiClient, k = key) => client.request('POST', `/api/drills/${drill.body.id}/answer`, { status: 'needs_help', where: 'home', note: '足をけがしました' }, { 'idempotency-key': k });

    const first = await answer(memberA);
    expect(first.status).toBe(200);
    // The retry may reach another instance; both at once, as a retry racing a slow first try.
    const [second, third] = await Promise.all([answer(memberOnB), answer(memberA)]);
    expect(second.status).toBe(200);
    expect(third.status).toBe(200);
    expect(second.body.answer).toEqual(first.body.answer);
    const stored = async () => {
      const db = dbs[0]!;
      return db.selectFrom('drill_answers').select('status').where('drill_id', '=', drill.body.id).where('household_id', '=', x.households.A.id).execute();
    };
    expect(await stored()).toHaveLength(1);
    // A new action (a new key) is a new answer in the history.
    expect((await answer(memberA, randomUUID())).status).toBe(200);
    expect(await stored()).toHaveLength(2);
    // A key is one action: reused for another drill's answer it is refused, not replayed.
    const other = await officer.post('/api/drills', { kind: 'drill', title: '別の訓練', deadlineAt: new Date(Date.now() + 3_600_000).toISOString() });
    const reused = await memberA.request('POST', `/api/drills/${other.body.id}/answer`, { status: 'safe' }, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect(reused.body.error.field).toBe('Idempotency-Key');
    const malformed = await memberA.request('POST', `/api/drills/${drill.body.id}/answer`, { status: 'safe' }, { 'idempotency-key': 'again' });
    expect(malformed.status).toBe(400);

    // A circular's answer: the history keeps one row per action, not per retry.
    const draft = await officer.post('/api/circulars', { title: '出欠', question: { type: 'yes_no', prompt: '参加しますか' } });
    const circular = await officer.post(`/api/circulars/${draft.body.id}/publish`);
    expect(circular.status).toBe(200);
    const circularKey = randomUUID();
    const put = () => memberA.request('PUT', `/api/circulars/${circular.body.id}/answer`, { answer: { type: 'yes_no', yes: true } }, { 'idempotency-key': circularKey });
    expect((await put()).status).toBe(200);
    const retried = await put();
    expect(retried.status).toBe(200);
    expect(retried.body.household.answer).toEqual({ type: 'yes_no', yes: true });
    const history = await dbs[0]!.selectFrom('circular_answers').select('id').where('circular_id', '=', circular.body.id).execute();
    expect(history).toHaveLength(1);
  }, 60_000);
});
