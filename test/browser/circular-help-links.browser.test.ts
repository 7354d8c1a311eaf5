import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { useBrowserSuite } from '../support/suite.js';
import { demo, seedDemo } from '../../server/src/demo/seed.js';

const suite = useBrowserSuite();
const PHONE = { width: 390, height: 844 };
const TITLE = '介護の相談先のお知らせ';

describe('a circular linking the local support directory (お悩みハンドブック)', { timeout: JOURNEY_TIMEOUT }, () => {
  it('an officer ticks a service and 介護 in the compose form; a resident reads it, can call the service and reaches the 介護 services from it', async () => {
    await seedDemo(suite.database.db);

    // The officer writes the circular and picks what it links.
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, 'officer@demo.tonari.jp', demo.password);
    await officer.goto(`${suite.server.baseUrl}/circulars/new`);
    await officer.getByLabel('タイトル').fill(TITLE);
    await officer.getByLabel('本文').fill('親の介護で困ったときは、下の相談先へどうぞ。');
    const links = officer.getByTestId('help-links-fields');
    await links.getByLabel('介護している家族のつどい（デモ）').check();
    await links.getByRole('button', { name: '介護', exact: true }).click();
    expect(await links.getByRole('button', { name: '介護', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await officer.getByRole('button', { name: '公開する' }).click();
    await officer.waitForURL(/\/circulars\/[0-9a-f-]{36}$/);

    // A resident of the association opens it from their page on a phone.
    const resident = await loggedInPage(suite.browser, suite.server.baseUrl, 'household@demo.tonari.jp', demo.password, PHONE);
    await resident.getByTestId('household-circulars').waitFor();
    await resident.getByTestId('circular-card').filter({ hasText: TITLE }).click();
    const help = resident.getByTestId('circular-help-links');
    await help.waitFor();

    // Only the service that was ticked, with a link that calls it.
    const services = help.getByTestId('circular-help-service');
    expect(await services.locator('h3').allTextContents()).toEqual(['介護している家族のつどい（デモ）']);
    expect(await services.locator('a[href^="tel:"]').getAttribute('href')).toBe('tel:0774000003');

    // The worry search, for 介護 in this association's area.
    const search = help.getByTestId('circular-help-search');
    expect(await search.textContent()).toContain('介護');
    const href = new URL(await search.getAttribute('href') ?? '', suite.server.baseUrl);
    expect(href.pathname).toBe('/help');
    expect(href.searchParams.get('worries')).toBe('care');
    expect(href.searchParams.get('area')).toBe('tanabe-higashi-demo');

    // Following it: 介護 is already ticked, and the matching services show.
    await search.click();
    await resident.waitForURL(/\/help\?/);
    await resident.getByRole('heading', { name: 'お悩みハンドブック' }).waitFor();
    expect(await resident.getByRole('button', { name: '介護', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const results = resident.getByTestId('directory-result');
    await results.first().waitFor();
    expect(await resident.getByTestId('directory-results').getByRole('heading', { level: 2 }).textContent()).toBe('「介護」の相談先');
    // The demo's two services for 介護, the association's own first; nothing for other worries.
    expect(await results.locator('h3').allTextContents()).toEqual(['介護している家族のつどい（デモ）', '介護・高齢者の総合相談（デモ）']);
  });
});
