import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/http-client.js';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { makeDue } from '../support/jobs.js';
import { liveAlert, watchedHome } from '../support/factories/watch.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';

/**
 * Issue 14's done-when for referrals, in Chromium: a 班長 on a phone records a drill visit
 * "要支援", ticks 介護 and 孤独・孤立, picks a local service, is stopped without the household's
 * consent, then records the referral; the same from a watch alert resolved "支援が必要"; the
 * officer's counts show them per worry and 班, without a name.
 */
const suite = useBrowserSuite();
let officerApi: ApiClient;
const phone = { width: 390, height: 844 };
const loggedIn = (identifier: string, viewport?: { width: number; height: number }) => loggedInPage(suite.browser, suite.server.baseUrl, identifier, PASSWORD, viewport);

beforeAll(async () => {
  officerApi = await loggedInClient(suite.server, suite.x.logins.officer);
  const added = await officerApi.post('/api/directory/services', {
    organisation: '田辺東地域包括支援センター', name: '介護と孤立の相談窓口', worries: ['care', 'loneliness'], phone: '0774-64-0000', hours: '平日 9時〜17時', status: 'published',
  });
  expect(added.status).toBe(201);
});

describe('a captain refers a household that needs help', { timeout: JOURNEY_TIMEOUT }, () => {
  it('from a drill visit: worries, a local service, the consent tick, recorded; then from a watch alert', async () => {
    const started = await officerApi.post('/api/drills', { kind: 'drill', title: '冬の安否確認訓練', deadlineAt: new Date(Date.now() + 600_000).toISOString() });
    expect(started.status).toBe(201);
    const drillId = started.body.id as string;
    // The 班長 lives in 鈴木家 and has answered for their own home (else its prompt covers the page).
    const captainApi = await loggedInClient(suite.server, suite.x.logins.captain1);
    expect((await captainApi.post(`/api/drills/${drillId}/answer`, { status: 'safe', where: 'home' })).status).toBe(200);
    expect(await makeDue(suite.database.db, 'drill-deadline', { drillId })).toBe(1);

    const captain = await loggedIn(suite.x.logins.captain1, phone);
    await captain.goto(`${suite.server.baseUrl}/drills/${drillId}/tasks`);
    const row = captain.getByTestId('drill-task-row').filter({ hasText: '山田家' });
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: '訪問結果' }).click();
    await row.getByLabel('要支援', { exact: true }).check();
    await row.getByRole('button', { name: '記録する' }).click();

    await row.getByTestId('referral-open').click();
    await row.locator('[data-worry="care"]').click();
    await row.locator('[data-worry="loneliness"]').click();
    await row.getByTestId('referral-search').click();
    await row.getByLabel(/介護と孤立の相談窓口/).check();
    // Without the household's consent nothing is recorded.
    await row.getByTestId('referral-record').click();
    await expect.poll(() => row.getByRole('alert').textContent()).toContain('世帯の同意');
    expect(await suite.database.db.selectFrom('referrals').select('id').execute()).toHaveLength(0);

    await row.getByLabel('世帯の同意を得た').check();
    await row.getByTestId('referral-record').click();
    await row.getByTestId('referral-recorded').waitFor();
    await expect.poll(() => row.getByTestId('referral-list').textContent()).toContain('介護・孤独・孤立');
    const [made] = await suite.database.db.selectFrom('referrals').selectAll().execute();
    expect(made).toMatchObject({ source: 'drill_visit', drill_id: drillId, household_id: suite.x.households.A.id, worries: ['care', 'loneliness'], consent: true });

    // A watch alert of 山田家, resolved as needing help, on the alert's own page.
    await watchedHome(suite.database.db, suite.x.households.A, suite.x.association.id);
    const alertId = await liveAlert(suite.database.db, suite.x.households.A, suite.x.association.id, 'silent', 'family_captain');
    await captain.goto(`${suite.server.baseUrl}/watch/alerts/${alertId}`);
    const card = captain.getByTestId('alert-card');
    await card.getByRole('button', { name: '対応を記録' }).click();
    await card.getByLabel('結果').selectOption('needs_help');
    await card.getByRole('button', { name: '記録する' }).click();
    await card.getByTestId('referral-open').click();
    await card.locator('[data-worry="care"]').click();
    await card.getByTestId('referral-search').click();
    await card.getByLabel(/介護と孤立の相談窓口/).check();
    await card.getByLabel('世帯の同意を得た').check();
    await card.getByTestId('referral-record').click();
    await card.getByTestId('referral-recorded').waitFor();
    expect(await suite.database.db.selectFrom('referrals').select('source').where('watch_alert_id', '=', alertId).execute()).toEqual([{ source: 'watch_alert' }]);

    // The household's card lists both referrals for its 班長.
    await captain.goto(`${suite.server.baseUrl}/households/${suite.x.households.A.id}`);
    await expect.poll(() => captain.getByTestId('referral-item').count()).toBe(2);

    // Her son (a family watcher) opens the same card: no referral is shown to him.
    const son = await loggedIn(suite.x.logins.watcherA, phone);
    // The page does not even ask for the household's referrals (the server would answer 404).
    const asked: string[] = [];
    son.on('request', (r) => { if (r.url().includes('/api/referrals/households/')) asked.push(r.url()); });
    await son.goto(`${suite.server.baseUrl}/households/${suite.x.households.A.id}`);
    await son.getByRole('heading', { name: '山田家' }).waitFor();
    await son.waitForLoadState('networkidle');
    expect(asked).toEqual([]);
    expect(await son.getByTestId('referral-list').count()).toBe(0);
    expect(await son.locator('main').textContent()).not.toContain('介護と孤立の相談窓口');

    // The officer's counts: 介護 twice in 1班's month, shown as 1〜2, and no household anywhere.
    const officer = await loggedIn(suite.x.logins.officer);
    await officer.goto(`${suite.server.baseUrl}/referrals`);
    const byWorry = officer.getByTestId('referrals-by-worry');
    await byWorry.waitFor();
    expect(await byWorry.getByRole('row', { name: /介護/ }).textContent()).toContain('1〜2');
    // A month with a 1〜2 withholds its 班 (neither table can be subtracted from the other): not even which 班.
    const byBlock = await officer.getByTestId('referrals-by-block').textContent();
    expect(byBlock).toContain('非表示');
    expect(byBlock).not.toContain('1班');
    const page = await officer.locator('main').textContent();
    for (const name of ['山田家', '鈴木家']) expect(page).not.toContain(name);
  }, 90_000); // three people's journeys in one test: 20 s on a quiet machine, past 30 s under CI's load
});

describe('the referral step right after resolving an alert on /watch', { timeout: JOURNEY_TIMEOUT }, () => {
  it('resolving as 支援が必要 keeps the alert on screen with 「相談先を紹介する」 open, until recorded or put away', async () => {
    // 山田家 is watched since the test above; a new silent alert reaches its 班長.
    const alertId = await liveAlert(suite.database.db, suite.x.households.A, suite.x.association.id, 'silent', 'family_captain');
    const captain = await loggedIn(suite.x.logins.captain1, phone);
    await captain.goto(`${suite.server.baseUrl}/watch`);
    const card = captain.getByTestId('live-alerts').locator(`[data-alert-id="${alertId}"]`);
    await card.getByRole('button', { name: '対応を記録' }).click();
    await card.getByLabel('結果').selectOption('needs_help');
    await card.getByRole('button', { name: '記録する' }).click();

    // The live list no longer has it; the next step is at the top, its form already open.
    await expect.poll(() => captain.getByTestId('live-alerts').locator(`[data-alert-id="${alertId}"]`).count()).toBe(0);
    const next = captain.getByTestId('referral-next');
    await next.getByRole('heading', { name: '続けて、相談先を紹介する' }).waitFor();
    const step = next.locator(`[data-alert-id="${alertId}"]`);
    await step.getByTestId('referral-form').waitFor();
    await step.locator('[data-worry="care"]').click();
    await step.getByTestId('referral-search').click();
    await step.getByLabel(/介護と孤立の相談窓口/).check();
    await step.getByLabel('世帯の同意を得た').check();
    await step.getByTestId('referral-record').click();
    await step.getByTestId('referral-recorded').waitFor();
    expect(await suite.database.db.selectFrom('referrals').select('source').where('watch_alert_id', '=', alertId).execute()).toEqual([{ source: 'watch_alert' }]);

    await step.getByTestId('referral-next-done').click();
    await expect.poll(() => captain.getByTestId('referral-next').count()).toBe(0);
  });
});

describe('a circular links the directory', { timeout: JOURNEY_TIMEOUT }, () => {
  it('a resident reading it sees the service to call and a link to the worry search', async () => {
    const services = (await officerApi.get('/api/directory/services')).body.items as { id: string; name: string }[];
    const serviceId = services.find((s) => s.name === '介護と孤立の相談窓口')!.id;
    const made = await officerApi.post('/api/circulars', { title: '困ったときの相談先', bodyMarkdown: 'ひとりで悩まずに。', helpServiceIds: [serviceId], helpWorries: ['care', 'loneliness'] });
    expect(made.status).toBe(201);
    expect((await officerApi.post(`/api/circulars/${made.body.id}/publish`)).status).toBe(200);

    const resident = await loggedIn(suite.x.logins.memberA, phone);
    await resident.goto(`${suite.server.baseUrl}/circulars/${made.body.id}`);
    const links = resident.getByTestId('circular-help-links');
    await links.waitFor();
    expect(await links.getByTestId('circular-help-service').textContent()).toContain('介護と孤立の相談窓口');
    expect(await links.getByRole('link', { name: /0774-64-0000/ }).getAttribute('href')).toBe('tel:0774640000');
    const search = links.getByTestId('circular-help-search');
    expect(await search.getAttribute('href')).toMatch(/^\/help\?area=[a-z0-9-]+&worries=care,loneliness$/);
    await search.click();
    // The public page opens with both worries ticked.
    await expect.poll(() => resident.locator('[data-worry="care"]').getAttribute('aria-pressed')).toBe('true');
    expect(await resident.locator('[data-worry="loneliness"]').getAttribute('aria-pressed')).toBe('true');
  });
});
