import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { seededRandom, simulatedHistory } from '../../devices/src/simulator-patterns.js';
import { watchedHome } from '../support/factories/watch.js';
import { useBrowserSuite } from '../support/suite.js';

const suite = useBrowserSuite();

/** The watch page of a home with three weeks of the simulator's rhythm: what it learned, and the officer turning the check off. */
describe('the daily rhythm on a home’s watch page', { timeout: JOURNEY_TIMEOUT }, () => {
  it('shows "usually active by 6時" and the check; the officer turns the check off for the home', async () => {
    const home = suite.x.households.A;
    await watchedHome(suite.database.db, home, suite.x.association.id);
    const { hours } = simulatedHistory(new Date(Date.now() - 21 * 86_400_000), new Date(), seededRandom(3));
    await suite.database.db.insertInto('activity_hourly').values(hours.map((h) => ({ household_id: home.id, hour: h.hour, presence: h.presence }))).execute();

    // The household sees its rhythm in its own words.
    const member = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD);
    await member.goto(`${suite.server.baseUrl}/watch/households/${home.id}`);
    const rhythm = member.getByTestId('watch-rhythm');
    await rhythm.waitFor();
    expect(await rhythm.textContent()).toContain('いつもは6時までに活動があります');
    expect(await rhythm.textContent()).toContain('6時を120分過ぎても今日の活動がなければ');

    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await officer.goto(`${suite.server.baseUrl}/watch/households/${home.id}`);
    await officer.getByTestId('watch-rhythm').waitFor();
    await officer.getByLabel('生活リズムで早めに確認する').uncheck();
    await officer.getByRole('button', { name: '設定を保存' }).click();
    await officer.getByTestId('settings-saved').waitFor();
    expect(await officer.getByTestId('watch-rhythm').textContent()).toContain('生活リズムによる確認は止めています');
    const settings = await suite.database.db.selectFrom('watch_settings').select('rhythm_enabled').where('household_id', '=', home.id).executeTakeFirstOrThrow();
    expect(settings.rhythm_enabled).toBe(false);
  });
});
