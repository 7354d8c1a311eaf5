import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/src/contracts/socket.js';
import { startServerSuite } from './support/suite.js';
import { sql } from 'kysely';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const PUBLIC_URL = 'https://tonari.example.jp';
let database: TestDatabase;
// Two instances of tonari on one database, as behind a load balancer.
let one: TestServer;
let two: TestServer;
let x: SeededAssociation;
const sockets: ClientSocket[] = [];

const serverOptions = { publicUrl: PUBLIC_URL, loginRateLimit: 10, socketRefreshSeconds: 1 };

beforeAll(async () => {
  // One after the other: pg-boss sets its queues up on start.
  ({ database, server: one } = await startServerSuite(serverOptions));
  two = await startTestServer(database, serverOptions);
  x = await seedAssociation(database.db, 'ss');
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await Promise.all([one?.close(), two?.close()]);
  await database?.drop();
});

function openSocket(server: TestServer, headers: Record<string, string>): ClientSocket {
  const socket: ClientSocket = connectSocket(server.baseUrl, { extraHeaders: headers, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  return socket;
}

async function connected(server: TestServer, cookie: string) {
  const socket = openSocket(server, { cookie });
  const ended: string[] = [];
  socket.on('session:ended', () => ended.push('session:ended'));
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', () => resolve());
    socket.on('connect_error', reject);
  });
  const disconnected = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
  return { socket, ended, disconnected };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

describe('sessions end everywhere at once', () => {
  it("logout disconnects the session's sockets on this instance and on another", async () => {
    const client = new ApiClient(one.baseUrl);
    await client.login(x.logins.captain1, PASSWORD);
    const here = await connected(one, client.cookie);
    const there = await connected(two, client.cookie);
    // Another session of the same person stays.
    const other = new ApiClient(two.baseUrl);
    await other.login(x.logins.captain1, PASSWORD);
    const otherSocket = await connected(two, other.cookie);

    expect((await client.post('/api/auth/logout')).status).toBe(200);
    expect(await within(here.disconnected, 5000, 'socket on this instance')).toBe('io server disconnect');
    expect(await within(there.disconnected, 5000, 'socket on the other instance')).toBe('io server disconnect');
    expect(here.ended).toEqual(['session:ended']);
    expect(otherSocket.socket.connected).toBe(true);
    const reply = await otherSocket.socket.emitWithAck('session:rooms', {});
    expect('data' in reply).toBe(true);
  });

  it("a password change disconnects the other sessions' sockets and ends those sessions; this one stays", async () => {
    const phone = new ApiClient(one.baseUrl);
    await phone.login(x.logins.memberB, PASSWORD);
    const laptop = new ApiClient(two.baseUrl);
    await laptop.login(x.logins.memberB, PASSWORD);
    const phoneSocket = await connected(two, phone.cookie);
    const laptopSocket = await connected(one, laptop.cookie);

    const wrong = await laptop.post('/api/me/password', { currentPassword: 'not it', newPassword: 'a-new-password-1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('currentPassword');
    expect(phoneSocket.socket.connected).toBe(true);

    expect((await laptop.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'a-new-password-1' })).status).toBe(200);
    expect(await within(phoneSocket.disconnected, 5000, "the other session's socket")).toBe('io server disconnect');
    const onPhone = await phone.get('/api/session');
    expect([onPhone.status, onPhone.body]).toEqual([200, null]);
    expect((await phone.get('/api/blocks')).status).toBe(401);
    expect((await laptop.get('/api/session')).body.person).toBeTruthy();
    expect(laptopSocket.socket.connected).toBe(true);
    await new ApiClient(one.baseUrl).login(x.logins.memberB, 'a-new-password-1');
    expect((await new ApiClient(one.baseUrl).post('/api/auth/login', { identifier: x.logins.memberB, password: PASSWORD })).status).toBe(401);
  });

  it("drops an expired session's socket, and refuses its handshake afterwards", async () => {
    const client = new ApiClient(one.baseUrl);
    await client.login(x.logins.watcherA, PASSWORD);
    await database.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() + 1500) })
      .where('person_id', '=', x.people.watcherA.id)
      .execute();
    const { ended, disconnected } = await connected(two, client.cookie);
    expect(await within(disconnected, 6000, 'expired socket')).toBe('io server disconnect');
    expect(ended).toEqual(['session:ended']);
    const again = openSocket(one, { cookie: client.cookie });
    const error = await new Promise<Error>((resolve) => again.on('connect_error', resolve));
    expect(error.message).toBe('unauthorized');
  });

  it('a session logged out on one instance is refused on the other at once, also among requests read together', async () => {
    const leaving = new ApiClient(one.baseUrl);
    await leaving.login(x.logins.officer, PASSWORD);
    const staying = new ApiClient(two.baseUrl);
    await staying.login(x.logins.officer, PASSWORD);
    const onTwo = (client: ApiClient) => new ApiClient(two.baseUrl).request('GET', '/api/session', undefined, { cookie: client.cookie });
    // Twenty at once on the other instance: their sessions are read together, each answered as its own.
    const before = await Promise.all(Array.from({ length: 20 }, (_, i) => onTwo(i % 2 ? leaving : staying)));
    expect(before.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(before.map((r) => r.body.csrfToken)).size).toBe(2);

    expect((await leaving.post('/api/auth/logout')).status).toBe(200);
    // No cache to wait out: the very next requests on the other instance find no session.
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => onTwo(i % 2 ? leaving : staying)));
    // Who am I answers null for the ended session (200: nobody is no error), the staying one its own.
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(after.map((r) => r.body?.csrfToken ?? null)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? null : staying.csrfToken)));
  });
});

describe('a live socket follows its session and roles', () => {
  it('a captain whose term ended stops hearing the 班, and a session ended behind its back drops the socket', async () => {
    const client = new ApiClient(two.baseUrl);
    await client.login(x.logins.captain2, PASSWORD);
    const { socket, disconnected } = await connected(two, client.cookie);
    const roomsNow = async () => {
      const reply = await socket.emitWithAck('session:rooms', {});
      return 'data' in reply ? reply.data.rooms : [];
    };
    expect(await roomsNow()).toContain(`block:${x.blocks.block2.id}`);

    // The term ended (terms end at a date: no request marks the moment).
    await database.db
      .updateTable('role_assignments')
      .set({ starts_on: '2026-01-01', ends_on: '2026-01-02' })
      .where('person_id', '=', x.people.captain2.id)
      .where('role', '=', 'captain')
      .execute();
    await expect.poll(roomsNow, { timeout: 5000 }).not.toContain(`block:${x.blocks.block2.id}`);
    expect(socket.connected).toBe(true);

    // E.g. removed from the roster, or a logout whose message another instance missed.
    await database.db.deleteFrom('sessions').where('person_id', '=', x.people.captain2.id).execute();
    expect(await within(disconnected, 5000, 'socket of a deleted session')).toBe('io server disconnect');
  });
});

describe('a broadcast reaches sockets on every instance', () => {
  it('a circular published through one instance reaches a member on another; large broadcasts too, in order', async () => {
    const officer = new ApiClient(one.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const member = new ApiClient(two.baseUrl);
    await member.login(x.logins.memberA, PASSWORD);
    const { socket } = await connected(two, member.cookie);
    const published: string[] = [];
    socket.on('circular:published', (event) => published.push(event.circularId));

    const draft = await officer.post('/api/circulars', { title: '別のサーバーから', bodyMarkdown: '本文' });
    expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);
    await expect.poll(() => published, { timeout: 5000 }).toEqual([draft.body.id]);

    // Hundreds of rooms (a circular to a whole town) do not fit in a NOTIFY: they travel through
    // the attachments table, and still arrive in the order they were sent, between small ones;
    // the same event twice (sent in one statement) arrives twice.
    const updates: string[] = [];
    socket.on('circular:updated', (event) => updates.push(event.circularId));
    const many = [...Array.from({ length: 400 }, (_, i) => `household:${String(i).padStart(36, '0')}`), `household:${x.households.A.id}`];
    const sent = ['large-1', 'small-2', 'small-2', 'large-3', 'small-4'];
    for (const id of sent) one.app.realtime.emit(id.startsWith('large') ? many : [`household:${x.households.A.id}`], 'circular:updated', { circularId: id, status: 'published', corrected: true });
    await expect.poll(() => updates, { timeout: 5000 }).toEqual(sent);
  });

  it('one attachment that cannot be stored loses only its own message, not the others sent with it', async () => {
    const member = new ApiClient(two.baseUrl);
    await member.login(x.logins.memberA, PASSWORD);
    const { socket } = await connected(two, member.cookie);
    const updates: string[] = [];
    socket.on('circular:updated', (event) => updates.push(event.circularId));
    // The attachments table refuses one message (as a full disk or a lost connection would).
    await sql`create function refuse_poison() returns trigger language plpgsql as $$ begin
      if convert_from(new.payload, 'UTF8') like '%poison%' then raise exception 'refused'; end if; return new; end $$`.execute(database.db);
    await sql`create trigger refuse_poison before insert on socket_io_attachments for each row execute function refuse_poison()`.execute(database.db);
    try {
      const many = [...Array.from({ length: 400 }, (_, i) => `household:${String(i).padStart(36, '0')}`), `household:${x.households.A.id}`];
      const sent = ['small-1', 'poison-2', 'large-3', 'small-4'];
      // In one go: one NOTIFY statement for all four.
      for (const id of sent) one.app.realtime.emit(id === 'small-1' || id === 'small-4' ? [`household:${x.households.A.id}`] : many, 'circular:updated', { circularId: id, status: 'published', corrected: true });
      await expect.poll(() => updates, { timeout: 5000 }).toEqual(['small-1', 'large-3', 'small-4']);
    } finally {
      await sql`drop trigger refuse_poison on socket_io_attachments`.execute(database.db);
      await sql`drop function refuse_poison()`.execute(database.db);
    }
  });

  it('an instance that shuts down still sends what it broadcast just before', async () => {
    const three = await startTestServer(database, serverOptions);
    const member = new ApiClient(two.baseUrl);
    await member.login(x.logins.memberA, PASSWORD);
    const { socket } = await connected(two, member.cookie);
    const updates: string[] = [];
    socket.on('circular:updated', (event) => updates.push(event.circularId));
    const event = { circularId: 'last-words', status: 'published' as const, corrected: true };
    three.app.realtime.emit([`household:${x.households.A.id}`], 'circular:updated', event);
    // Changed by the caller after the emit: the other instance gets what was emitted.
    event.circularId = 'changed';
    await three.close();
    await expect.poll(() => updates, { timeout: 5000 }).toEqual(['last-words']);
  });
});

describe('Socket.IO checks the Origin', () => {
  it('refuses a handshake from another site with a clear error, and takes the public origin', async () => {
    const client = new ApiClient(one.baseUrl);
    await client.login(x.logins.officer, PASSWORD);
    const foreign = openSocket(one, { cookie: client.cookie, origin: 'https://evil.example' });
    const error = await new Promise<Error & { data?: { message: string } }>((resolve) => foreign.on('connect_error', resolve));
    expect(error.message).toBe('forbidden_origin');
    expect(error.data?.message).toContain(PUBLIC_URL);
    expect(foreign.connected).toBe(false);

    const own = openSocket(one, { cookie: client.cookie, origin: PUBLIC_URL });
    await within(new Promise<void>((resolve, reject) => { own.on('connect', resolve); own.on('connect_error', reject); }), 5000, 'same-origin socket');
  });
});

describe('login rate limits', () => {
  it('counts every spelling of one phone number as one person', async () => {
    await database.db.updateTable('people').set({ phone: '09012345678' }).where('id', '=', x.people.memberA.id).execute();
    const spellings = [
      '090-1234-5678', '09012345678', '０９０１２３４５６７８', '+81 90 1234 5678', '+819012345678', '090 1234 5678',
      '０９０-１２３４-５６７８', ' 09012345678 ', '090－1234－5678', '+81-90-1234-5678', '090ー1234ー5678',
    ];
    const statuses: number[] = [];
    for (const [i, identifier] of spellings.entries()) {
      statuses.push((await new ApiClient(one.baseUrl).post('/api/auth/login', { identifier, password: `guess-${i}` })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    // The right password is refused too while the person is limited, in any spelling, on any instance.
    const limited = await new ApiClient(two.baseUrl).post('/api/auth/login', { identifier: '+81 90-1234-5678', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('holds across instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const server = i % 2 ? two : one;
      const identifier = i % 3 ? x.logins.volunteer.toUpperCase() : ` ${x.logins.volunteer} `;
      statuses.push((await new ApiClient(server.baseUrl).post('/api/auth/login', { identifier, password: `guess-${i}` })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    // Other people behind the same address still log in.
    await new ApiClient(two.baseUrl).login(x.logins.captain2, PASSWORD);
  });

  it('answers an unknown account exactly as a known one, limited alike', async () => {
    const answer = async (identifier: string) => {
      const started = performance.now();
      const response = await new ApiClient(one.baseUrl).post('/api/auth/login', { identifier, password: 'wrong-password' });
      const headers = [...response.headers].filter(([name]) => !['date', 'content-length', 'etag'].includes(name));
      return { status: response.status, body: response.text, headers, ms: performance.now() - started };
    };
    const known: Awaited<ReturnType<typeof answer>>[] = [];
    const unknown: Awaited<ReturnType<typeof answer>>[] = [];
    for (let i = 0; i < 11; i++) {
      known.push(await answer(x.logins.captain2));
      unknown.push(await answer('nobody-here@example.jp'));
    }
    for (let i = 0; i < 11; i++) {
      expect({ ...unknown[i], ms: 0 }).toEqual({ ...known[i], ms: 0 });
    }
    expect(known.map((a) => a.status)).toEqual([...Array(10).fill(401), 429]);
    // Both check a password hash: an unknown account is not answered markedly faster.
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(unknown.slice(0, 10).map((a) => a.ms))).toBeGreaterThan(median(known.slice(0, 10).map((a) => a.ms)) / 3);
  });
});

describe('joining does not tell whether an address already has a login', () => {
  it('answers the same for an email that is a login and one that is not, and leaves the existing login alone', async () => {
    const officer = new ApiClient(one.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const sheet = await officer.post('/api/passcodes', { householdIds: [x.households.C.id, x.households.D.id] });
    const [codeC, codeD] = [x.households.C.id, x.households.D.id].map(
      (id) => sheet.body.items.find((item: { householdId: string }) => item.householdId === id).code as string,
    );
    const taken = await new ApiClient(one.baseUrl).post('/api/join', { code: codeC, name: '鈴木 某', email: x.logins.officer.toUpperCase(), password: 'password-123' });
    const free = await new ApiClient(one.baseUrl).post('/api/join', { code: codeD, name: '高橋 某', email: 'new-person@example.jp', password: 'password-123' });
    expect(taken.status).toBe(200);
    expect(free.status).toBe(200);
    const shape = (body: Record<string, unknown>) => Object.keys(body).sort();
    expect(shape(taken.body)).toEqual(shape(free.body));
    expect(taken.body.roles.household.id).toBe(x.households.C.id);
    // The officer's login is untouched, and the newcomer did not get it.
    await new ApiClient(two.baseUrl).login(x.logins.officer, PASSWORD);
    expect((await new ApiClient(two.baseUrl).post('/api/auth/login', { identifier: x.logins.officer, password: 'password-123' })).status).toBe(401);
    await new ApiClient(two.baseUrl).login('new-person@example.jp', 'password-123');
  });
});
