import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';

const suite = useBrowserSuite();

const loggedIn = (identifier: string, viewport?: { width: number; height: number }) => loggedInPage(suite.browser, suite.server.baseUrl, identifier, PASSWORD, viewport);

describe('a circular in two browsers', { timeout: JOURNEY_TIMEOUT }, () => {
  it('an officer posts; the household sees it arrive live and reads it; the progress page follows live; a script in the body never runs', async () => {
    const household = await loggedIn(suite.x.logins.memberA, { width: 390, height: 844 });
    await household.getByTestId('household-circulars').waitFor();
    expect(await household.getByTestId('circular-card').count()).toBe(0);

    const officer = await loggedIn(suite.x.logins.officer);
    await officer.goto(`${suite.server.baseUrl}/circulars/new`);
    await officer.getByLabel('タイトル').fill('防災倉庫の点検のお知らせ');
    await officer.getByLabel('本文').fill('**12月7日** に点検します。\n\n<img src="x" onerror="window.__pwned = 1">\n\n<script>window.__pwned = 2</script>\n\n[詳細](javascript:window.__pwned=3)');
    await officer.getByRole('button', { name: '公開する' }).click();
    await officer.waitForURL(/\/circulars\/[0-9a-f-]{36}$/);
    const circularId = officer.url().split('/').pop()!;

    // It appears on the household's page without a reload, unread.
    const card = household.getByTestId('circular-card').filter({ hasText: '防災倉庫の点検のお知らせ' });
    await card.waitFor();
    expect(await card.getAttribute('data-unread')).toBe('true');
    await household.getByTestId('toast').waitFor();

    await officer.goto(`${suite.server.baseUrl}/circulars/${circularId}/progress`);
    await expect.poll(() => officer.getByTestId('progress-total').textContent()).toContain('0 / 4');

    await card.click();
    await household.getByTestId('acknowledge').click();
    await expect.poll(() => household.getByTestId('acknowledge').getAttribute('data-acknowledged')).toBe('true');
    expect(await household.locator('.circular-body strong').textContent()).toBe('12月7日');
    expect(await household.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await household.locator('.circular-body img, .circular-body script, .circular-body a[href^="javascript"]').count()).toBe(0);

    // The officer's page moved on its own.
    await expect.poll(() => officer.getByTestId('progress-total').textContent(), { timeout: 10_000 }).toContain('1 / 4');
    expect(await officer.getByTestId('progress-rate').textContent()).toContain('25');
    expect(await officer.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('a 班長 sees who has not read it on a phone and records a paper sign-off', async () => {
    const [circular] = await suite.database.db.selectFrom('circulars').select('id').execute();
    const captain = await loggedIn(suite.x.logins.captain1, { width: 390, height: 844 });
    await captain.goto(`${suite.server.baseUrl}/circulars/${circular!.id}/unread?blockId=${suite.x.blocks.block1.id}`);
    await captain.getByTestId('unread-row').first().waitFor();
    // Household A read it in the first test; C (paper) has not.
    expect(await captain.getByTestId('unread-row').allTextContents()).toEqual([expect.stringContaining('鈴木家')]);
    await captain.getByRole('button', { name: '紙の回覧でサインを記録' }).click();
    await captain.getByTestId('unread-row').getByRole('checkbox').check();
    await captain.getByRole('button', { name: /記録する/ }).click();
    await expect.poll(() => captain.getByTestId('unread-row').count()).toBe(0);
    const row = await suite.database.db.selectFrom('circular_recipients').select(['acknowledged_channel']).where('circular_id', '=', circular!.id).where('household_id', '=', suite.x.households.C.id).executeTakeFirstOrThrow();
    expect(row.acknowledged_channel).toBe('paper');
  });
});

describe('a circular that asks a question', { timeout: JOURNEY_TIMEOUT }, () => {
  it("the officer's page shows the question asked; the household's home card says 質問あり until it has answered", async () => {
    const officerApi = await loggedInClient(suite.server, suite.x.logins.officer);
    const made = await officerApi.post('/api/circulars', { title: '餅つき大会のお知らせ', bodyMarkdown: '12月28日に集会所で。', question: { type: 'attendance', prompt: '餅つき大会に参加されますか？', maxHeadcount: 6 } });
    expect(made.status).toBe(201);
    expect((await officerApi.post(`/api/circulars/${made.body.id}/publish`)).status).toBe(200);

    const officer = await loggedIn(suite.x.logins.officer);
    await officer.goto(`${suite.server.baseUrl}/circulars/${made.body.id}`);
    const asked = officer.getByTestId('question-asked');
    await asked.waitFor();
    expect(await asked.textContent()).toContain('餅つき大会に参加されますか？');
    expect(await asked.textContent()).toContain('6 人まで');

    const household = await loggedIn(suite.x.logins.memberB, { width: 390, height: 844 });
    const card = household.getByTestId('circular-card').filter({ hasText: '餅つき大会のお知らせ' });
    await card.waitFor();
    expect(await card.getByTestId('circular-question-state').textContent()).toBe('質問あり');
    await card.click();
    await household.getByRole('button', { name: '出席', exact: true }).click();
    await household.locator('.answer-form .answer-submit').click();
    await household.getByTestId('answer-saved').waitFor();
    await household.getByRole('link', { name: '← ホームに戻る' }).click();
    await expect.poll(() => card.getByTestId('circular-question-state').textContent()).toBe('質問に回答済み');
  });
});
