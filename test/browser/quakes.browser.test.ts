import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { useBrowserSuite } from '../support/suite.js';
import { handleTelegram } from '../../server/src/quakes/trigger.service.js';

/**
 * The earthquake trigger in the browser: the officer picks 京都府南部 from JMA's list (not
 * typed) and saves; telegrams then show in the log with the decision taken for each.
 */
const suite = useBrowserSuite();

/** A fixture telegram (test/fixtures/jma, 出典：気象庁) as if just sent. */
function telegram(file: string) {
  const xml = readFileSync(new URL(`../fixtures/jma/${file}`, import.meta.url), 'utf8');
  return xml.replace(/<DateTime>[^<]*<\/DateTime>/, `<DateTime>${new Date().toISOString()}</DateTime>`);
}

describe('the earthquake trigger', () => {
  it('the officer picks the area from the list, saves, and reads the telegrams and decisions', async () => {
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await officer.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '地震の自動開始' }).click();
    await officer.waitForURL(/\/quakes$/);
    await expect.poll(() => officer.getByTestId('quake-no-areas').isVisible()).toBe(true);
    await officer.getByLabel('地域を追加').selectOption({ label: '京都府南部' });
    await officer.getByTestId('quake-area-add').click();
    expect(await officer.getByTestId('quake-areas').textContent()).toContain('京都府南部');
    expect(await officer.getByLabel('始める震度（この震度以上）').inputValue()).toBe('5-');
    await officer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => officer.getByTestId('quake-settings-saved').isVisible()).toBe(true);
    expect(await officer.getByTestId('quake-log-empty').isVisible()).toBe(true);

    const ctx = suite.server.app.context;
    await handleTelegram(ctx, { id: 'browser:kyoto-3', url: 'https://example.invalid/kyoto-3-VXSE51.xml' }, telegram('kyoto-3-VXSE51.xml'));
    await handleTelegram(ctx, { id: 'browser:kyoto-5', url: 'https://example.invalid/kyoto-5lower-VXSE51.xml' }, telegram('kyoto-5lower-VXSE51.xml'));
    await officer.reload();
    const log = officer.getByTestId('quake-log');
    await expect.poll(() => log.locator('tbody tr').count()).toBe(2);
    const decisions = await log.getByTestId('quake-decision').allTextContents();
    expect(decisions).toEqual(['待ち時間のあと安否確認を自動で始めます', '設定した震度に届きません']);
    expect(await log.textContent()).toContain('震度5弱');
    expect(await log.textContent()).toContain('開始予定');
    await officer.close();
  });

  it('a resident has no such menu entry and the page refuses them', async () => {
    const member = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD);
    expect(await member.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '地震の自動開始' }).count()).toBe(0);
    await member.goto(`${suite.server.baseUrl}/quakes`);
    await expect.poll(() => member.locator('main').textContent()).not.toBe('');
    expect(await member.getByTestId('quake-settings').count()).toBe(0);
    await member.close();
  });
});
