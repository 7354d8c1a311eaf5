import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { useBrowserSuite } from '../support/suite.js';
import { demo, seedDemo } from '../../server/src/demo/seed.js';

const suite = useBrowserSuite();

describe('the directory’s card edits and 変更履歴', { timeout: JOURNEY_TIMEOUT }, () => {
  it('an officer fixes an entry’s languages on its card, sees them saved, and finds the change named in 変更履歴', async () => {
    await seedDemo(suite.database.db);
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, 'officer@demo.tonari.jp', demo.password);
    await officer.getByRole('link', { name: '相談先の名簿' }).click();
    const entry = officer.getByTestId('directory-entry').filter({ hasText: 'ふれあいサロン お茶会（デモ）' });
    await entry.getByTestId('directory-who-for').getByText('言語：日本語', { exact: false }).waitFor();

    await entry.getByRole('button', { name: '内容を直す' }).click();
    const languages = entry.getByRole('group', { name: '対応できる言語' });
    await languages.getByLabel('英語').check();
    await languages.getByLabel('やさしい日本語').check();
    await entry.getByRole('button', { name: '保存する' }).click();
    // Saved: the card (the form closed) shows the languages, and so does the public search.
    await entry.getByTestId('directory-who-for').getByText('言語：日本語・英語・やさしい日本語', { exact: false }).waitFor();
    const found = await fetch(`${suite.server.baseUrl}/api/directory/search?worries=loneliness&area=tanabe-higashi-demo`).then((r) => r.json());
    expect(found.results.find((r: { name: string }) => r.name === 'ふれあいサロン お茶会（デモ）').languages).toEqual(['ja', 'en', 'easy-ja']);

    await officer.getByRole('link', { name: '変更履歴を見る' }).click();
    await officer.getByRole('heading', { name: '変更履歴' }).waitFor();
    const newest = officer.getByTestId('directory-history-item').first();
    await newest.getByText('ふれあいサロン お茶会（デモ）').waitFor();
    expect(await newest.textContent()).toContain('変更');
    expect(await newest.getByTestId('directory-history-fields').textContent()).toBe('変えた項目：対応できる言語');
    expect(await newest.textContent()).toContain('役員 会長 田辺 一郎');
    // The time, in the association's zone (Asia/Tokyo): today's date there.
    const today = new Intl.DateTimeFormat('ja-JP', { dateStyle: 'medium', timeZone: 'Asia/Tokyo' }).format(new Date());
    expect(await newest.locator('time').textContent()).toContain(today);
  });
});
