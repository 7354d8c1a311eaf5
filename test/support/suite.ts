import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestServer, type TestServer } from './server.js';
import { seedAssociation } from './fixtures.js';
import { launchChromium } from './browser.js';

/**
 * The usual start of a test file: its own database, a server on it and a seeded association
 * (and, for browser tests, Chromium). Each file keeps its own variables:
 *   beforeAll(async () => ({ database, server, x } = await startSuite()));
 *   afterAll(() => stopSuite({ server, database }));
 */
export async function startSuite(options: { label?: string; server?: Parameters<typeof startTestServer>[1] } = {}) {
  const database = await createTestDatabase();
  const server = await startTestServer(database, options.server);
  const x = await seedAssociation(database.db, options.label);
  return { database, server, x };
}

export async function startBrowserSuite() {
  const suite = await startSuite();
  const chromium = await launchChromium();
  return { ...suite, chromium, browser: chromium.browser };
}

/** Closes what a suite started, in reverse order; a part that never started is skipped. */
export async function stopSuite(parts: { chromium?: { close(): Promise<unknown> }; server?: TestServer; database?: TestDatabase }) {
  await parts.chromium?.close();
  await parts.server?.close();
  await parts.database?.drop();
}
