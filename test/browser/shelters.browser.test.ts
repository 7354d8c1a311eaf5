import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';

/**
 * Shelters in the browser: the officer imports the GSI fixture (preview, then save), a
 * resident answers a drill "避難所" naming one, and the officer's dashboard shows 1 there.
 * Then (on that drill) the officer unlists a shelter: neither the resident's picker nor the
 * officer's proxy answer offers it any more.
 */
const suite = useBrowserSuite();
const fixture = fileURLToPath(new URL('../fixtures/shelters/gsi-13101.sjis.csv', import.meta.url));
let drillId = '';

describe('shelters in the browser', { timeout: JOURNEY_TIMEOUT }, () => {
  it('the officer imports the list, a resident answers evacuated naming a shelter, the dashboard counts it', async () => {
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await officer.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '避難所', exact: true }).click();
    await officer.waitForURL(/\/shelters$/);
    await officer.getByTestId('no-shelters').waitFor();
    await officer.getByRole('link', { name: '避難所データを取り込む' }).click();
    await officer.getByLabel('CSVファイル').setInputFiles(fixture);
    await officer.getByRole('button', { name: '確認' }).click();
    await officer.getByTestId('shelter-import-summary').waitFor();
    expect(await officer.getByTestId('shelter-import-summary').textContent()).toContain('Shift_JIS');
    expect(await officer.getByTestId('shelter-import-rows').textContent()).toContain('番町小学校');
    await officer.getByRole('button', { name: '取り込む' }).click();
    await officer.getByTestId('shelter-import-success').waitFor();
    await officer.getByRole('link', { name: '避難所の一覧へ' }).click();
    await expect.poll(() => officer.getByTestId('shelter-card').count()).toBe(3);
    const card = officer.getByTestId('shelter-card').filter({ hasText: '番町小学校' }).first();
    expect(await card.textContent()).toContain('高潮');
    expect(await card.getByRole('link', { name: '地図で見る（地理院地図）' }).getAttribute('href')).toBe('https://maps.gsi.go.jp/#17/35.688111802263/139.73407899331/');

    const api = await loggedInClient(suite.server, suite.x.logins.officer);
    const drill = await api.post('/api/drills', { kind: 'drill', title: '避難訓練', deadlineAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(drill.status).toBe(201);
    drillId = drill.body.id;

    const resident = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD, { width: 390, height: 844 });
    await resident.goto(`${suite.server.baseUrl}/drills/${drill.body.id}/answer`);
    await resident.getByRole('button', { name: '無事です' }).first().click();
    await resident.getByTestId('drill-add-where').first().click();
    await resident.getByLabel('避難所', { exact: true }).first().check();
    await resident.getByTestId('shelter-picker').first().selectOption({ label: '番町小学校' });
    await resident.getByRole('button', { name: '送信' }).first().click();
    await expect.poll(() => resident.getByTestId('answered-shelter').first().textContent()).toContain('番町小学校');

    await officer.goto(`${suite.server.baseUrl}/drills/${drill.body.id}`);
    const row = officer.getByTestId('shelter-headcount-row').filter({ hasText: '番町小学校' });
    await row.waitFor();
    expect(await row.locator('[data-testid="households"]').textContent()).toContain('1');
    await resident.close();
    await officer.close();
  });

  it('an unlisted shelter is no longer offered to a resident answering "evacuated", nor in an officer\'s proxy answer', async () => {
    expect(drillId).not.toBe('');
    const resident = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD, { width: 390, height: 844 });
    const pickerOptions = async () => {
      await resident.goto(`${suite.server.baseUrl}/drills/${drillId}/answer`);
      await resident.getByTestId('drill-add-where').first().click();
      await resident.getByLabel('避難所', { exact: true }).first().check();
      const picker = resident.getByTestId('shelter-picker').first();
      await expect.poll(() => picker.locator('option').count()).toBeGreaterThan(1);
      return picker.locator('option').allTextContents();
    };
    expect(await pickerOptions()).toContain('六番町広場（試験用の派生行）');

    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await officer.goto(`${suite.server.baseUrl}/shelters`);
    const card = officer.getByTestId('shelter-card').filter({ hasText: '六番町広場' });
    await card.getByTestId('shelter-listed').uncheck();
    // Saved: the list, read again from the server, shows it unlisted.
    await expect.poll(() => card.getAttribute('class')).toContain('unlisted');
    await officer.reload();
    expect(await officer.getByTestId('shelter-card').filter({ hasText: '六番町広場' }).getByTestId('shelter-listed').isChecked()).toBe(false);
    // The officer's own list holds it (unlisted), but a proxy answer's picker does not offer it.
    await officer.goto(`${suite.server.baseUrl}/drills/${drillId}`);
    const row = officer.getByTestId('unanswered-row').first();
    await row.getByRole('button', { name: '代理で確認' }).click();
    await row.getByLabel('避難している').check();
    const proxyPicker = row.getByTestId('shelter-picker');
    await expect.poll(() => proxyPicker.locator('option').count()).toBeGreaterThan(1);
    const proxyOffered = await proxyPicker.locator('option').allTextContents();
    expect(proxyOffered).toContain('番町小学校');
    expect(proxyOffered).not.toContain('六番町広場（試験用の派生行）');

    const offered = await pickerOptions();
    expect(offered).not.toContain('六番町広場（試験用の派生行）');
    expect(offered).toContain('番町小学校');
    // Nor does the resident's list of shelters show it.
    await resident.goto(`${suite.server.baseUrl}/shelters`);
    await expect.poll(() => resident.getByTestId('shelter-card').count()).toBe(2);
    expect(await resident.getByTestId('shelter-list').textContent()).not.toContain('六番町広場');
    await resident.close();
    await officer.close();
  });
});
