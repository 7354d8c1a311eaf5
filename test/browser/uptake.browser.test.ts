import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures.js';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { useBrowserSuite } from '../support/suite.js';

/**
 * Uptake tools in the browser: an officer finds 2班's unregistered homes and prints their
 * invitation letters (one per home, with its QR code; none for the registered ones), and at
 * the help desk registers a resident's phone, which joins on a second device while the
 * officer's screen says so.
 */
const suite = useBrowserSuite();

describe('uptake tools in the browser', { timeout: JOURNEY_TIMEOUT }, () => {
  it("an officer prints 2班's invitation letters: one per unregistered home, each with a QR code", async () => {
    const { db } = suite.database;
    const home = (number: string, name: string) => ({
      association_id: suite.x.association.id, block_id: suite.x.blocks.block2.id, household_number: number, name, address: `京田辺市 ${number}`, channels: ['paper' as const],
    });
    const homes = await db.insertInto('households').values([home('105', '田中家'), home('106', '伊藤家'), home('108', '小林家')]).returning(['id', 'name']).execute();
    await db.insertInto('people').values({ association_id: suite.x.association.id, household_id: homes[1]!.id, name: '伊藤 ヨネ', phone: '0774005555' }).execute();

    const page = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await page.getByRole('link', { name: '未登録の世帯' }).click();
    await page.getByTestId('unregistered-count').waitFor();
    await page.getByLabel('班').selectOption({ label: '2班' });
    await expect.poll(() => page.getByTestId('unregistered-count').textContent()).toContain('5 世帯のうち 3 世帯');
    expect(await page.getByTestId('unregistered-row').allTextContents()).toEqual([
      expect.stringContaining('田中家'), expect.stringContaining('0774005555'), expect.stringContaining('小林家'),
    ]);

    await page.getByTestId('print-letters-link').click();
    await page.getByLabel('お手伝いの日時・連絡先（案内状に印刷されます）').fill('12月14日（土）10時〜 公民館 役員 山田 0774-00-0000');
    await page.getByRole('button', { name: '案内状を作成' }).click();
    await page.getByTestId('letters').waitFor();
    expect(await page.getByTestId('letters-status').textContent()).toContain('3 世帯分');
    const letters = page.getByTestId('invitation-letter');
    expect(await letters.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(await letters.nth(i).locator('svg').count()).toBe(1);
      expect(await letters.nth(i).getByTestId('passcode-code').textContent()).toMatch(/^[A-Z2-9]{8}$/);
      expect(await letters.nth(i).getByTestId('letter-help-desk').textContent()).toContain('公民館');
    }
    const text = await page.getByTestId('letters').textContent();
    expect(text).toContain('田中家 様');
    expect(text).toContain('スマートフォンをお持ちでない方へ');
    // 佐藤家 (102) and 高橋家 (104) have a login: no letter.
    expect(text).not.toContain('佐藤家');
    expect(text).not.toContain('高橋家');
    await page.context().close();
  });

  it("at the help desk, a resident's phone joins and the officer's screen says so", async () => {
    const desk = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await desk.getByRole('link', { name: '登録の受付' }).click();
    await desk.getByLabel('世帯名・住所・世帯番号・お名前').fill('伊藤');
    await desk.getByRole('button', { name: '探す' }).click();
    await desk.getByTestId('help-desk-household').first().waitFor();
    expect(await desk.getByTestId('help-desk-household').count()).toBe(1);
    await desk.getByRole('button', { name: 'この世帯を登録' }).click();
    await desk.getByTestId('help-desk-waiting').waitFor();
    expect(await desk.locator('.qr svg').count()).toBe(1);
    const code = (await desk.getByTestId('passcode-code').textContent())!.trim();
    await desk.waitForTimeout(500); // its live connection is up

    // The resident's phone: a second browser context, as if it had scanned the QR code.
    const phone = await (await suite.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' })).newPage();
    phone.setDefaultTimeout(15_000);
    await phone.goto(`${suite.server.baseUrl}/join?code=${code}`);
    await phone.getByRole('button', { name: '次へ' }).click();
    await phone.getByLabel('伊藤 ヨネ').check();
    await phone.getByLabel('電話番号').fill('0774005555');
    await phone.getByLabel('パスワード', { exact: true }).fill('yone-password');
    await phone.getByLabel('パスワード（確認）').fill('yone-password');
    await phone.getByRole('button', { name: '登録する' }).click();
    await phone.getByTestId('current-user').waitFor();

    // Live, without touching the desk's screen.
    await desk.getByTestId('help-desk-joined').waitFor();
    expect(await desk.getByTestId('help-desk-joined').textContent()).toContain('伊藤 ヨネ');
    await Promise.all([desk.context().close(), phone.context().close()]);
  });

  it('a household member invites family living elsewhere, who join and are listed as such', async () => {
    const home = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberB, PASSWORD);
    await home.getByRole('link', { name: 'わが家' }).click();
    await home.getByRole('button', { name: '招待コードを作る' }).click();
    const joinUrl = (await home.getByTestId('family-invitation-url').textContent())!.trim();

    const son = await (await suite.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' })).newPage();
    son.setDefaultTimeout(15_000);
    await son.goto(joinUrl.replace('http://localhost:3000', suite.server.baseUrl));
    await son.getByRole('button', { name: '次へ' }).click();
    await son.getByLabel('一覧にいない').check();
    await son.getByLabel('お名前').fill('佐藤 一郎');
    await son.getByLabel('離れて暮らす家族です（この世帯に代わって答えます）').check();
    await son.getByLabel('メールアドレス').fill('ichiro-uptake@example.jp');
    await son.getByLabel('パスワード', { exact: true }).fill('ichiro-password');
    await son.getByLabel('パスワード（確認）').fill('ichiro-password');
    await son.getByRole('button', { name: '登録する' }).click();
    await son.getByTestId('current-user').waitFor();

    // The household's page shows him among its members, as family living elsewhere (live).
    const row = home.getByTestId('member-row').filter({ hasText: '佐藤 一郎' });
    await row.getByTestId('lives-elsewhere').waitFor();
    expect(await row.textContent()).toContain('離れて暮らす家族');
    await Promise.all([home.context().close(), son.context().close()]);
  });
});
