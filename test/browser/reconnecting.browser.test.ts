import { describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http-client.js';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { useBrowserSuite } from '../support/suite.js';

/**
 * The web app's side of an outage: an answer whose response is lost, then met by a 503 (the
 * server's database away), is sent again with the same Idempotency-Key until it is stored,
 * and the person sees "reconnecting" meanwhile. (test/database-outage.test.ts stops a real
 * PostgreSQL for the server's side; here the browser's requests are cut on the way.)
 */
const suite = useBrowserSuite();

describe('answering while the connection is unreliable', { timeout: JOURNEY_TIMEOUT }, () => {
  it('shows 再接続しています… and retries the same answer until it is stored, once', async () => {
    const officer = new ApiClient(suite.server.baseUrl);
    await officer.login(suite.x.logins.officer, PASSWORD);
    const drill = await officer.post('/api/drills', { kind: 'drill', title: '停電を想定した訓練', deadlineAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(drill.status).toBe(201);

    const page = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD, { width: 390, height: 844 });
    const keys: (string | null)[] = [];
    await page.route('**/api/drills/*/answer', async (route) => {
      keys.push(await route.request().headerValue('idempotency-key'));
      if (keys.length === 1) {
        // The server stores the answer, but its response never reaches the phone.
        await route.fetch();
        return route.abort('connectionreset');
      }
      if (keys.length === 2) {
        return route.fulfill({
          status: 503,
          headers: { 'retry-after': '1' },
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unavailable', message: 'The service is briefly unavailable. Please try again in a moment.' } }),
        });
      }
      return route.continue();
    });

    await page.getByTestId('drill-prompt').waitFor();
    await page.getByRole('button', { name: '無事です' }).click();
    const banner = page.getByTestId('reconnecting');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('再接続しています');
    // The banner stays until the answer itself has gone through.
    await expect.poll(() => keys.length, { timeout: 20_000 }).toBe(3);
    await banner.waitFor({ state: 'detached' });
    await page.getByTestId('drill-answered').waitFor();
    expect(keys.length).toBe(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    const stored = await suite.database.db.selectFrom('drill_answers').select(['status', 'channel']).where('drill_id', '=', drill.body.id).execute();
    expect(stored).toEqual([{ status: 'safe', channel: 'app' }]);
  }, 60_000);
});
