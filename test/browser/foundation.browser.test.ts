import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectDevice } from '../support/server.js';
import { topics } from '../../devices/src/protocol.js';
import { ApiClient } from '../support/http-client.js';
import { PASSWORD } from '../support/fixtures.js';
import { useBrowserSuite } from '../support/suite.js';
import { JOURNEY_TIMEOUT } from '../support/browser.js';

const suite = useBrowserSuite();

async function newPage(viewport = { width: 1200, height: 900 }) {
  const context = await suite.browser.newContext({ viewport, locale: 'ja-JP' });
  const page = await context.newPage();
  // Fail with the locator that was not found, well inside the test's own timeout.
  page.setDefaultTimeout(10_000);
  return page;
}

async function logIn(page: Awaited<ReturnType<typeof newPage>>, identifier: string, password = PASSWORD) {
  await page.goto(`${suite.server.baseUrl}/login`);
  await page.getByLabel('メールアドレスまたは電話番号').fill(identifier);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

describe('in the browser', { timeout: JOURNEY_TIMEOUT }, () => {
  it('the login page, opened by nobody, logs no console error (who-am-I answers null, not a 401)', async () => {
    const page = await newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    const asked = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/session');
    await page.goto(`${suite.server.baseUrl}/login`);
    expect((await asked).status()).toBe(200);
    await page.getByRole('button', { name: 'ログイン' }).waitFor();
    // A visitor sent to / lands on the same page, still without an error.
    await page.goto(`${suite.server.baseUrl}/`);
    await page.waitForURL(/\/login/);
    await page.getByRole('button', { name: 'ログイン' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
  });

  it('an officer logs in, sees the officer menu, switches to English and logs out', async () => {
    const page = await newPage();
    await logIn(page, suite.x.logins.officer, 'wrong password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('正しくありません');
    await page.getByLabel('パスワード').fill(PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain('役員 一郎');
    // The header's 「パスワード変更」 can be read: its text colour is not the colour behind it.
    const password = page.getByRole('banner').getByRole('link', { name: 'パスワード変更' });
    const { text, behind } = await password.evaluate((el) => {
      let node: Element | null = el;
      let behind = 'rgba(0, 0, 0, 0)';
      while (node && (behind === 'rgba(0, 0, 0, 0)' || behind === 'transparent')) {
        behind = getComputedStyle(node).backgroundColor;
        node = node.parentElement;
      }
      return { text: getComputedStyle(el).color, behind };
    });
    expect(text).not.toBe(behind);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: /log out/i }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // The choice is saved with the person: it comes back at the next login, on any device.
    await page.getByRole('button', { name: /log out/i }).click();
    await page.getByRole('button', { name: /log in/i }).waitFor();
    await page.getByLabel('Email address or phone number').fill(suite.x.logins.officer);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.getByRole('button', { name: /log out/i }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.getByRole('button', { name: 'ログイン' }).waitFor();
    await page.context().close();
  });

  it("on an officer's phone the menu folds behind one button: the page starts with its content; the button works from the keyboard", async () => {
    const page = await newPage({ width: 390, height: 844 });
    await logIn(page, suite.x.logins.officer);
    await page.getByTestId('current-user').waitFor();
    // The header and the folded menu leave most of the screen to the page (it was 621 px of 844).
    const headingTop = await page.locator('main h1').first().evaluate((el) => el.getBoundingClientRect().top);
    expect(headingTop).toBeLessThan(400);
    const toggle = page.getByRole('button', { name: 'メニュー' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link').count()).toBe(0);

    // Keyboard: focus the button, Enter opens it, Escape folds it and leaves the focus on it.
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const links = page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link');
    expect(await links.count()).toBeGreaterThan(15);
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.evaluate((el) => document.activeElement === el)).toBe(true);

    // A link taken folds the menu again on the next page.
    await toggle.click();
    await links.filter({ hasText: '名簿' }).first().click();
    await page.waitForURL(/\/roster$/);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await page.context().close();
  });

  it('a password change on one device sends the other device, on its own, to the login page', async () => {
    const laptop = await newPage();
    await logIn(laptop, suite.x.logins.captain1);
    await laptop.getByTestId('current-user').waitFor();
    const phone = await newPage();
    await logIn(phone, suite.x.logins.captain1);
    await phone.getByTestId('current-user').waitFor();
    await phone.waitForTimeout(1000); // its live connection is up

    await laptop.getByRole('link', { name: 'パスワード変更' }).click();
    await laptop.getByLabel('いまのパスワード').fill(PASSWORD);
    await laptop.getByLabel('新しいパスワード', { exact: true }).fill('captain-new-password');
    await laptop.getByLabel('新しいパスワード（確認）').fill('captain-new-password');
    await laptop.getByRole('button', { name: '変更する' }).click();
    await laptop.getByTestId('password-done').waitFor();
    expect(await laptop.getByTestId('current-user').textContent()).toContain('班長');

    // Nobody touches the phone: it leaves the session it no longer has.
    await phone.getByRole('button', { name: 'ログイン' }).waitFor();
    expect(new URL(phone.url()).pathname).toBe('/login');
    await logIn(phone, suite.x.logins.captain1, 'captain-new-password');
    await phone.getByTestId('current-user').waitFor();
    await Promise.all([laptop.context().close(), phone.context().close()]);
  });

  it('a household joins with the passcode from its QR sheet on a phone-sized screen', async () => {
    const officer = new ApiClient(suite.server.baseUrl);
    await officer.login(suite.x.logins.officer, PASSWORD);
    const sheet = await officer.post('/api/passcodes', { householdIds: [suite.x.households.B.id] });
    const { joinUrl, code } = sheet.body.items[0];
    await suite.database.db.insertInto('people').values({ association_id: suite.x.association.id, household_id: suite.x.households.B.id, name: '佐藤 ハナ' }).execute();

    const page = await newPage({ width: 390, height: 844 });
    // The QR code carries the public URL; the test server stands in for it.
    await page.goto(joinUrl.replace('http://localhost:3000', suite.server.baseUrl));
    expect(await page.getByLabel('参加コード').inputValue()).toBe(code);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByTestId('join-household').waitFor();
    expect(await page.getByTestId('join-household').textContent()).toContain('佐藤家');
    expect(await page.getByLabel('佐藤 太郎').isDisabled()).toBe(true); // already has a login
    await page.getByLabel('佐藤 ハナ').check();
    await page.getByLabel('電話番号').fill('080-9999-0000');
    await page.getByLabel('パスワード', { exact: true }).fill('sato-password');
    await page.getByLabel('パスワード（確認）').fill('sato-password');
    await page.getByRole('button', { name: '登録する' }).click();
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain('佐藤 ハナ');
    await expect.poll(() => page.locator('main').textContent()).toContain('佐藤家');
    await page.context().close();

    // The code is spent, and the new login works from another device.
    expect((await new ApiClient(suite.server.baseUrl).post('/api/join/lookup', { code })).status).toBe(400);
    await new ApiClient(suite.server.baseUrl).login('08099990000', 'sato-password');
  });

  it('an officer imports a roster: sees the error by line, fixes the file, and imports it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tonari-csv-'));
    const header = '班,世帯番号,世帯名,住所,連絡手段,対応メモ,氏名,ふりがな,電話,メール,言語,役割';
    const broken = path.join(dir, 'broken.csv');
    const fixed = path.join(dir, 'fixed.csv');
    await writeFile(broken, `\ufeff${header}\r\n7班,701,松本家,京田辺市7-1,アプリ,,松本 清,,090-7777-0000,,,\r\n7班,702,井上家,京田辺市7-2,伝書鳩,,井上 和子,,,,,\r\n`);
    await writeFile(fixed, `\ufeff${header}\r\n7班,701,松本家,京田辺市7-1,アプリ,,松本 清,,090-7777-0000,,,\r\n7班,702,井上家,京田辺市7-2,紙,,井上 和子,,,,,\r\n`);

    const page = await newPage();
    await logIn(page, suite.x.logins.officer);
    await page.getByTestId('current-user').waitFor();
    await page.goto(`${suite.server.baseUrl}/roster/import`);
    await page.getByLabel('CSVファイル').setInputFiles(broken);
    await page.getByRole('button', { name: '確認' }).click();
    await page.getByTestId('import-error').first().waitFor();
    const errors = await page.getByTestId('import-error').allTextContents();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('3');
    expect(errors[0]).toContain('連絡手段');
    expect(await page.getByRole('button', { name: '取り込む' }).isDisabled()).toBe(true);

    await page.getByLabel('CSVファイル').setInputFiles(fixed);
    await page.getByRole('button', { name: '確認' }).click();
    await expect.poll(() => page.getByTestId('import-error').count()).toBe(0);
    await page.getByRole('button', { name: '取り込む' }).click();
    await page.getByTestId('import-success').waitFor();

    await page.goto(`${suite.server.baseUrl}/roster`);
    await page.getByLabel('検索').fill('井上');
    await page.getByRole('button', { name: '検索する' }).click();
    await expect.poll(() => page.getByTestId('household-row').allTextContents()).toEqual([expect.stringContaining('井上家')]);
    await page.context().close();
  });

  it('an officer asks for a Shift_JIS roster with a name it cannot hold: told which cell, offered UTF-8, no file of "?"', async () => {
    const officer = new ApiClient(suite.server.baseUrl);
    await officer.login(suite.x.logins.officer, PASSWORD);
    const header = '班,世帯番号,世帯名,住所,連絡手段,対応メモ,氏名,ふりがな,電話,メール,言語,役割';
    const added = await officer.request('POST', '/api/roster/import?mode=commit', Buffer.from(`${header}\r\n8班,801,吉野家,京田辺市8-1,紙,,𠮷野 花子,,,,,\r\n`));
    expect(added.body.committed).toBe(true);

    const page = await newPage();
    await logIn(page, suite.x.logins.officer);
    await page.getByTestId('current-user').waitFor();
    await page.goto(`${suite.server.baseUrl}/roster`);
    await page.getByTestId('export-sjis').click();
    const refused = page.getByTestId('export-sjis-refused');
    await refused.waitFor();
    const text = await refused.textContent();
    expect(text).toContain('Shift_JIS では書けない文字');
    expect(text).toContain('氏名');
    expect(text).toContain('𠮷');
    expect(await refused.getByRole('link', { name: 'かわりに UTF-8 でダウンロード' }).getAttribute('href')).toBe('/api/roster/export?encoding=utf-8');
    await page.context().close();
  });

  it('an officer registers a speaker, sees its password once, and watches it come online live', async () => {
    const page = await newPage();
    await logIn(page, suite.x.logins.officer);
    await page.getByTestId('current-user').waitFor();
    await page.goto(`${suite.server.baseUrl}/devices`);
    await page.getByLabel('端末の名前').fill('テスト用スピーカー');
    await page.getByLabel('世帯', { exact: true }).selectOption({ label: '1班 103 鈴木家' });
    await page.getByRole('button', { name: '端末を登録する' }).click();
    const box = page.getByTestId('device-credentials');
    await box.waitFor();
    const [username, password, , topicPrefix] = await box.locator('code').allTextContents();
    expect(topicPrefix).toBe(`tonari/${suite.x.association.id}/${username}`);
    const row = page.getByTestId('device-row').filter({ hasText: 'テスト用スピーカー' });
    expect(await row.getAttribute('data-online')).toBe('false');

    const speaker = await connectDevice(suite.server.deviceMqttUrl, { username: username!, password: password! });
    await speaker.publishAsync(
      topics.uplink(suite.x.association.id, username!, 'heartbeat'),
      JSON.stringify({ bootId: 'b', seq: 1, ts: new Date().toISOString(), uptimeSeconds: 1, power: 'battery', battery: 55, signal: -40, firmware: '1' }),
      { qos: 1 },
    );
    await expect.poll(() => row.getAttribute('data-online'), { timeout: 10_000 }).toBe('true');
    await speaker.endAsync();
    await page.context().close();
  });
});
