import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';

/**
 * やさしい日本語 chosen by the resident: from the language switch, saved on their person, kept
 * across switches back and forth (the circular's easy version comes back with it), shown with
 * furigana on the home page's headings, and theirs again after logging out and in, on this
 * device and on another.
 */
const suite = useBrowserSuite();

const EASY = { title: 'みずが でません', body: '12がつ 1にち、みずが でません。' };
const ENGLISH = { title: 'Water stoppage', body: 'No water on 1 December.' };

const languageButton = (page: Page, name: string) => page.locator('.language-switch button', { hasText: name });
const saved = async () =>
  (await suite.database.db.selectFrom('people').select('preferred_language').where('id', '=', suite.x.people.memberA.id).executeTakeFirstOrThrow()).preferred_language;

async function expectCircular(page: Page, title: string, body: string) {
  await expect.poll(() => page.locator('.circular-title').first().textContent()).toContain(title);
  expect(await page.locator('.circular-body').textContent()).toContain(body);
}

describe('やさしい日本語, chosen by the resident', { timeout: JOURNEY_TIMEOUT }, () => {
  it('switches ja → やさしい日本語 → English → やさしい日本語 keeping the easy circular, with ruby on the home headings, and keeps it after logging out and in', async () => {
    const officer = await loggedInClient(suite.server, suite.x.logins.officer);
    const draft = await officer.post('/api/circulars', {
      title: '断水のお知らせ', bodyMarkdown: '12月1日は断水します。',
      easyJapanese: { title: EASY.title, bodyMarkdown: EASY.body }, english: { title: ENGLISH.title, bodyMarkdown: ENGLISH.body },
    });
    expect(draft.status).toBe(201);
    expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);
    const circularUrl = `${suite.server.baseUrl}/circulars/${draft.body.id}`;

    const page = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD, { width: 390, height: 844 });
    await page.goto(circularUrl);
    await expectCircular(page, '断水のお知らせ', '12月1日は断水します。');

    await languageButton(page, 'やさしい にほんご').click();
    await expectCircular(page, EASY.title, EASY.body);
    await expect.poll(saved).toBe('ja-easy');
    // The interface is in easy Japanese too, the button a resident presses with its reading.
    expect(await page.getByTestId('acknowledge').locator('rt').allTextContents()).toEqual(['よ']);

    await languageButton(page, 'English').click();
    await expectCircular(page, ENGLISH.title, ENGLISH.body);
    await expect.poll(saved).toBe('en');
    expect(await page.getByTestId('acknowledge').locator('rt').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await languageButton(page, 'やさしい にほんご').click();
    await expectCircular(page, EASY.title, EASY.body);
    await expect.poll(saved).toBe('ja-easy');
    expect(await languageButton(page, 'やさしい にほんご').getAttribute('aria-pressed')).toBe('true');

    // Home: the headings a resident reads large carry furigana.
    await page.goto(suite.server.baseUrl + '/');
    await page.getByTestId('household-circulars').waitFor();
    expect(await page.locator('#circulars-heading ruby').count()).toBeGreaterThan(0);
    // The home page's card names the circular in easy Japanese too.
    expect(await page.getByTestId('circular-card').first().textContent()).toContain(EASY.title);
    expect(await page.locator('#circulars-heading rt').allTextContents()).toEqual(['かいらんばん']);
    expect(await page.locator('#my-household-heading').textContent()).toBe('わたしの 家(いえ)');
    expect(await page.locator('#my-household-heading rt').textContent()).toBe('いえ');

    // Log out and in again on this device: the login page and the session keep it.
    await page.locator('.site-header button.secondary', { hasText: 'ログアウト' }).click();
    await page.waitForURL(/\/login/);
    await page.locator('#login-identifier').fill(suite.x.logins.memberA);
    await page.locator('#login-password').fill(PASSWORD);
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    await page.getByTestId('current-user').waitFor();
    await page.goto(circularUrl);
    await expectCircular(page, EASY.title, EASY.body);
    expect(await languageButton(page, 'やさしい にほんご').getAttribute('aria-pressed')).toBe('true');

    // Another device (a fresh browser, nothing stored): the person's choice comes with the login.
    const other = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD);
    await other.goto(circularUrl);
    await expectCircular(other, EASY.title, EASY.body);
    expect(await languageButton(other, 'やさしい にほんご').getAttribute('aria-pressed')).toBe('true');
    expect(await other.evaluate(() => document.documentElement.lang)).toBe('ja');
  });

  it("an officer sets the association's time zone on the roster page, and the times on screen follow it", async () => {
    const page = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await page.goto(`${suite.server.baseUrl}/roster`);
    const section = page.getByTestId('time-zone-section');
    await section.waitFor();
    const shown = (zone: string) => `この時間帯のいまの時刻：${new Intl.DateTimeFormat('ja-JP', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date())}`;
    await expect.poll(async () => (await section.locator('.hint').textContent()) === shown('Asia/Tokyo')).toBe(true);
    await page.locator('#time-zone').selectOption('America/New_York');
    await page.getByTestId('time-zone-save').click();
    await page.getByTestId('time-zone-saved').waitFor();
    await expect.poll(async () => (await section.locator('.hint').textContent()) === shown('America/New_York')).toBe(true);
    const row = await suite.database.db.selectFrom('associations').select('time_zone').where('id', '=', suite.x.association.id).executeTakeFirstOrThrow();
    expect(row.time_zone).toBe('America/New_York');
  });
});
