import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { useBrowserSuite } from '../support/suite.js';

/**
 * README's role table: a household "may edit its notes and contact details". On their phone,
 * 山田 花子 (member of 山田家, 101) edits the address and the notes for helpers, and her own
 * phone number, on her household's page; the 班 and the 世帯番号 stay the officers' (not
 * offered). Her son, who watches the home from elsewhere, gets no edit form.
 */
const suite = useBrowserSuite();
const phone = { width: 390, height: 844 };

describe('a household keeps its own details current', { timeout: JOURNEY_TIMEOUT }, () => {
  it('edits its address, notes and a member’s phone; no 班 or 世帯番号 offered', async () => {
    const { x, database, server } = suite;
    const page = await loggedInPage(suite.browser, server.baseUrl, x.logins.memberA, PASSWORD, phone);
    await page.goto(`${server.baseUrl}/households/${x.households.A.id}`);

    const form = page.getByTestId('household-form');
    await form.waitFor();
    expect(await form.getByLabel('世帯番号').count()).toBe(0);
    expect(await form.getByLabel('班', { exact: true }).count()).toBe(0);
    await form.getByLabel('住所').fill('京田辺市 新しい住所 1-2');
    await form.getByLabel('対応メモ').fill('耳が遠いので、玄関で大きな声で');
    await form.getByRole('button', { name: '世帯情報を保存' }).click();
    await form.getByText('世帯情報を保存しました。').waitFor();
    const home = await database.db.selectFrom('households').select(['address', 'responder_notes', 'household_number', 'block_id']).where('id', '=', x.households.A.id).executeTakeFirstOrThrow();
    expect(home).toEqual({ address: '京田辺市 新しい住所 1-2', responder_notes: '耳が遠いので、玄関で大きな声で', household_number: x.households.A.household_number, block_id: x.households.A.block_id });

    await page.getByRole('button', { name: '山田 花子 さんを編集' }).click();
    const person = page.getByTestId('person-form');
    await person.getByLabel('電話番号').fill('090-1111-2222');
    await person.getByRole('button', { name: 'この内容で保存' }).click();
    await person.waitFor({ state: 'detached' });
    const me = await database.db.selectFrom('people').select('phone').where('id', '=', x.people.memberA.id).executeTakeFirstOrThrow();
    expect(me.phone).toContain('1111');
    await expect.poll(() => page.getByTestId('household-detail').textContent()).toContain('1111');
  });

  it('her son, who watches the home, sees it but gets no edit form (the server would refuse)', async () => {
    const { x, server } = suite;
    const son = await loggedInPage(suite.browser, server.baseUrl, x.logins.watcherA, PASSWORD, phone);
    await son.goto(`${server.baseUrl}/households/${x.households.A.id}`);
    await son.getByRole('heading', { name: '山田家' }).waitFor();
    await son.waitForLoadState('networkidle');
    expect(await son.getByTestId('household-form').count()).toBe(0);
    expect(await son.getByRole('button', { name: '山田 花子 さんを編集' }).count()).toBe(0);
  });
});
