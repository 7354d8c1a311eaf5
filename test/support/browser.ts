import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * A browser test is a person's journey (or several people's): ~10–25 s on a quiet machine, and
 * up to twice that while CI runs two files at once on two cores. Each browser file's describe
 * takes this instead of the suite's 30 s, so a slow machine is not a failure; a hung step still is.
 */
export const JOURNEY_TIMEOUT = 90_000;

/**
 * Debian's Chromium driven by playwright-core; never a downloaded browser. The flags keep a
 * headless Chromium from reaching out to the network, which this machine does not have.
 */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  return {
    browser,
    // Playwright gives each launch a fresh, empty profile of its own and removes it on close.
    close: () => browser.close(),
  };
}

/**
 * A new browser context (its own cookies), logged in through the login page as a person
 * would. Confirm dialogs are accepted, as the person meant to press the button.
 */
export async function loggedInPage(
  browser: Browser,
  baseUrl: string,
  identifier: string,
  password: string,
  viewport = { width: 1200, height: 900 },
): Promise<Page> {
  const page = await (await browser.newContext({ viewport, locale: 'ja-JP' })).newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('メールアドレスまたは電話番号').fill(identifier);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByTestId('current-user').waitFor();
  return page;
}
