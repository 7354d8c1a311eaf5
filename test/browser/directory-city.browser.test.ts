import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { useBrowserSuite } from '../support/suite.js';
import { demo, seedDemo } from '../../server/src/demo/seed.js';
import { DIRECTORY_DEMO_LOGINS } from '../../server/src/directory/directory.demo.js';
import { hashPassword } from '../../server/src/auth/password.js';

const suite = useBrowserSuite();
const NEW = '京田辺市 介護の電話相談（デモ）';

describe('the city keeps its own entries', { timeout: JOURNEY_TIMEOUT }, () => {
  it('the demo city editor adds a city-wide service for 介護; an anonymous visitor of the demo association finds it; the officer sees it is the city’s', async () => {
    await seedDemo(suite.database.db);
    const context = await suite.browser.newContext({ locale: 'ja-JP' });
    const city = await context.newPage();
    city.setDefaultTimeout(15_000);
    await city.goto(`${suite.server.baseUrl}/directory/organisation`);
    await city.getByLabel('メールアドレス').fill(DIRECTORY_DEMO_LOGINS.cityEditor);
    await city.getByLabel('パスワード', { exact: true }).fill(demo.password);
    await city.getByRole('button', { name: 'ログイン', exact: true }).click();
    await city.getByRole('heading', { name: '京田辺市の登録（市が管理する相談先）' }).waitFor();
    // The city's demo entries, with their status.
    await city.getByTestId('city-entry').filter({ hasText: '介護・高齢者の総合相談（デモ）' }).getByText('公開中').waitFor();

    const form = city.getByTestId('directory-form');
    await form.getByLabel('団体名').fill('京田辺市 高齢介護課（デモ）');
    await form.getByLabel('相談先・サービス名').fill(NEW);
    await form.getByLabel('介護', { exact: true }).check();
    await form.getByLabel('電話番号').fill('0774-00-0010');
    await form.getByLabel('受付時間').fill('平日 9:00-17:00');
    // No area ticked: the whole city.
    await form.getByRole('button', { name: '追加する' }).click();
    const added = city.getByTestId('city-entry').filter({ hasText: NEW });
    await added.getByText('対象地域：京田辺市').waitFor();
    // The city editor changes its hours on its card.
    await added.getByRole('button', { name: '内容を直す' }).click();
    await added.getByLabel('受付時間', { exact: true }).fill('平日 8:30-17:15');
    await added.getByRole('button', { name: '保存する' }).click();
    await added.getByText('平日 8:30-17:15').waitFor();
    // … and invites its organisation: a one-time code to hand over.
    const invite = city.getByTestId('directory-invite');
    await invite.getByLabel('団体名').fill('京田辺市 高齢介護課（デモ）');
    await invite.getByLabel('団体のメールアドレス（ログインID）').fill('kourei@city.example.jp');
    await invite.getByRole('button', { name: '招待コードを作る' }).click();
    const code = (await city.getByTestId('directory-invitation').locator('.passcode').textContent())!.trim();
    await context.close();
    // The organisation joins with it and sees the city's entry as its own to keep.
    const org = await (await suite.browser.newContext({ locale: 'ja-JP' })).newPage();
    const joined = await org.request.post(`${suite.server.baseUrl}/api/directory/account/join`, { data: { code, password: 'kourei-password' } });
    expect(joined.status()).toBe(200);
    expect((await joined.json()).services.map((s: { name: string }) => s.name)).toEqual([NEW]);

    // An anonymous visitor of the demo association's area, on a phone: 介護 → search → the city's new service.
    const visitor = await (await suite.browser.newContext({ locale: 'ja-JP', hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } })).newPage();
    visitor.setDefaultTimeout(15_000);
    await visitor.goto(`${suite.server.baseUrl}/help?area=tanabe-higashi-demo`);
    await visitor.getByRole('button', { name: '介護', exact: true }).tap();
    await visitor.getByTestId('directory-search').tap();
    const result = visitor.getByTestId('directory-result').filter({ hasText: NEW });
    await result.waitFor();
    expect(await result.textContent()).toContain('0774-00-0010');
    expect(await result.textContent()).toContain('平日 8:30-17:15');

    // The association's officer sees it in their directory, as the city's: not theirs to change.
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, 'officer@demo.tonari.jp', demo.password);
    await officer.getByRole('link', { name: '相談先の名簿' }).click();
    const entry = officer.getByTestId('directory-entry').filter({ hasText: NEW });
    await entry.getByText('市の登録です（市の担当者が変更します）').waitFor();
    expect(await entry.getByRole('button').count()).toBe(0);
  });

  it('an officer inviting an organisation the city keeps is told so in Japanese, not the server’s English', async () => {
    // The demo seeded by the first test: 京田辺市 地域包括支援センター is the city's.
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, 'officer@demo.tonari.jp', demo.password);
    await officer.getByRole('link', { name: '相談先の名簿' }).click();
    const invite = officer.getByTestId('directory-invite');
    await invite.getByLabel('団体名').fill('京田辺市 地域包括支援センター（デモ）');
    await invite.getByLabel('団体のメールアドレス（ログインID）').fill('houkatsu@example.jp');
    await invite.getByRole('button', { name: '招待コードを作る' }).click();
    const refused = invite.getByRole('alert');
    await refused.getByText('この団体は市が管理しています。', { exact: false }).waitFor();
    expect(await refused.textContent()).not.toMatch(/[A-Za-z]{4,}/);
    expect(await officer.getByTestId('directory-invitation').count()).toBe(0);
  });

  it('a city editor with no city yet is told to ask for one, not just refused', async () => {
    await suite.database.db.insertInto('directory_accounts').values({ role: 'city_editor', name: '旧', login: 'old-city@example.jp', password_hash: await hashPassword('old-city-password') }).execute();
    const page = await (await suite.browser.newContext({ locale: 'ja-JP' })).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${suite.server.baseUrl}/directory/organisation`);
    await page.getByLabel('メールアドレス').fill('old-city@example.jp');
    await page.getByLabel('パスワード', { exact: true }).fill('old-city-password');
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.getByText('この担当者アカウントには市が設定されていません。', { exact: false }).first().waitFor();
  });
});
