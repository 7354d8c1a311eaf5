import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { useBrowserSuite } from '../support/suite.js';
import { demo, seedDemo } from '../../server/src/demo/seed.js';
import { DIRECTORY_DEMO_LOGINS } from '../../server/src/directory/directory.demo.js';

const suite = useBrowserSuite();
const SALON = 'ふれあいサロン お茶会（デモ）';
const OLD = '毎週水曜 13:30〜15:30';
const NEW = '毎週水曜・土曜 13:30〜16:00';
const NEW_DESCRIPTION = 'だれでも立ち寄れるお茶とおしゃべりの会。土曜も開きます。';

async function publicHours() {
  const found = await fetch(`${suite.server.baseUrl}/api/directory/search?worries=loneliness&area=tanabe-higashi-demo`).then((r) => r.json());
  return found.results.find((r: { name: string }) => r.name === SALON)?.hours;
}

describe('an organisation keeps its own entry; an editor approves its change', { timeout: JOURNEY_TIMEOUT }, () => {
  it('the demo salon, reminded of its deadline, updates its hours and description, the officer approves them, and only then the public search shows them', async () => {
    await seedDemo(suite.database.db);
    // Last confirmed long enough ago that its reconfirm date is 12 days away.
    await suite.database.db.updateTable('directory_services')
      .set({ last_confirmed_on: sql<string>`((now() at time zone 'Asia/Tokyo')::date + 12 - make_interval(months => reconfirm_months))::date` as unknown as string })
      .where('name', '=', SALON).execute();

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
    // Due soon: its deadline and the one-button reconfirm come first.
    expect(await entry.getByTestId('confirm-deadline').textContent()).toMatch(/^確認期限：\d{4}年\d{1,2}月\d{1,2}日（あと\d+日）$/);
    // One button at the top reconfirms it: no longer due.
    await entry.getByTestId('organisation-due').getByRole('button', { name: '内容に変わりがないことを確認した' }).click();
    await entry.getByTestId('organisation-due').waitFor({ state: 'detached' });
    expect(await entry.getByTestId('confirm-deadline').count()).toBe(0);
    await entry.getByRole('button', { name: '内容を変える' }).click();
    // No way to reach it: refused, the reason beside the phone field.
    await entry.getByLabel('電話番号').fill('');
    await entry.getByLabel('場所').fill('');
    await entry.getByRole('button', { name: '変更を送る（審査のあと公開）' }).click();
    await entry.locator('input[aria-invalid="true"]#' + (await entry.getByLabel('電話番号').getAttribute('id'))).waitFor();
    expect(await entry.getByTestId('organisation-pending').count()).toBe(0);
    await entry.getByLabel('電話番号').fill('0774-00-0002');
    await entry.getByLabel('場所').fill('田辺東 集会所（デモ）');
    await entry.getByLabel('受付時間').fill(NEW);
    // Ticked off and on again: the same age groups (in the list's order now), so no change to send.
    await entry.getByLabel('高齢者').uncheck();
    await entry.getByLabel('高齢者').check();
    await entry.getByLabel('内容').fill(NEW_DESCRIPTION);
    await entry.getByRole('button', { name: '変更を送る（審査のあと公開）' }).click();
    const pending = entry.getByTestId('organisation-pending');
    await pending.getByText(NEW).waitFor();
    expect(await pending.locator('del').allTextContents()).toEqual(expect.arrayContaining([OLD]));
    expect(await pending.locator('ins').allTextContents()).toEqual(expect.arrayContaining([NEW, NEW_DESCRIPTION]));
    expect((await pending.locator('dt').allTextContents()).sort()).toEqual(['内容', '受付時間'].sort());
    // Still the old hours for everyone else.
    expect(await publicHours()).toBe(OLD);

    // The officer sees one change waiting (badge in the navigation), old → new, and approves it.
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, 'officer@demo.tonari.jp', demo.password);
    await officer.getByRole('link', { name: '相談先の審査（1件）' }).click();
    const item = officer.getByTestId('review-item').filter({ hasText: SALON });
    // allTextContents does not wait: the queue loads after the page.
    await item.locator('ins').first().waitFor();
    expect((await item.locator('ins').allTextContents()).sort()).toEqual([NEW, NEW_DESCRIPTION].sort());
    await item.getByRole('button', { name: '承認して公開する' }).click();
    await officer.getByTestId('review-empty').waitFor();
    await officer.getByRole('link', { name: '相談先の審査', exact: true }).waitFor();

    // Published: the public search and the organisation's own page show the new hours.
    expect(await publicHours()).toBe(NEW);
    await org.reload();
    await entry.getByText(NEW).first().waitFor();
    expect(await entry.getByTestId('organisation-pending').count()).toBe(0);

    // It proposes a new service: on its page, waiting for review; not in search.
    const form = org.getByTestId('directory-form');
    await form.getByLabel('相談先・サービス名').fill('土曜のおしゃべり会（デモ）');
    await form.getByLabel('孤独・孤立').check();
    await form.getByLabel('電話番号').fill('0774-00-0009');
    await form.getByRole('button', { name: '提案を送る（審査のあと公開）' }).click();
    const proposed = org.getByTestId('organisation-service').filter({ hasText: '土曜のおしゃべり会（デモ）' });
    await proposed.getByTestId('organisation-pending').getByText('0774-00-0009').waitFor();
    const found = await fetch(`${suite.server.baseUrl}/api/directory/search?worries=loneliness&area=tanabe-higashi-demo`).then((r) => r.json());
    expect(found.results.map((r: { name: string }) => r.name)).not.toContain('土曜のおしゃべり会（デモ）');
    await context.close();
  });
});
