import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { startServerSuite, stopSuite } from './support/suite.js';

/**
 * How the built web app is served (needs `npm run build:web`): a phone on a slow line gets
 * the JavaScript compressed, and keeps the hashed bundles for a year without asking again;
 * index.html (which names the current bundles) is always revalidated, so a deploy is seen.
 */
let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
});
afterAll(() => stopSuite({ server, database }));

/** A raw GET (no automatic decompression), so the test sees the bytes on the wire. */
function get(path: string, acceptEncoding?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(`${server.baseUrl}${path}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the web app over HTTP', () => {
  it('serves the JavaScript gzip or br as asked, cached a year and immutable; index.html not cached', async () => {
    const index = await get('/', 'gzip, deflate, br');
    expect(index.status).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    // (A page under 1 kB is sent as it is: compressing it would not save a round trip.)
    const html = (index.headers['content-encoding'] === 'br' ? brotliDecompressSync(index.body) : index.body).toString('utf8');
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();

    const plain = await get(script!);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();

    const br = await get(script!, 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 2);

    const gzip = await get(script!, 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);

    // A page route (the app shell) is revalidated too; the service worker as well.
    expect((await get('/watch', 'gzip')).headers['cache-control']).toBe('no-cache');
    expect((await get('/sw.js', 'gzip')).headers['cache-control']).toBe('no-cache');
  });

  it('answers a bundle it does not have with 404, not with the app shell (the service worker would keep that as the bundle)', async () => {
    const missing = await get('/assets/index-00000000.js', 'gzip');
    expect(missing.status).toBe(404);
    expect(missing.body.toString('utf8')).not.toContain('<div id="app"');
  });
});
