import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { makeDue } from '../support/jobs.js';
import { liveAlert, watchedHome } from '../support/factories/watch.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';

/**
 * A volunteer's home page during a drill whose 2班 has no 班長 who can be reached: the
 * silent households of 2班 are there at once, to take ("向かいます") and record without
 * hunting for a URL, and the officer's dashboard sees them accounted for and says why
 * they skipped the 班長.
 */
const suite = useBrowserSuite();
const phone = { width: 390, height: 844 };

describe('a volunteer on their home page', { timeout: JOURNEY_TIMEOUT }, () => {
  it('sees the escalated household, takes it, records it safe, and the officer sees it accounted', async () => {
    const { x, database, server } = suite;
    // 2班's 班長 has no way in (no password, no push subscription).
    await database.db.updateTable('people').set({ password_hash: null }).where('id', '=', x.people.captain2.id).execute();
    await sql`delete from push_subscriptions where person_id = ${x.people.captain2.id}`.execute(database.db);

    const officerApi = await loggedInClient(server, x.logins.officer);
    const started = await officerApi.post('/api/drills', { kind: 'drill', title: '冬の安否確認訓練', deadlineAt: new Date(Date.now() + 600_000).toISOString() });
    expect(started.status).toBe(201);
    const drillId = started.body.id as string;
    const memberA = await loggedInClient(server, x.logins.memberA);
    expect((await memberA.post(`/api/drills/${drillId}/answer`, { status: 'safe', where: 'home' })).status).toBe(200);

    const volunteer = await loggedInPage(suite.browser, server.baseUrl, x.logins.volunteer, PASSWORD, phone);
    // 安否確認 is in the volunteer's menu (folded behind 「メニュー」 on a phone).
    await volunteer.getByTestId('menu-toggle').click();
    await expect.poll(() => volunteer.getByRole('navigation').getByRole('link', { name: '安否確認' }).count()).toBe(1);

    // The deadline passes with 佐藤家 (2班) silent: it goes straight to the volunteers, live on the home page.
    expect(await makeDue(database.db, 'drill-deadline', { drillId })).toBe(1);
    const section = volunteer.getByTestId('escalated-visits');
    const row = section.getByTestId('drill-task-row').filter({ hasText: '佐藤家' });
    await row.waitFor({ timeout: 45_000 }); // live (the volunteers' room), else the list's 30-second look-again
    expect(await row.getByTestId('drill-task-skipped').textContent()).toContain('ログインできる班長がいないため');

    await row.getByRole('button', { name: '向かいます' }).click();
    await row.getByTestId('drill-task-taken').waitFor();
    await row.getByRole('button', { name: '訪問結果' }).click();
    await row.getByLabel('無事', { exact: true }).check();
    await row.getByRole('button', { name: '記録する' }).click();
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0);

    // The officer's dashboard: 佐藤家 accounted for (visited), no longer unanswered, and why 2班 skipped its 班長.
    const officer = await loggedInPage(suite.browser, server.baseUrl, x.logins.officer, PASSWORD);
    await officer.goto(`${server.baseUrl}/drills/${drillId}`);
    await expect.poll(() => officer.getByTestId('drill-accounted').textContent(), { timeout: 15_000 }).toContain('2 / 4');
    expect(await officer.getByTestId('unanswered-row').filter({ hasText: '佐藤家' }).count()).toBe(0);
    expect(await officer.getByTestId('drill-skips').textContent()).toContain('2班');
    const target = await database.db.selectFrom('drill_targets').select(['channel', 'status', 'tier']).where('drill_id', '=', drillId).where('household_id', '=', x.households.B.id).executeTakeFirstOrThrow();
    expect(target).toEqual({ channel: 'visit', status: 'safe', tier: 'volunteers' });
  });
});

describe('a family member on her home page', { timeout: JOURNEY_TIMEOUT }, () => {
  it("sees the alert about the home she watches, is offered notifications for it, and is told how to allow them again after refusing", async () => {
    const { x, database, server } = suite;
    // 山田家's speaker went silent and the alert has reached the family step.
    await watchedHome(database.db, x.households.A, x.association.id);
    await liveAlert(database.db, x.households.A, x.association.id, 'silent', 'family_captain');

    const son = await loggedInPage(suite.browser, server.baseUrl, x.logins.watcherA, PASSWORD, phone);
    const alerts = son.getByTestId('home-alerts');
    const card = alerts.getByTestId('alert-card');
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.textContent()).toContain('山田家');

    // 「通知を受け取る」, worded for the home she watches rather than for circulars.
    const offer = son.getByTestId('push-offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('見守っているお宅');
    expect(await offer.textContent()).not.toContain('回覧');

    // She refuses the browser's question (Chromium refuses for a page not granted notifications):
    // the card stays, saying they are blocked and where to allow them again.
    await offer.getByRole('button', { name: '通知を受け取る' }).click();
    const blocked = son.getByTestId('push-blocked');
    await blocked.waitFor();
    expect(await blocked.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    expect(await blocked.textContent()).toContain('ブロックされています');
    expect(await blocked.textContent()).toContain('「許可」');
    // On the next visit the hint is still there, folded.
    await son.reload();
    await son.getByTestId('push-blocked').waitFor();
    expect(await son.getByTestId('push-blocked').evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
  });
});
