import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { useBrowserSuite } from '../support/suite.js';
import { fire, handleTelegram } from '../../server/src/quakes/trigger.service.js';
import { rooms } from '../../server/src/contracts/socket.js';

/**
 * The earthquake trigger in the browser: the officer picks 京都府南部 and its city 京田辺市 from
 * JMA's lists (not typed) and saves; telegrams then show in the log with the decision taken for each.
 */
const suite = useBrowserSuite();

/** A fixture telegram (test/fixtures/jma, 出典：気象庁) as if just sent. */
function telegram(file: string) {
  const xml = readFileSync(new URL(`../fixtures/jma/${file}`, import.meta.url), 'utf8');
  return xml.replace(/<DateTime>[^<]*<\/DateTime>/, `<DateTime>${new Date().toISOString()}</DateTime>`);
}

describe('the earthquake trigger', { timeout: JOURNEY_TIMEOUT }, () => {
  it('the officer picks the area from the list, saves, and reads the telegrams and decisions', async () => {
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await officer.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '地震の自動開始' }).click();
    await officer.waitForURL(/\/quakes$/);
    await expect.poll(() => officer.getByTestId('quake-no-areas').isVisible()).toBe(true);
    await officer.getByLabel('地域を追加').selectOption({ label: '京都府南部' });
    await officer.getByTestId('quake-area-add').click();
    expect(await officer.getByTestId('quake-areas').textContent()).toContain('京都府南部');
    expect(await officer.getByLabel('始める震度（この震度以上）').inputValue()).toBe('5-');
    // The event's deadline and hand-overs, in minutes (defaults 180, 15, 30); officers before volunteers is refused, naming the field.
    expect(await officer.getByLabel('回答の期限（開始から・分）').inputValue()).toBe('180');
    expect(await officer.getByLabel('ボランティアへ回す（期限から・分）').inputValue()).toBe('15');
    await officer.getByLabel('役員へ回す（期限から・分）').fill('10');
    await officer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => officer.getByLabel('役員へ回す（期限から・分）').getAttribute('aria-invalid')).toBe('true');
    expect(await officer.getByTestId('quake-settings-saved').count()).toBe(0);
    await officer.getByLabel('役員へ回す（期限から・分）').fill('45');
    await officer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => officer.getByTestId('quake-settings-saved').isVisible()).toBe(true);
    const saved = await suite.server.app.context.db.selectFrom('quake_settings').select(['deadline_seconds', 'officers_after_seconds']).where('association_id', '=', suite.x.association.id).executeTakeFirstOrThrow();
    expect(saved).toEqual({ deadline_seconds: 10800, officers_after_seconds: 2700 });
    // A city of the chosen area, ticked in JMA's list under its area (a filter narrows it), never typed; saved, it is there after a reload.
    await officer.getByLabel('市町村を絞り込む').fill('田辺');
    expect(await officer.getByTestId('quake-cities').locator('input[type=checkbox]').count()).toBe(1);
    await officer.getByLabel('京田辺市').check();
    await officer.getByRole('button', { name: '保存' }).click();
    const cityCodes = () => suite.server.app.context.db.selectFrom('quake_settings').select('city_codes').where('association_id', '=', suite.x.association.id).executeTakeFirstOrThrow();
    await expect.poll(async () => (await cityCodes()).city_codes).toEqual(['2621100']);
    await officer.reload();
    await expect.poll(() => officer.getByLabel('京田辺市').isChecked()).toBe(true);
    expect(await officer.getByLabel('城陽市').isChecked()).toBe(false);
    // The log loads after the settings: waited for, not read at once.
    await expect.poll(() => officer.getByTestId('quake-log-empty').isVisible()).toBe(true);

    const ctx = suite.server.app.context;
    await handleTelegram(ctx, { id: 'browser:kyoto-3', url: 'https://example.invalid/kyoto-3-VXSE51.xml' }, telegram('kyoto-3-VXSE51.xml'));
    await handleTelegram(ctx, { id: 'browser:kyoto-5', url: 'https://example.invalid/kyoto-5lower-VXSE51.xml' }, telegram('kyoto-5lower-VXSE51.xml'));
    // No reload: the log refetches when a decision is logged (quake:logged).
    const log = officer.getByTestId('quake-log');
    await expect.poll(() => log.locator('tbody tr').count()).toBe(2);
    const decisions = await log.getByTestId('quake-decision').allTextContents();
    expect(decisions).toEqual(['待ち時間のあと安否確認を自動で始めます', '設定した震度に届きません']);
    expect(await log.textContent()).toContain('震度5弱');
    expect(await log.textContent()).toContain('開始予定');
    // Which reading decided: a 震度速報 lists areas only, so the area's, with its name.
    expect(await log.getByTestId('quake-basis').allTextContents()).toEqual(['地域：京都府南部', '地域：京都府南部']);
    await officer.close();
  });

  it('wherever the officer is, a banner says the event started by itself; a repeat shows one banner; the officer ends it from there', async () => {
    const ctx = suite.server.app.context;
    // The first test's 震度5弱 trigger is not this one's subject: it would be shown, stored, as a pending banner.
    await ctx.db.updateTable('quake_triggers').set({ status: 'cancelled' }).where('association_id', '=', suite.x.association.id).where('status', '=', 'pending').execute();
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    await officer.goto(`${suite.server.baseUrl}/circulars`);
    await expect.poll(() => officer.locator('main h1').count()).toBeGreaterThan(0);
    const xml = telegram('kyoto-5lower-VXSE51.xml').replace(/<EventID>[^<]*<\/EventID>/, '<EventID>20261201101500</EventID>').replace(/<MaxInt>5-<\/MaxInt>/g, '<MaxInt>6-</MaxInt>');
    await handleTelegram(ctx, { id: 'browser:kyoto-6', url: 'https://example.invalid/kyoto-6lower-VXSE51.xml' }, xml);
    const banners = officer.getByTestId('quake-banner');
    await expect.poll(() => banners.first().getAttribute('data-kind')).toBe('pending');
    const trigger = await ctx.db.selectFrom('quake_triggers').selectAll().where('event_id', '=', '20261201101500').executeTakeFirstOrThrow();
    // The hold-off passes (the quake-fire job's work, called directly).
    expect(await fire(ctx, trigger.id, trigger.round)).toBe('started');
    const started = await ctx.db.selectFrom('quake_triggers').select('drill_id').where('id', '=', trigger.id).executeTakeFirstOrThrow();
    await expect.poll(() => banners.first().getAttribute('data-kind')).toBe('started');
    expect(await banners.count()).toBe(1);
    expect(await banners.first().textContent()).toContain('震度6弱（京都府南部）— 安否確認を自動で開始しました');
    // The server sends the same notice again (a restart re-running its effects): still one banner.
    const notice = { key: `trigger:${trigger.id}`, kind: 'started' as const, eventKind: 'real' as const, intensity: '6-', areaNames: ['京都府南部'], quakeEventId: '20261201101500', drillId: started.drill_id, asked: true, fireAt: null };
    ctx.realtime.emit([rooms.officers(suite.x.association.id)], 'quake:notice', notice);
    ctx.realtime.emit([rooms.officers(suite.x.association.id)], 'quake:notice', notice);
    await officer.waitForTimeout(300);
    expect(await banners.count()).toBe(1);
    // A resident sees no banner.
    const member = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD);
    ctx.realtime.emit([rooms.officers(suite.x.association.id)], 'quake:notice', { ...notice, key: 'trigger:again' });
    await member.waitForTimeout(300);
    expect(await member.getByTestId('quake-banner').count()).toBe(0);
    await member.close();
    // End it from the banner: the drills' end route, the report opens, the audit names this officer.
    await expect.poll(() => banners.count()).toBe(2);
    // (The confirm is accepted by loggedInPage, as the officer meant to press the button.)
    await officer.getByTestId('quake-banner').filter({ hasText: '震度6弱' }).last().getByRole('button', { name: 'この安否確認を終了' }).click();
    await officer.waitForURL(new RegExp(`/drills/${started.drill_id}/report$`));
    const drill = await ctx.db.selectFrom('drills').select(['status', 'started_by']).where('id', '=', started.drill_id!).executeTakeFirstOrThrow();
    expect(drill).toEqual({ status: 'ended', started_by: null });
    const audit = await ctx.db.selectFrom('audit_log').select('actor_person_id').where('subject', '=', started.drill_id!).where('action', '=', 'drill.ended').execute();
    expect(audit).toEqual([{ actor_person_id: suite.x.people.officer.id }]);
    await officer.close();
  });

  it('an officer who opens the app after the event started (no live notice) sees its banner, and a 訓練 one waiting says 訓練; a dismissed one stays dismissed', async () => {
    const ctx = suite.server.app.context;
    // Drills from 訓練 chosen; no aftershock window (the previous test's event would take this quake in).
    await ctx.db.updateTable('quake_settings').set({ drills_from_training: true, aftershock_seconds: 0 }).where('association_id', '=', suite.x.association.id).execute();
    const real = telegram('kyoto-5lower-VXSE51.xml').replace(/<EventID>[^<]*<\/EventID>/, '<EventID>20261201102000</EventID>');
    await handleTelegram(ctx, { id: 'browser:closed-app', url: 'https://example.invalid/closed-app-VXSE51.xml' }, real);
    const trigger = await ctx.db.selectFrom('quake_triggers').selectAll().where('event_id', '=', '20261201102000').executeTakeFirstOrThrow();
    expect(await fire(ctx, trigger.id, trigger.round)).toBe('started');
    const training = telegram('kyoto-training-6lower-VXSE51.xml').replace(/<EventID>[^<]*<\/EventID>/, '<EventID>20261201102500</EventID>');
    await handleTelegram(ctx, { id: 'browser:closed-app-training', url: 'https://example.invalid/closed-app-training-VXSE51.xml' }, training);

    // Only now does the officer open the app.
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    const banners = officer.getByTestId('quake-banner');
    await expect.poll(() => banners.count()).toBe(2);
    expect(await banners.nth(0).getAttribute('data-kind')).toBe('pending');
    expect(await banners.nth(0).textContent()).toContain('【訓練】震度6弱（京都府南部）—');
    expect(await banners.nth(0).textContent()).toContain('訓練の安否確認を自動で開始します');
    expect(await banners.nth(1).getAttribute('data-kind')).toBe('started');
    expect(await banners.nth(1).textContent()).toContain('震度5弱（京都府南部）— 安否確認を自動で開始しました');
    expect(await banners.nth(1).getByRole('link', { name: 'ダッシュボードを開く' }).getAttribute('href')).toMatch(/^\/drills\//);
    // Closed, it stays closed on the next page load of the session.
    await banners.nth(1).getByRole('button', { name: /^お知らせを閉じる/ }).click();
    await expect.poll(() => banners.count()).toBe(1);
    await officer.reload();
    await expect.poll(() => officer.getByTestId('quake-banners').isVisible()).toBe(true);
    await officer.waitForTimeout(300);
    expect(await banners.count()).toBe(1);
    expect(await banners.first().getAttribute('data-kind')).toBe('pending');
    await officer.close();
  });

  it('a trigger waiting on 震度５弱以上未入電: its banner says 震度5弱以上（未入電）, never a plain 震度5弱', async () => {
    const ctx = suite.server.app.context;
    const unreceived = telegram('kyoto-unreceived-VXSE53.xml').replace(/<EventID>[^<]*<\/EventID>/, '<EventID>20261201103000</EventID>');
    await handleTelegram(ctx, { id: 'browser:unreceived', url: 'https://example.invalid/unreceived-VXSE53.xml' }, unreceived);
    const officer = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.officer, PASSWORD);
    const banner = officer.getByTestId('quake-banner').filter({ hasText: '未入電' });
    await expect.poll(() => banner.count()).toBe(1);
    expect(await banner.getAttribute('data-kind')).toBe('pending');
    // 京田辺市 (chosen in the first test) is the city 未入電: its reading decides, and the banner names it.
    expect(await banner.textContent()).toContain('震度5弱以上（未入電）（京田辺市）— ');
    await officer.close();
  });

  it('a resident has no such menu entry and the page refuses them', async () => {
    const member = await loggedInPage(suite.browser, suite.server.baseUrl, suite.x.logins.memberA, PASSWORD);
    expect(await member.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '地震の自動開始' }).count()).toBe(0);
    await member.goto(`${suite.server.baseUrl}/quakes`);
    await expect.poll(() => member.locator('main').textContent()).not.toBe('');
    expect(await member.getByTestId('quake-settings').count()).toBe(0);
    await member.close();
  });
});
