import { beforeAll, describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { ApiClient } from '../support/http-client.js';
import { useBrowserSuite } from '../support/suite.js';

/**
 * Readiness in the browser: 2班's 班長 (who lives in 高橋家, a paper-only home) loses their
 * login, so 2班 has no 班長 who can be reached and nobody reaches 高橋家. The officer sees it
 * named on the readiness page and is warned before starting a drill, which still starts.
 */
const suite = useBrowserSuite();
const loggedIn = (identifier: string) => loggedInPage(suite.browser, suite.server.baseUrl, identifier, PASSWORD);

beforeAll(async () => {
  await suite.database.db.updateTable('people').set({ password_hash: null }).where('id', '=', suite.x.people.captain2.id).execute();
});

describe('readiness', { timeout: JOURNEY_TIMEOUT }, () => {
  it('the officer opens the readiness view from the menu and sees the gaps named, with the home behind them', async () => {
    const officer = await loggedIn(suite.x.logins.officer);
    await officer.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '連絡の届き方' }).click();
    await officer.waitForURL(/\/readiness$/);
    const gaps = officer.getByTestId('readiness-gaps');
    await expect.poll(() => gaps.textContent()).toContain('2班: 班長にログインがありません — 訪問は見守りボランティア・民生委員に回ります');
    expect(await gaps.textContent()).toContain('2班: どの方法でも連絡が届かない世帯が 1 世帯あります');
    expect(await gaps.textContent()).not.toContain('1班');
    await gaps.getByText('世帯を見る（1世帯）').click();
    const home = gaps.getByTestId('reach-household');
    expect(await home.getAttribute('data-number')).toBe('104');
    expect(await home.textContent()).toContain('京田辺市 104');
    // The table per 班: 1班 has both homes registered; 2班 one of two.
    expect(await officer.locator('[data-testid="readiness-block"][data-block="1班"] [data-testid="registered"]').textContent()).toContain('2 / 2');
    expect(await officer.locator('[data-testid="readiness-block"][data-block="2班"] [data-testid="registered"]').textContent()).toContain('1 / 2');
    expect(await officer.getByTestId('registration-table').textContent()).toContain('2班');
    // The home's name leads to its roster page.
    await home.getByRole('link', { name: '高橋家' }).click();
    await officer.waitForURL(new RegExp(`/households/${suite.x.households.D.id}$`));
    await officer.close();
  });

  it('starting a drill warns about the homes nobody can reach in the scope, and still starts', async () => {
    const officer = await loggedIn(suite.x.logins.officer);
    await officer.goto(`${suite.server.baseUrl}/drills/new`);
    const warnings = officer.getByTestId('reach-warnings');
    await expect.poll(() => warnings.textContent()).toContain('どの方法でも連絡が届かない世帯: 1 世帯（4 世帯中）');
    expect(await warnings.textContent()).toContain('2班: 班長にログインがありません');
    // Only 1班 chosen: everyone there can be reached.
    await officer.locator('#d-target-blocks').check();
    await officer.getByRole('checkbox', { name: /^1班/ }).check();
    await expect.poll(() => warnings.getAttribute('data-gaps')).toBe('0');
    // The whole association again: the warning is back, and the drill starts anyway.
    await officer.locator('#d-target-all').check();
    await expect.poll(() => warnings.textContent()).toContain('2班: 班長にログインがありません');
    await officer.getByLabel('タイトル').fill('届かない世帯がある訓練');
    await officer.getByRole('button', { name: '開始する' }).click();
    await officer.waitForURL(/\/drills\/[0-9a-f-]{36}$/);
    await officer.close();
  });

  it("a draft's page warns about its target 班 before it is published", async () => {
    const api = new ApiClient(suite.server.baseUrl);
    await api.login(suite.x.logins.officer, PASSWORD);
    const draft = await api.post('/api/circulars', { title: '2班だけの回覧', bodyMarkdown: '本文', targetBlockIds: [suite.x.blocks.block2.id] });
    expect(draft.status).toBe(201);
    const officer = await loggedIn(suite.x.logins.officer);
    await officer.goto(`${suite.server.baseUrl}/circulars/${draft.body.id}`);
    const warnings = officer.getByTestId('reach-warnings');
    await expect.poll(() => warnings.textContent()).toContain('どの方法でも連絡が届かない世帯: 1 世帯（2 世帯中）');
    expect(await warnings.textContent()).toContain('2班: 班長にログインがありません');
    expect(await warnings.textContent()).not.toContain('1班');
    await officer.close();
  });
});
