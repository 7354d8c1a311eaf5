import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ApiClient } from '../support/http-client.js';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { SimulatedDevice, type Scenario } from '../../devices/src/simulated-device.js';
import { SimulatedTime, seededRandom } from '../../devices/src/simulator-patterns.js';
import { connectMqtt } from '../../devices/src/simulator-mqtt.js';
import { makeDue } from '../support/jobs.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';

const suite = useBrowserSuite();
let officerApi: ApiClient;
const devices: SimulatedDevice[] = [];

beforeAll(async () => (officerApi = await loggedInClient(suite.server, suite.x.logins.officer)));
afterAll(() => Promise.all(devices.map((d) => d.stop().catch(() => undefined))));

const phone = { width: 390, height: 844 };
const loggedIn = (identifier: string, viewport?: { width: number; height: number }) => loggedInPage(suite.browser, suite.server.baseUrl, identifier, PASSWORD, viewport);

/** A simulated speaker (a real MQTT client) in a home, playing a scenario, time × 600. */
async function speaker(householdId: string, scenario: Scenario) {
  const { credentials, device } = (await officerApi.post('/api/devices', { label: `sim ${scenario}`, householdId })).body;
  const sim = new SimulatedDevice({
    deviceId: device.id, associationId: suite.x.association.id, password: credentials.password, mqttUrl: suite.server.deviceMqttUrl, scenario,
    time: new SimulatedTime(Date.now(), 600), connect: connectMqtt, clock: { now: () => new Date() }, random: seededRandom(devices.length + 7),
  });
  sim.start();
  devices.push(sim);
  return { sim, id: device.id as string };
}

describe('a safety-confirmation drill in the browser', { timeout: JOURNEY_TIMEOUT }, () => {
  it('is started by an officer, answered in browsers, by a speaker and by a 班長 visiting a silent home, and the dashboard reaches 4 / 4 live', async () => {
    await speaker(suite.x.households.C.id, 'normal'); // 鈴木家: answers the spoken prompt with 無事
    const household = await loggedIn(suite.x.logins.memberA, phone);
    const captain = await loggedIn(suite.x.logins.captain2, phone);

    const officer = await loggedIn(suite.x.logins.officer);
    await officer.goto(`${suite.server.baseUrl}/drills/new`);
    await officer.getByTestId('drill-start-form').waitFor();
    await officer.getByLabel('タイトル').fill('秋の安否確認訓練');
    await officer.getByRole('button', { name: '開始する' }).click();
    await officer.waitForURL(/\/drills\/[0-9a-f-]{36}$/);
    const drillId = officer.url().split('/').pop()!;
    await expect.poll(() => officer.getByTestId('drill-accounted').textContent()).toMatch(/\d+ \/ 4/);

    // The household's phone shows the full-screen question without a reload.
    await household.getByTestId('drill-prompt').waitFor();
    await household.getByRole('button', { name: '無事です' }).click();
    await household.getByTestId('drill-answered').waitFor();

    // The 班長 of 2班 lives in 高橋家: their own phone asks them first, and they answer for their home.
    await captain.getByTestId('drill-prompt').waitFor();
    await captain.getByRole('button', { name: '無事です' }).click();
    await captain.getByTestId('drill-answered').waitFor();
    await captain.goto(`${suite.server.baseUrl}/drills/${drillId}/tasks`);

    // The deadline passes: 佐藤家 never answered and goes onto the 班長's list, live.
    await makeDue(suite.database.db, 'drill-deadline');
    const silentRow = captain.getByTestId('drill-task-row').filter({ hasText: '佐藤家' });
    await silentRow.waitFor({ timeout: 20_000 });
    await silentRow.getByRole('button', { name: '訪問結果' }).click();
    await silentRow.getByLabel('無事', { exact: true }).check();
    await silentRow.getByRole('button', { name: '記録する' }).click();

    // The officer's dashboard got there on its own.
    await expect.poll(() => officer.getByTestId('drill-accounted').textContent(), { timeout: 20_000 }).toContain('4 / 4');
    const channels = await suite.database.db.selectFrom('drill_targets').select(['household_id', 'channel']).where('drill_id', '=', drillId).execute();
    expect(Object.fromEntries(channels.map((c) => [c.household_id, c.channel]))).toEqual({
      [suite.x.households.A.id]: 'app', [suite.x.households.B.id]: 'visit', [suite.x.households.C.id]: 'speaker', [suite.x.households.D.id]: 'app',
    });

    await officer.getByRole('button', { name: '終了してレポートを作成' }).click();
    await officer.getByTestId('drill-report').waitFor();
    expect(await officer.getByTestId('drill-report').textContent()).toContain('全世帯確認まで');

    // The 班長 of 2班 finds the ended drill in their list and reads their 班's report: 2 of 2 homes, 2班 only.
    await captain.goto(`${suite.server.baseUrl}/drills`);
    await captain.getByRole('link', { name: '秋の安否確認訓練', exact: true }).click();
    await captain.getByTestId('drill-report').waitFor();
    expect(await captain.getByTestId('report-scope').textContent()).toContain('2班');
    expect(await captain.getByTestId('report-accounted').textContent()).toContain('2 / 2');
    expect(await captain.getByTestId('drill-report').textContent()).not.toContain('1班');
    expect(await captain.getByTestId('report-csv').getAttribute('href')).toContain(`/api/drills/${drillId}/report.csv`);
  });
});

describe('watching in the browser', { timeout: JOURNEY_TIMEOUT }, () => {
  it('a silent resident is asked by the speaker, then a 班長 takes and resolves the alert; a dead device becomes a device alert', async () => {
    const silent = await speaker(suite.x.households.A.id, 'silent');
    const dead = await speaker(suite.x.households.B.id, 'dead');
    const captain = await loggedIn(suite.x.logins.captain1, phone);
    const officer = await loggedIn(suite.x.logins.officer);
    await captain.goto(`${suite.server.baseUrl}/watch`);
    await officer.goto(`${suite.server.baseUrl}/watch`);
    const deadline = Date.now() + 20_000;
    while ((silent.sim.state !== 'online' || dead.sim.state !== 'dead') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(dead.sim.state).toBe('dead');
    // …and the server has had the broker's last will for it.
    await expect.poll(async () => (await suite.database.db.selectFrom('devices').select('online').where('id', '=', dead.id).executeTakeFirstOrThrow()).online, { timeout: 10_000 }).toBe(false);

    // A day without a sign of life; the dead device was last heard ten minutes ago.
    await suite.database.db.updateTable('watch_settings').set({ next_check_at: sql`now() - interval '1 minute'` }).where('household_id', '=', suite.x.households.A.id).execute();
    await suite.database.db.updateTable('devices').set({ last_seen_at: sql`now() - interval '10 minutes'` }).where('id', '=', dead.id).execute();
    await suite.server.app.jobs.sendDetached('tick', 'watch-scan', {});
    await expect.poll(() => silent.sim.stats.promptsReceived, { timeout: 10_000 }).toBeGreaterThan(0);

    // Nobody answers the spoken prompt: the wait is over, and the 班長 is told, live.
    await expect.poll(async () => (await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'watch-escalate'`.execute(suite.database.db)).rows[0]!.n).toBe(1);
    await makeDue(suite.database.db, 'watch-escalate');
    const card = captain.getByTestId('alert-card').filter({ hasText: '山田家' });
    await card.waitFor({ timeout: 20_000 });
    expect(await card.getAttribute('data-kind')).toBe('silent');
    await card.getByRole('button', { name: '対応します' }).click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('taken');
    await card.getByRole('button', { name: '対応を記録' }).click();
    await card.getByLabel('結果').selectOption({ label: '無事でした' });
    await card.getByLabel('メモ').fill('訪問したら昼寝中でした');
    await card.getByRole('button', { name: '記録する' }).click();
    await expect.poll(() => captain.getByTestId('alert-card').filter({ hasText: '山田家' }).filter({ has: captain.locator('[data-status="open"], [data-status="taken"]') }).count()).toBe(0);
    const resolved = await suite.database.db.selectFrom('watch_alerts').select(['status', 'outcome', 'note']).where('household_id', '=', suite.x.households.A.id).where('kind', '=', 'silent').executeTakeFirstOrThrow();
    expect(resolved).toEqual({ status: 'resolved', outcome: 'fine', note: '訪問したら昼寝中でした' });

    // The dead device: a device alert for the officer, and no resident alert for its home.
    const deviceCard = officer.locator('[data-testid="alert-card"][data-kind="device_offline"]');
    await deviceCard.first().waitFor({ timeout: 20_000 });
    expect(await deviceCard.first().textContent()).toContain('佐藤家');
    expect(await captain.locator('[data-testid="alert-card"][data-kind="device_offline"]').count()).toBe(0);
  });
});
