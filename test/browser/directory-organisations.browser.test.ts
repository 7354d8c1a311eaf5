import { describe, expect, it } from 'vitest';
import { loggedInPage } from '../support/browser.js';
import { useBrowserSuite } from '../support/suite.js';
import { demo, seedDemo } from '../../server/src/demo/seed.js';
import { DIRECTORY_DEMO_LOGINS } from '../../server/src/directory/directory.demo.js';

const suite = useBrowserSuite();
const SALON = 'ふれあいサロン お茶会（デモ）';
const OLD = '毎週水曜 13:30〜15:30';
const NEW = '毎週水曜・土曜 13:30〜16:00';

async function publicHours() {
  const found = await fetch(`${suite.server.baseUrl}/api/directory/search?worries=loneliness&area=tanabe-higashi-demo`).then((r) => r.json());
  return found.results.find((r: { name: string }) => r.name === SALON)?.hours;
}

describe('an organisation keeps its own entry; an editor approves its change', () => {
  it('the demo salon updates its hours, the officer approves them, and only then the public search shows them', async () => {
    await seedDemo(suite.database.db);

    // The organisation signs in with its own login (no resident session) and changes its hours.
    const context = await suite.browser.newContext({ locale: 'ja-JP' });
    const org = await context.newPage();
    org.setDefaultTimeout(15_000);
    await org.goto(`${suite.server.baseUrl}/directory/organisation`);
    await org.getByLabel('メールアドレス').fill(DIRECTORY_DEMO_LOGINS.organisation);
    await org.getByLabel('パスワード', { exact: true }).fill(demo.password);
    await org.getByRole('button', { name: 'ログイン', exact: true }).click();
    await org.getByRole('heading', { name: '田辺東 ふれあいサロン（デモ）' }).waitFor();
    const entry = org.getByTestId('organisation-service').filter({ hasText: SALON });
    await entry.getByRole('button', { name: '受付時間を変える' }).click();
    await entry.getByLabel('新しい受付時間').fill(NEW);
    await entry.getByRole('button', { name: '変更を送る（審査のあと公開）' }).click();
    await entry.getByTestId('organisation-pending').getByText(NEW).waitFor();
    expect(await entry.getByTestId('organisation-pending').locator('del').textContent()).toBe(OLD);
    // Still the old hours for everyone else.
    expect(await publicHours()).toBe(OLD);

    // The officer sees one change waiting (badge in the navigation), old → new, and approves it.
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, 'officer@demo.tonari.jp', demo.password);
    await officer.getByRole('link', { name: '相談先の審査（1件）' }).click();
    const item = officer.getByTestId('review-item').filter({ hasText: SALON });
    expect(await item.locator('del').textContent()).toBe(OLD);
    expect(await item.locator('ins').textContent()).toBe(NEW);
    await item.getByRole('button', { name: '承認して公開する' }).click();
    await officer.getByTestId('review-empty').waitFor();
    await officer.getByRole('link', { name: '相談先の審査', exact: true }).waitFor();

    // Published: the public search and the organisation's own page show the new hours.
    expect(await publicHours()).toBe(NEW);
    await org.reload();
    await entry.getByText(NEW).first().waitFor();
    expect(await entry.getByTestId('organisation-pending').count()).toBe(0);
    await context.close();
  });
});
