import { chromium, type Browser } from 'playwright-core';

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
