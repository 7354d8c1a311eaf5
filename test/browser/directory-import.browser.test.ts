import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { useBrowserSuite } from '../support/suite.js';

/**
 * The directory's CSV in the browser: the officer opens 相談先のCSV from the menu, checks the
 * Shift_JIS example (the contactless row reported as a draft), imports it, finds the entries on
 * the directory page, downloads them back as CSV (UTF-8 and Shift_JIS), and finds the import
 * as one row of 変更履歴.
 */
const suite = useBrowserSuite();
const fixture = fileURLToPath(new URL('../fixtures/directory/directory-example.sjis.csv', import.meta.url));

describe('the directory CSV in the browser', { timeout: JOURNEY_TIMEOUT }, () => {
  it('the officer previews, imports and exports the directory', async () => {
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await officer.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '相談先のCSV', exact: true }).click();
    await officer.waitForURL(/\/directory\/import$/);
    await officer.getByLabel('CSVファイル').setInputFiles(fixture);
    await officer.getByRole('button', { name: '確認' }).click();
    await officer.getByTestId('directory-import-summary').waitFor();
    expect(await officer.getByTestId('directory-import-summary').textContent()).toContain('Shift_JIS');
    expect(await officer.getByTestId('directory-import-warnings').textContent()).toContain('6行目');
    expect(await officer.getByTestId('directory-import-rows').textContent()).toContain('介護の総合相談（例）');
    await officer.getByRole('button', { name: '取り込む' }).click();
    await officer.getByTestId('directory-import-success').waitFor();
    expect(await officer.getByTestId('directory-import-success').textContent()).toContain('新規 4件');

    const download = officer.waitForEvent('download');
    await officer.getByTestId('directory-export-utf8').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^(directory|お悩みハンドブック)-\d{4}-\d{2}-\d{2}\.csv$/);
    // Shift_JIS is fetched, checked by the server, then saved: the example's characters all survive it.
    const sjis = officer.waitForEvent('download');
    await officer.getByTestId('directory-export-sjis').click();
    expect((await sjis).suggestedFilename()).toBe('directory-sjis.csv');

    await officer.getByRole('link', { name: '相談先の名簿へ' }).click();
    await officer.waitForURL(/\/directory$/);
    await expect.poll(() => officer.getByTestId('directory-entry').filter({ hasText: '子育てひろば（例）' }).textContent()).toContain('下書き');

    // 変更履歴: the import is one row with its counts, by the officer.
    await officer.getByRole('link', { name: '変更履歴を見る' }).click();
    const imported = officer.getByTestId('directory-history-item').filter({ has: officer.getByTestId('directory-history-imported') });
    await imported.first().waitFor();
    expect(await imported.count()).toBe(1);
    expect(await imported.getByTestId('directory-history-imported').textContent()).toMatch(/^CSV から \d+ 件を取り込み（追加 4 件・更新 0 件）$/);
    expect(await imported.textContent()).toContain('役員 一郎');
  });
});
