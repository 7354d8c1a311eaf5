import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { makeDue } from '../support/jobs.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';

/**
 * A volunteer's home page during a drill whose 2班 has no 班長 who can be reached: the
 * silent households of 2班 are there at once, to take ("向かいます") and record without
 * hunting for a URL, and the officer's dashboard sees them accounted for and says why
 * they skipped the 班長.
 */
const suite = useBrowserSuite();
const phone = { width: 390, height: 844 };

describe('a volunteer on their home page', () => {
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
    // 安否確認 is in the volunteer's menu.
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
