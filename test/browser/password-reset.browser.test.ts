import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { useBrowserSuite } from '../support/suite.js';

/**
 * 山田 花子 (member of 山田家) has forgotten her password. The officer opens her household in
 * the roster, issues a password reset code and gets the slip; on her own phone (a fresh
 * browser) she opens the slip's address, sets a new password and is in; her old session on
 * another device has ended, and the new password logs in.
 */
const suite = useBrowserSuite();
const phone = { width: 390, height: 844 };

describe('a forgotten password', { timeout: JOURNEY_TIMEOUT }, () => {
  it('an officer issues a reset code; the resident sets a new password with it and logs in', async () => {
    const { x, server } = suite;
    const oldDevice = await loggedInPage(suite.browser, server.baseUrl, x.logins.memberA, PASSWORD, phone);

    const officer = await loggedInPage(suite.browser, server.baseUrl, x.logins.officer, PASSWORD);
    await officer.goto(`${server.baseUrl}/households/${x.households.A.id}`);
    await officer.getByRole('button', { name: '山田 花子 さんのパスワード再設定コードを発行' }).click();
    const confirm = officer.getByTestId('reset-code-confirm');
    await confirm.getByText('前に発行した未使用のコードは使えなくなります').waitFor();
    // The officer re-enters their own password: a wrong one is refused and issues nothing.
    await confirm.getByLabel('あなた自身のパスワード').fill('not-my-password');
    await confirm.getByRole('button', { name: '発行する' }).click();
    await confirm.getByText('あなた自身のパスワードが正しくありません。').waitFor();
    await confirm.getByLabel('あなた自身のパスワード').fill(PASSWORD);
    await confirm.getByRole('button', { name: '発行する' }).click();
    const slip = officer.getByTestId('reset-code-slip');
    await slip.waitFor();
    expect(await slip.textContent()).toContain('山田 花子 様');
    expect(await slip.locator('svg').count()).toBe(1);
    const code = (await slip.getByTestId('passcode-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(await slip.getByTestId('reset-code-url').textContent()).toBe(`http://localhost:3000/reset?code=${code}`);

    // Her own phone: a fresh browser with no session, opening the slip's address.
    const resident = await (await suite.browser.newContext({ viewport: phone, locale: 'ja-JP' })).newPage();
    await resident.goto(`${server.baseUrl}/reset?code=${code}`);
    const form = resident.getByTestId('reset-form');
    expect(await form.getByLabel('パスワード再設定コード').inputValue()).toBe(code);
    // Read into the form, the code leaves the address bar (and the browser's history).
    await resident.waitForURL((url) => url.pathname === '/reset' && url.search === '', { timeout: 5_000 });
    await form.getByLabel('新しいパスワード', { exact: true }).fill('hanako-new-2026');
    await form.getByLabel('新しいパスワード（確認）').fill('hanako-new-2026');
    await form.getByRole('button', { name: 'パスワードを設定する' }).click();
    await resident.getByTestId('current-user').waitFor();
    expect(await resident.getByTestId('current-user').textContent()).toContain('山田 花子');

    // The session she had on her old device has ended: it is sent to the login page by
    // itself (session:ended over its socket), without anyone reloading it.
    await oldDevice.waitForURL(/\/login/);

    // The new password logs in; the login page leads to /reset for the next time.
    const again = await loggedInPage(suite.browser, server.baseUrl, x.logins.memberA, 'hanako-new-2026', phone);
    expect(await again.getByTestId('current-user').textContent()).toContain('山田 花子');
    const guest = await (await suite.browser.newContext({ locale: 'ja-JP' })).newPage();
    await guest.goto(`${server.baseUrl}/login`);
    await guest.getByTestId('forgot-password').getByRole('link', { name: '再設定コードをお持ちの方はこちら' }).click();
    await guest.getByTestId('reset-form').waitFor();
  });
});
