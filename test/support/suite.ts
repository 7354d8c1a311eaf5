import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestServer, type TestServer } from './server.js';
import { PASSWORD, seedAssociation } from './fixtures.js';
import { launchChromium } from './browser.js';
import { ApiClient } from './http-client.js';

type ServerOptions = Parameters<typeof startTestServer>[1];

/**
 * The usual start of a test file: its own database, a server on it and a seeded association
 * (and, for browser tests, Chromium). Each file keeps its own variables:
 *   beforeAll(async () => ({ database, server, x } = await startSuite()));
 *   afterAll(() => stopSuite({ server, database }));
 */
export async function startSuite(options: { label?: string; server?: ServerOptions } = {}) {
  const { database, server } = await startServerSuite(options.server);
  const x = await seedAssociation(database.db, options.label);
  return { database, server, x };
}

/** A database and a server on it, for files that seed nothing or build their own world. */
export async function startServerSuite(options?: ServerOptions) {
  const database = await createTestDatabase();
  const server = await startTestServer(database, options);
  return { database, server };
}

export async function startBrowserSuite() {
  const suite = await startSuite();
  const chromium = await launchChromium();
  return { ...suite, chromium, browser: chromium.browser };
}

export type BrowserSuite = Awaited<ReturnType<typeof startBrowserSuite>>;

/**
 * A browser test file's suite: registers the file's beforeAll (start) and afterAll (stop) and
 * returns the holder its parts are on once beforeAll has run:
 *   const suite = useBrowserSuite();
 *   ... suite.server.baseUrl, suite.x.logins.officer, suite.browser ...
 * A file's own hooks registered after this run after the start, and its afterAll before the stop.
 */
export function useBrowserSuite(): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    Object.assign(suite, await startBrowserSuite());
  });
  afterAll(() => stopSuite(suite));
  return suite;
}

/**
 * Closes what a suite started, in reverse order; a part that never started is skipped.
 * `servers` are ones a test may already have stopped itself: each is closed in turn and a
 * failure to close one is ignored.
 */
export async function stopSuite(parts: {
  chromium?: { close(): Promise<unknown> };
  server?: TestServer;
  servers?: (TestServer | undefined)[];
  database?: TestDatabase;
}) {
  await parts.chromium?.close();
  await parts.server?.close();
  for (const server of parts.servers ?? []) await server?.close().catch(() => undefined);
  await parts.database?.drop();
}

/** An API client logged in as `identifier` (with the fixtures' password). */
export async function loggedInClient(server: TestServer, identifier: string) {
  const client = new ApiClient(server.baseUrl);
  await client.login(identifier, PASSWORD);
  return client;
}
