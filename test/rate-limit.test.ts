import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import {
  clientAddress,
  createRateLimiter,
  memoryStore,
  postgresStore,
  rateLimitMiddleware,
  type RateLimitStore,
} from '../server/src/auth/rate-limit.js';

/**
 * The shared rate limiter (server/src/auth/rate-limit.ts) with each of its stores, through
 * its middleware on a real HTTP server: PostgreSQL (logins: every instance shares the counts)
 * and memory (the public directory search: no row about the visitor is written).
 */

let database: TestDatabase;
let server: Server;
let baseUrl: string;
const WINDOW = 3;
const LIMIT = 3;
const MESSAGE = 'Too many searches. Please wait 15 minutes and try again.';

/** One app, a route per store and window; `x-key` stands for a visitor (their address otherwise). */
function app(stores: Record<string, RateLimitStore>) {
  const a = express();
  a.set('trust proxy', false);
  for (const [name, store] of Object.entries(stores)) {
    for (const window of [WINDOW, 900]) {
      const limiter = createRateLimiter(store, window);
      const limits = (req: express.Request) => [{ key: `${name}:${window}:${req.get('x-key') ?? clientAddress(req)}`, limit: LIMIT }];
      a.get(`/${name}/${window}`, rateLimitMiddleware(limiter, limits, MESSAGE), (_req, res) => void res.json({ ok: true }));
      a.delete(`/${name}/${window}`, (req, res, next) => {
        limiter.clear(`${name}:${window}:${req.get('x-key')}`).then(() => res.json({ cleared: true }), next);
      });
    }
  }
  return a;
}

const get = (path: string, key: string) => fetch(`${baseUrl}${path}`, { headers: { 'x-key': key } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rows = async () => (await sql<{ n: number }>`select count(*)::int as n from rate_limits`.execute(database.db)).rows[0]!.n;

beforeAll(async () => {
  database = await createTestDatabase();
  server = createServer(app({ postgres: postgresStore(database.db), memory: memoryStore() }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await database?.drop();
});

describe.each(['postgres', 'memory'])('the rate limiter, counting in %s', (store) => {
  it('lets a visitor through up to the limit, then answers 429 with Retry-After; another visitor is not held back', async () => {
    const statuses = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await get(`/${store}/${WINDOW}`, 'visitor-a')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await get(`/${store}/${WINDOW}`, 'visitor-a');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error: { code: 'rate_limited', message: MESSAGE } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW);
    expect((await get(`/${store}/${WINDOW}`, 'visitor-b')).status).toBe(200);
  });

  it('lets the visitor through again once the window has passed', async () => {
    for (let i = 0; i < LIMIT; i++) await get(`/${store}/${WINDOW}`, 'visitor-c');
    expect((await get(`/${store}/${WINDOW}`, 'visitor-c')).status).toBe(429);
    await sleep(WINDOW * 1000 + 200);
    expect((await get(`/${store}/${WINDOW}`, 'visitor-c')).status).toBe(200);
    // A new window: the limit counts from there.
    for (let i = 1; i < LIMIT; i++) expect((await get(`/${store}/${WINDOW}`, 'visitor-c')).status).toBe(200);
    expect((await get(`/${store}/${WINDOW}`, 'visitor-c')).status).toBe(429);
  });

  it('counts a burst of parallel requests exactly', async () => {
    const burst = await Promise.all(Array.from({ length: 12 }, () => get(`/${store}/900`, 'visitor-d')));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(LIMIT);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(12 - LIMIT);
    // A 15-minute window says when in whole minutes: here, all of it.
    expect(burst.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('900');
  });

  it('forgets a key that is cleared', async () => {
    for (let i = 0; i <= LIMIT; i++) await get(`/${store}/900`, 'visitor-e');
    expect((await get(`/${store}/900`, 'visitor-e')).status).toBe(429);
    await fetch(`${baseUrl}/${store}/900`, { method: 'DELETE', headers: { 'x-key': 'visitor-e' } });
    expect((await get(`/${store}/900`, 'visitor-e')).status).toBe(200);
  });
});

describe('what the stores keep', () => {
  it('in memory: not a row, whatever the traffic', async () => {
    const before = await rows();
    for (let i = 0; i < 5; i++) await fetch(`${baseUrl}/memory/900`);
    expect(await rows()).toBe(before);
  });

  it('in PostgreSQL: a row per key, named by its hash, never by the key', async () => {
    const before = await rows();
    await get('/postgres/900', 'someone@example.jp');
    expect(await rows()).toBe(before + 1);
    const keys = (await sql<{ key: string }>`select key from rate_limits`.execute(database.db)).rows.map((r) => r.key);
    expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(keys.some((k) => k.includes('example'))).toBe(false);
  });
});
