import { describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http-client.js';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { until } from '../support/wait.js';
import { makeDue } from '../support/jobs.js';
import { useBrowserSuite } from '../support/suite.js';
import { demo, seedDemo } from '../../server/src/demo/seed.js';

const suite = useBrowserSuite();
const PHONE = { width: 390, height: 844 };

/** The /tasks page a 班長 opened before this change, measured the same way (demo, two overdue circulars). */
const OLD_TASKS_PAGE_PX = 32_852;

describe("the captain's phone list", { timeout: JOURNEY_TIMEOUT }, () => {
  it('after two overdue circulars: one card per household, a page a fraction of the old one; a bulk paper sign-off empties the chips', async () => {
    await seedDemo(suite.database.db);
    const officer = new ApiClient(suite.server.baseUrl);
    await officer.login('officer@demo.tonari.jp', demo.password);
    const circulars: string[] = [];
    for (const title of ['赤い羽根共同募金のお願い', '秋の一斉清掃のお知らせ']) {
      const draft = await officer.post('/api/circulars', { title, bodyMarkdown: '班長が紙で回します。', dueAt: new Date(Date.now() + 5_000).toISOString() });
      expect(draft.status).toBe(201);
      expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);
      circulars.push(draft.body.id);
    }
    const captainApi = new ApiClient(suite.server.baseUrl);
    await captainApi.login('captain1@demo.tonari.jp', demo.password);
    // The overdue job makes one task per unread household of 1班 (25 homes) per circular.
    const tasks = await until(() => captainApi.get('/api/tasks'), (r) => r.body.items.length >= 50, 30_000);
    expect(tasks.body.items).toHaveLength(50);

    const captain = await loggedInPage(suite.browser, suite.server.baseUrl, 'captain1@demo.tonari.jp', demo.password, PHONE);
    // The 班長's home links to their 班's 未登録の世帯 list.
    await captain.getByTestId('captain-unregistered').click();
    await captain.getByRole('heading', { name: '未登録の世帯' }).waitFor();
    expect(new URL(captain.url()).searchParams.get('blockId')).toBeTruthy();
    await captain.goto(`${suite.server.baseUrl}/tasks`);
    await captain.getByTestId('captain-card').first().waitFor();
    // One card per household of 1班, each carrying both circulars as chips.
    const cards = captain.getByTestId('captain-card');
    expect(await cards.count()).toBe(25);
    const households = await cards.evaluateAll((els) => els.map((el) => el.getAttribute('data-household-id')));
    expect(new Set(households).size).toBe(25);
    for (const id of circulars) expect(await captain.locator(`[data-testid="pending-circular"][data-circular-id="${id}"]`).count()).toBe(25);
    // Every card can call the home with one tap.
    expect(await captain.locator('[data-testid="captain-card"] a[href^="tel:"]').count()).toBe(25);

    const height = await captain.evaluate(() => document.documentElement.scrollHeight);
    console.log(`captain /tasks page height on a 390×844 phone: ${height} px (${await cards.count()} cards); before: ${OLD_TASKS_PAGE_PX} px (50 cards)`);
    expect(height).toBeLessThan(OLD_TASKS_PAGE_PX / 3);
    if (process.env.CAPTAIN_SHOT) await captain.screenshot({ path: process.env.CAPTAIN_SHOT, fullPage: true, clip: { x: 0, y: 800, width: 390, height: 1100 } });

    // The printed 赤い羽根 circular went round: tick "all on this list" and record it in one go.
    const bulk = captain.getByTestId('bulk-signoff').filter({ hasText: '赤い羽根共同募金のお願い' });
    await bulk.locator('summary').click();
    await bulk.getByLabel('この一覧のすべて').check();
    await bulk.getByRole('button', { name: '25軒を紙で既読にする' }).click();
    await expect.poll(() => captain.locator(`[data-testid="pending-circular"][data-circular-id="${circulars[0]}"]`).count(), { timeout: 10_000 }).toBe(0);
    expect(await captain.locator(`[data-testid="pending-circular"][data-circular-id="${circulars[1]}"]`).count()).toBe(25);
    expect(await cards.count()).toBe(25);
    const paper = await suite.database.db
      .selectFrom('circular_recipients')
      .select('household_id')
      .where('circular_id', '=', circulars[0]!)
      .where('acknowledged_channel', '=', 'paper')
      .execute();
    expect(paper).toHaveLength(25);

    // A card's own action: the first home was handed the other circular too; its card goes.
    const first = cards.first();
    const firstId = await first.getAttribute('data-household-id');
    await first.getByRole('button', { name: '紙の回覧を渡した' }).click();
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(24);
    expect(await captain.locator(`[data-household-id="${firstId}"]`).count()).toBe(0);

    // An officer reaches the same list from the menu and picks a 班.
    const officerPage = await loggedInPage(suite.browser, suite.server.baseUrl, 'officer@demo.tonari.jp', demo.password);
    await officerPage.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '班のフォロー（訪問・未読）' }).click();
    await officerPage.getByLabel('班', { exact: true }).selectOption({ label: '1班' });
    await expect.poll(() => officerPage.getByTestId('captain-card').count(), { timeout: 10_000 }).toBe(24);
  });

  it('「訪問を記録する」 on a card opens the drill\'s visit list at that household, and its back link returns to /tasks', async () => {
    // The demo seeded above: a drill whose deadline passes with 1班's homes silent.
    const officer = new ApiClient(suite.server.baseUrl);
    await officer.login('officer@demo.tonari.jp', demo.password);
    const started = await officer.post('/api/drills', { kind: 'drill', title: '冬の安否確認訓練', deadlineAt: new Date(Date.now() + 600_000).toISOString() });
    expect(started.status).toBe(201);
    const drillId = started.body.id as string;
    const captainApi = new ApiClient(suite.server.baseUrl);
    await captainApi.login('captain1@demo.tonari.jp', demo.password);
    // The 班長 answers for their own home (else its prompt covers the page).
    expect((await captainApi.post(`/api/drills/${drillId}/answer`, { status: 'safe', where: 'home' })).status).toBe(200);
    expect(await makeDue(suite.database.db, 'drill-deadline', { drillId })).toBe(1);
    // The household last on the drill's visit list: far below the top of that page.
    const visits = await until(() => captainApi.get(`/api/drills/${drillId}/tasks`), (r) => r.body.items.length >= 20, 30_000);
    const last = visits.body.items.at(-1).householdId as string;

    const captain = await loggedInPage(suite.browser, suite.server.baseUrl, 'captain1@demo.tonari.jp', demo.password, PHONE);
    await captain.goto(`${suite.server.baseUrl}/tasks`);
    const card = captain.locator(`[data-testid="captain-card"][data-household-id="${last}"]`);
    await card.getByRole('link', { name: '訪問を記録する' }).waitFor({ timeout: 20_000 });
    await card.getByRole('link', { name: '訪問を記録する' }).click();

    // That household's card is on screen (the page scrolled down to it) and marked.
    const row = captain.locator(`[data-testid="drill-task-row"][data-household-id="${last}"]`);
    await row.waitFor();
    await expect.poll(() => captain.evaluate(() => window.scrollY)).toBeGreaterThan(500);
    const box = (await row.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(PHONE.height / 2);
    expect(await row.getAttribute('aria-current')).toBe('true');
    expect(await row.evaluate((el) => document.activeElement === el)).toBe(true);
    expect(await captain.locator('[data-testid="drill-task-row"][aria-current]').count()).toBe(1);

    // Back goes to where the 班長 came from.
    await captain.getByRole('link', { name: '← やることの一覧に戻る' }).click();
    await captain.getByTestId('captain-card').first().waitFor();
    expect(new URL(captain.url()).pathname).toBe('/tasks');
  });
});
