import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/src/contracts/socket.js';
import { startSuite, stopSuite } from './support/suite.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'rx' }));
  y = await seedAssociation(database.db, 'ry');
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await stopSuite({ server, database });
});

async function socketAs(identifier: string) {
  const client = new ApiClient(server.baseUrl);
  await client.login(identifier, PASSWORD);
  const socket: ClientSocket = connectSocket(server.baseUrl, { extraHeaders: { cookie: client.cookie }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', () => resolve());
    socket.on('connect_error', reject);
  });
  return { socket, client };
}

describe('Socket.IO', () => {
  it('refuses a connection without a session', async () => {
    const socket = connectSocket(server.baseUrl, { transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
    expect(error.message).toBe('unauthorized');
  });

  it('puts each socket in the rooms of its association, role, 班 and household', async () => {
    const { socket } = await socketAs(x.logins.captain1);
    const reply = await socket.emitWithAck('session:rooms', {});
    expect('data' in reply && reply.data.rooms.sort()).toEqual(
      [`association:${x.association.id}`, `block:${x.blocks.block1.id}`, `household:${x.households.C.id}`, `person:${x.people.captain1.id}`].sort(),
    );
    const bad = await socket.emitWithAck('session:rooms', { sneaky: true } as never);
    expect('error' in bad && bad.error.code).toBe('invalid_input');
  });

  it("tells an association's members when its roster changes, and no other association", async () => {
    const { socket: memberX } = await socketAs(x.logins.memberA);
    const { socket: officerY } = await socketAs(y.logins.officer);
    const heardByY: unknown[] = [];
    officerY.on('roster:changed', (event) => heardByY.push(event));
    const heard = new Promise<{ householdIds: string[] | 'all' }>((resolve) => memberX.on('roster:changed', resolve));

    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    await officer.patch(`/api/households/${x.households.A.id}`, { responderNotes: '夜間は不在' });
    expect((await heard).householdIds).toEqual([x.households.A.id]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heardByY).toEqual([]);
  });
});

describe('the shared session refresh', () => {
  it('goes on with the next sessions when reading one batch fails', async () => {
    const { createServer } = await import('node:http');
    const { createRealtime } = await import('../server/src/platform/realtime/realtime.js');
    type Actor = { sessionId: string; expiresAt: Date; rooms: string[] };
    const expiresAt = new Date(Date.now() + 3_600_000);
    const warnings: string[] = [];
    const log = { warn: (_: object, msg: string) => warnings.push(msg), info: () => undefined, debug: () => undefined, error: () => undefined };
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { close, io } = createRealtime<Actor>(http, {
      sessions: {
        authenticate: async ({ headers }) => ({ sessionId: String(headers['x-session']), expiresAt, rooms: ['before'] }),
        // The first batch (the 'broken' session) cannot be read; the next one can, and has moved.
        reload: async (ids) => {
          if (ids.includes('broken')) throw new Error('a query that failed');
          return new Map(ids.map((id) => [id, { sessionId: id, expiresAt, rooms: ['after'] }]));
        },
        roomsFor: (actor) => actor.rooms,
      },
      log: log as never,
      metrics: { sockets: { inc: () => undefined, dec: () => undefined } } as never,
      databaseUrl: database.url,
      publicUrl: 'http://127.0.0.1',
      roomRefreshSeconds: 0.2,
      refreshBatch: 1,
    });
    const { port } = http.address() as { port: number };
    const open = async (session: string) => {
      const socket: ClientSocket = connectSocket(`http://127.0.0.1:${port}`, { extraHeaders: { 'x-session': session }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', () => resolve());
        socket.on('connect_error', reject);
      });
      return socket;
    };
    try {
      const broken = await open('broken');
      const moved = await open('moved');
      const roomsOf = async (socket: ClientSocket) => ((await socket.emitWithAck('session:rooms', {})) as { data: { rooms: string[] } }).data.rooms;
      await expect.poll(() => roomsOf(moved), { timeout: 5000 }).toEqual(['after']);
      expect(await roomsOf(broken)).toEqual(['before']);
      expect(warnings.some((w) => w.includes('refresh failed for a batch'))).toBe(true);
    } finally {
      io.disconnectSockets(true);
      await close();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
