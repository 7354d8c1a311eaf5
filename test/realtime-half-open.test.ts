import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import type { ClusterMessage } from 'socket.io-adapter';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createLogger } from '../server/src/platform/logger.js';
import { PubSub, QUERY_TIMEOUT_MS } from '../server/src/platform/realtime/postgres-adapter.js';

/**
 * The realtime adapter keeps its publishing connections open between broadcasts. One that went
 * half-open meanwhile (a NAT forgot it: the socket stays open, nothing comes back) must not hold
 * every later broadcast: its query times out, the connection is dropped, and the next goes out
 * on a new one.
 */
let database: TestDatabase;
let proxy: Server;
let proxyPort: number;
const links: { client: Socket; upstream: Socket }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  // Forwards to PostgreSQL; freeze() makes the links open now go silent both ways, as a half-open connection does.
  proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    links.push({ client, upstream });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as { port: number }).port;
});
afterAll(async () => {
  for (const { client, upstream } of links) client.destroy(), upstream.destroy();
  proxy?.close();
  await database?.drop();
});

const freeze = () => {
  for (const { client, upstream } of links.splice(0)) {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }
};
const message = (text: string) => ({ uid: 'u', nsp: '/', type: 3, data: { packet: { data: ['circular:updated', { text }] } } }) as unknown as ClusterMessage;

it('a broadcast after its connection went half-open fails alone; the next goes out on a new connection', async () => {
  const heard: string[] = [];
  const observer = new pg.Client({ connectionString: database.url });
  await observer.connect();
  observer.on('notification', (n) => heard.push(n.payload ?? ''));
  await observer.query('LISTEN "socket.io#/"');
  const viaProxy = new URL(database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxyPort);
  const pubsub = new PubSub(viaProxy.toString(), createLogger('silent'), () => undefined);
  const until = async (text: string, ms: number) => {
    const end = Date.now() + ms;
    while (!heard.some((p) => p.includes(text)) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return heard.some((p) => p.includes(text));
  };
  try {
    void pubsub.publish(message('one'));
    expect(await until('one', 5_000)).toBe(true);
    freeze();
    void pubsub.publish(message('two'));
    // Let 'two' be sent on the frozen connection before 'three' is queued behind it.
    await new Promise((r) => setTimeout(r, 200));
    void pubsub.publish(message('three'));
    expect(await until('three', QUERY_TIMEOUT_MS + 5_000)).toBe(true);
    expect(heard.some((p) => p.includes('two'))).toBe(false);
  } finally {
    // And shutting down does not wait on the half-open connections (the listener's went silent too).
    const closing = Date.now();
    await pubsub.close();
    expect(Date.now() - closing).toBeLessThan(5_000);
    await observer.end();
  }
}, 30_000);
