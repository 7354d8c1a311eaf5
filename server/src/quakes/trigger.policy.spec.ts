import { describe, expect, it } from 'vitest';
import { decide, readingFor, type DecideInput, type TriggerState } from './trigger.policy.js';
import { UNRECEIVED, type Intensity, type Telegram } from './telegram.js';

const now = new Date('2026-12-01T01:03:00Z');
const settings = { areaCodes: ['511'], minIntensity: '5-' as const, holdOffSeconds: 120, aftershockSeconds: 6 * 3600, drillsFromTraining: false };

function telegram(over: Partial<Telegram> & { at?: Intensity | null; area?: string } = {}): Telegram {
  const { at = '5-', area = '511', ...rest } = over;
  return {
    title: '震度速報', sentAt: '2026-12-01T01:02:00Z', status: '通常', editorialOffice: '大阪管区気象台', eventId: '20261201100000', infoType: '発表',
    reportAt: '2026-12-01T10:02:00+09:00', serial: '', maxInt: at,
    areas: at ? [{ code: area, name: '京都府南部', maxInt: at, condition: null, cities: [] }] : [], hypocentre: null, magnitude: null, ...rest,
  };
}
function trigger(over: Partial<TriggerState> = {}): TriggerState {
  return { id: 't1', eventId: '20261201100000', kind: 'real', status: 'pending', intensity: '5-', lastReportAt: new Date('2026-12-01T01:02:00Z'), createdAt: new Date('2026-12-01T01:02:00Z'), drillId: null, ...over };
}
const run = (over: Partial<DecideInput>) => decide({ settings, telegram: telegram(), now, sameQuake: undefined, recent: undefined, ...over });

describe('decide: what a JMA telegram does for one association', () => {
  it('a quake below the threshold starts nothing', () => {
    expect(run({ telegram: telegram({ at: '4' }) })).toEqual({ action: 'none', reason: 'below_threshold', intensity: '4' });
  });
  it('a quake that does not name the areas starts nothing', () => {
    expect(run({ telegram: telegram({ area: '222', at: '7' }) })).toMatchObject({ action: 'none', reason: 'not_in_area' });
  });
  it('at the threshold: a pending real event, fired after the hold-off', () => {
    expect(run({})).toEqual({ action: 'pend', kind: 'real', intensity: '5-', reason: 'above_threshold', fireAt: new Date(now.getTime() + 120_000) });
  });
  it('the threshold is on the scale, not the text: 5+ and 6- are above 5-, 4 is below', () => {
    expect(run({ telegram: telegram({ at: '5+' }) })).toMatchObject({ action: 'pend' });
    expect(run({ settings: { ...settings, minIntensity: '6-' }, telegram: telegram({ at: '5+' }) })).toMatchObject({ action: 'none', reason: 'below_threshold' });
    expect(run({ settings: { ...settings, minIntensity: '4' }, telegram: telegram({ at: '4' }) })).toMatchObject({ action: 'pend' });
  });
  it('訓練 and 試験 never start a real event; a drill only where chosen', () => {
    for (const status of ['訓練', '試験'] as const) {
      expect(run({ telegram: telegram({ status, at: '7' }) })).toMatchObject({ action: 'none', reason: 'training' });
      expect(run({ settings: { ...settings, drillsFromTraining: true }, telegram: telegram({ status, at: '7' }) })).toMatchObject({ action: 'pend', kind: 'drill' });
    }
  });
  it('取消 before the hold-off ends: the pending trigger is cancelled', () => {
    expect(run({ telegram: telegram({ infoType: '取消', at: null, reportAt: '2026-12-01T10:04:00+09:00' }), sameQuake: trigger() })).toEqual({ action: 'cancel', triggerId: 't1', reason: 'cancelled' });
  });
  it('取消 after the event started: it goes on and the officers are told', () => {
    expect(run({ telegram: telegram({ infoType: '取消', at: null }), sameQuake: trigger({ status: 'started', drillId: 'd1' }) })).toEqual({ action: 'cancelled_after_start', triggerId: 't1', drillId: 'd1' });
  });
  it('取消 of a quake that made no trigger changes nothing', () => {
    expect(run({ telegram: telegram({ infoType: '取消', at: null }) })).toMatchObject({ action: 'none', reason: 'nothing_to_cancel' });
  });
  it('訂正 updates the pending decision: a new intensity, or below the threshold no event', () => {
    const later = { reportAt: '2026-12-01T10:05:00+09:00', infoType: '訂正' as const };
    expect(run({ telegram: telegram({ ...later, at: '6-' }), sameQuake: trigger() })).toEqual({ action: 'update', triggerId: 't1', intensity: '6-', reason: 'corrected' });
    expect(run({ telegram: telegram({ ...later, at: '4' }), sameQuake: trigger() })).toEqual({ action: 'cancel', triggerId: 't1', reason: 'corrected_below' });
  });
  it('a later report of the same quake may raise a pending intensity, never lower it; an older one arriving late is ignored', () => {
    expect(run({ telegram: telegram({ at: '6+', reportAt: '2026-12-01T10:06:00+09:00' }), sameQuake: trigger() })).toMatchObject({ action: 'update', intensity: '6+', reason: 'upgraded' });
    expect(run({ telegram: telegram({ at: '5-', reportAt: '2026-12-01T10:06:00+09:00' }), sameQuake: trigger({ intensity: '6-' }) })).toMatchObject({ action: 'none', reason: 'no_change' });
    expect(run({ telegram: telegram({ reportAt: '2026-12-01T10:01:00+09:00' }), sameQuake: trigger() })).toMatchObject({ action: 'none', reason: 'older_than_seen' });
  });
  it('the same quake after its event started: no second event', () => {
    expect(run({ telegram: telegram({ at: '6-', reportAt: '2026-12-01T10:09:00+09:00' }), sameQuake: trigger({ status: 'started' }) })).toMatchObject({ action: 'none', reason: 'already_started' });
  });
  it('an upgrade: a quake first below the threshold crosses it in a later telegram and starts then', () => {
    expect(run({ telegram: telegram({ at: '6-', title: '震源・震度に関する情報', serial: '1' }), quakeSeenBefore: true })).toMatchObject({ action: 'pend', kind: 'real', reason: 'upgrade' });
  });
  it('an aftershock in the window, no stronger: no new event; a stronger one starts a new event', () => {
    const started = trigger({ eventId: '20261201090000', status: 'started', drillId: 'd1' });
    expect(run({ recent: started })).toEqual({ action: 'aftershock', triggerId: 't1', drillId: 'd1', intensity: '5-' });
    expect(run({ recent: started, telegram: telegram({ at: '6-' }) })).toMatchObject({ action: 'pend', reason: 'stronger_aftershock', intensity: '6-' });
  });
  it('another quake while one is pending gets its own trigger (its own 取消 reaches it alone); one event per window is kept when it fires', () => {
    expect(run({ recent: trigger({ eventId: '20261201090000' }), telegram: telegram({ at: '6-' }) })).toMatchObject({ action: 'pend', intensity: '6-', reason: 'above_threshold' });
  });
  it('a telegram older than one stored for its quake (a late download, entries out of order) changes nothing; after a 取消 nothing starts', () => {
    expect(run({ newerSeen: 'cancelled' })).toMatchObject({ action: 'none', reason: 'already_cancelled' });
    expect(run({ newerSeen: 'newer', telegram: telegram({ at: '6-' }) })).toMatchObject({ action: 'none', reason: 'older_than_seen' });
  });
  it('corrected below the threshold, then a newer report across it: pending again; after a 取消 never', () => {
    const later = telegram({ at: '5+', reportAt: '2026-12-01T10:06:00+09:00' });
    expect(run({ telegram: later, sameQuake: trigger({ status: 'cancelled', cancelReason: 'corrected_below' }) })).toEqual({ action: 'reopen', triggerId: 't1', intensity: '5+', reason: 'upgrade', fireAt: new Date(now.getTime() + 120_000) });
    expect(run({ telegram: telegram({ at: '4', reportAt: '2026-12-01T10:06:00+09:00' }), sameQuake: trigger({ status: 'cancelled', cancelReason: 'corrected_below' }) })).toMatchObject({ action: 'none', reason: 'already_cancelled' });
    expect(run({ telegram: later, sameQuake: trigger({ status: 'cancelled', cancelReason: 'cancelled' }) })).toMatchObject({ action: 'none', reason: 'already_cancelled' });
  });
  it('a telegram sent long ago (the feed backlog after a restart) starts nothing', () => {
    expect(run({ now: new Date('2026-12-01T05:00:00Z') })).toMatchObject({ action: 'none', reason: 'stale' });
  });
  describe('震度５弱以上未入電 (an area or city whose readings have not come in, 5弱 or more possibly)', () => {
    /** 京都府南部 at `at` by its received readings (or none), 京田辺市 in it 未入電. */
    const unreceived = (at: Intensity | null) =>
      telegram({ title: '震源・震度に関する情報', maxInt: at, areas: [{ code: '511', name: '京都府南部', maxInt: at, condition: at ? null : UNRECEIVED, cities: [{ code: '2621100', name: '京田辺市', maxInt: null, condition: UNRECEIVED }] }] });
    it('with a threshold of 5弱 or less it counts as reaching 5弱: pending, the log saying why', () => {
      expect(run({ telegram: unreceived(null) })).toEqual({ action: 'pend', kind: 'real', intensity: '5-', reason: 'unreceived', fireAt: new Date(now.getTime() + 120_000) });
      expect(run({ telegram: unreceived('3') })).toMatchObject({ action: 'pend', intensity: '5-', reason: 'unreceived' });
      expect(run({ settings: { ...settings, minIntensity: '4' }, telegram: unreceived('3') })).toMatchObject({ action: 'pend', intensity: '5-', reason: 'unreceived' });
    });
    it('with a threshold above 5弱 it does not start (the officers are told)', () => {
      expect(run({ settings: { ...settings, minIntensity: '5+' }, telegram: unreceived('3') })).toEqual({ action: 'none', reason: 'unreceived_unsure', intensity: '3' });
      expect(run({ settings: { ...settings, minIntensity: '6-' }, telegram: unreceived(null) })).toEqual({ action: 'none', reason: 'unreceived_unsure', intensity: null });
    });
    it('pending on 未入電, a later 発表 with the real reading decides it: below the threshold cancelled, at or above it kept at that intensity', () => {
      const pending = trigger({ intensity: '5-', unreceived: true });
      const later = (at: Intensity, infoType: Telegram['infoType'] = '発表') => telegram({ title: '震源・震度に関する情報', reportAt: '2026-12-01T10:06:00+09:00', infoType, at });
      expect(run({ telegram: later('4'), sameQuake: pending })).toEqual({ action: 'cancel', triggerId: 't1', reason: 'received_below' });
      expect(run({ telegram: later('4', '訂正'), sameQuake: pending })).toEqual({ action: 'cancel', triggerId: 't1', reason: 'received_below' });
      expect(run({ telegram: later('5+'), sameQuake: pending })).toEqual({ action: 'update', triggerId: 't1', intensity: '5+', reason: 'received' });
      // The same 5弱, now received: kept, the flag cleared (an update, not no_change).
      expect(run({ telegram: later('5-'), sameQuake: pending })).toEqual({ action: 'update', triggerId: 't1', intensity: '5-', reason: 'received' });
      // A threshold below 5弱: a received 4 still reaches it, at its real intensity.
      expect(run({ settings: { ...settings, minIntensity: '4' }, telegram: later('4'), sameQuake: pending })).toEqual({ action: 'update', triggerId: 't1', intensity: '4', reason: 'received' });
      // Still 未入電 in the areas: nothing received to decide on, it stays pending.
      expect(run({ telegram: { ...unreceived('3'), reportAt: '2026-12-01T10:06:00+09:00' }, sameQuake: pending })).toMatchObject({ action: 'none', reason: 'no_change' });
      // Not a 未入電 trigger: a lower later 発表 never lowers it (as before).
      expect(run({ telegram: later('4'), sameQuake: trigger() })).toMatchObject({ action: 'none', reason: 'no_change' });
    });
    it('a received 5強 decides as usual; 未入電 elsewhere is not ours; stale or 訓練 stays so', () => {
      expect(run({ settings: { ...settings, minIntensity: '6-' }, telegram: { ...unreceived('5+') } })).toMatchObject({ action: 'none', reason: 'below_threshold', intensity: '5+' });
      expect(run({ settings: { ...settings, areaCodes: ['501'] }, telegram: unreceived(null) })).toMatchObject({ action: 'none', reason: 'not_in_area' });
      expect(run({ settings: { ...settings, minIntensity: '6-' }, telegram: unreceived(null), now: new Date('2026-12-01T05:00:00Z') })).toMatchObject({ action: 'none', reason: 'stale' });
      expect(run({ telegram: { ...unreceived(null), status: '訓練' } })).toMatchObject({ action: 'none', reason: 'training' });
    });
  });
  describe('a 未入電 trigger and a later report that omits the area', () => {
    // The rule: a later 発表 naming none of the areas (nor the cities) gives no reading for them; the
    // trigger stays pending and its hold-off ends with the best reading known, 5弱 assumed from 未入電.
    // A 訂正 that omits them is JMA correcting them out: cancelled, nobody asked.
    const pending = trigger({ intensity: '5-', unreceived: true });
    const elsewhere = (infoType: Telegram['infoType']) => telegram({ title: '震源・震度に関する情報', reportAt: '2026-12-01T10:06:00+09:00', infoType, area: '510', at: '4' });
    it('a 発表: it stays pending (no change), so it fires as 未入電', () => {
      expect(run({ telegram: elsewhere('発表'), sameQuake: pending })).toEqual({ action: 'none', reason: 'no_change', intensity: null });
    });
    it('a 訂正: cancelled', () => {
      expect(run({ telegram: elsewhere('訂正'), sameQuake: pending })).toEqual({ action: 'cancel', triggerId: 't1', reason: 'corrected_below' });
    });
  });
  describe('cities chosen besides the areas (JMA 地震情報／市町村等)', () => {
    const withCity = { ...settings, cityCodes: ['2621100'] };
    /** A 震源・震度に関する情報: 京都府南部 at `area`, 宇治市 at `uji`, 京田辺市 at `tanabe` (or 未入電, or not listed). */
    const vxse53 = (area: Intensity, uji: Intensity, tanabe: Intensity | 'unreceived' | 'absent', over: Partial<Telegram> = {}) =>
      telegram({
        title: '震源・震度に関する情報', reportAt: '2026-12-01T10:06:00+09:00', maxInt: area,
        areas: [{ code: '511', name: '京都府南部', maxInt: area, condition: null, cities: [
          { code: '2620400', name: '宇治市', maxInt: uji, condition: null },
          ...(tanabe === 'absent' ? [] : [{ code: '2621100', name: '京田辺市', maxInt: tanabe === 'unreceived' ? null : tanabe, condition: tanabe === 'unreceived' ? UNRECEIVED : null } as const]),
        ] }],
        ...over,
      });
    it('which reading decides: the chosen cities’ when the telegram lists one of them, else the areas’', () => {
      expect(readingFor(vxse53('5-', '5-', '4'), withCity)).toEqual({ basis: 'city', measured: '4', unreceived: false, places: ['京田辺市'] });
      expect(readingFor(vxse53('5-', '5-', '4'), settings)).toEqual({ basis: 'area', measured: '5-', unreceived: false, places: ['京都府南部'] });
      // A 震度速報 lists areas only; a VXSE53 without the chosen city: the area decides, as without cities.
      expect(readingFor(telegram(), withCity)).toEqual({ basis: 'area', measured: '5-', unreceived: false, places: ['京都府南部'] });
      expect(readingFor(vxse53('5-', '5-', 'absent'), withCity)).toMatchObject({ basis: 'area', measured: '5-' });
      expect(readingFor(vxse53('4', '4', 'unreceived'), withCity)).toEqual({ basis: 'city', measured: null, unreceived: true, places: ['京田辺市'] });
      // Several chosen cities: the strongest, named first.
      expect(readingFor(vxse53('5+', '5+', '4'), { ...withCity, cityCodes: ['2621100', '2620400'] })).toEqual({ basis: 'city', measured: '5+', unreceived: false, places: ['宇治市', '京田辺市'] });
    });
    it('a VXSE53 alone decides on the city: the area at 5弱 with the city at 4 starts nothing; the city at 5弱 starts', () => {
      expect(run({ settings: withCity, telegram: vxse53('5-', '5-', '4') })).toEqual({ action: 'none', reason: 'below_threshold', intensity: '4' });
      expect(run({ settings: withCity, telegram: vxse53('5-', '4', '5-') })).toMatchObject({ action: 'pend', intensity: '5-', reason: 'above_threshold' });
    });
    it('震度５弱以上未入電 at city level counts as the area rule does', () => {
      expect(run({ settings: withCity, telegram: vxse53('4', '4', 'unreceived') })).toMatchObject({ action: 'pend', intensity: '5-', reason: 'unreceived' });
      expect(run({ settings: { ...withCity, minIntensity: '5+' }, telegram: vxse53('4', '4', 'unreceived') })).toMatchObject({ action: 'none', reason: 'unreceived_unsure' });
      // 未入電 in another city of the area is not the chosen city's.
      const otherUnreceived = vxse53('4', '4', '3');
      otherUnreceived.areas[0]!.cities[0] = { code: '2620400', name: '宇治市', maxInt: null, condition: UNRECEIVED };
      expect(run({ settings: withCity, telegram: otherUnreceived })).toEqual({ action: 'none', reason: 'below_threshold', intensity: '3' });
    });
    it('pending on the area’s 震度速報, the later city reading re-decides it: below the threshold cancelled, at or above kept at the city’s intensity', () => {
      const pending = trigger({ intensity: '5-' });
      expect(run({ settings: withCity, telegram: vxse53('5-', '5-', '4'), sameQuake: pending })).toEqual({ action: 'cancel', triggerId: 't1', reason: 'city_below' });
      expect(run({ settings: withCity, telegram: vxse53('5+', '5+', '5+'), sameQuake: pending })).toEqual({ action: 'update', triggerId: 't1', intensity: '5+', reason: 'city' });
      expect(run({ settings: withCity, telegram: vxse53('5-', '4', '5-'), sameQuake: pending })).toEqual({ action: 'none', reason: 'no_change', intensity: '5-' });
      // Without cities chosen the same telegram never lowers it (as before).
      expect(run({ telegram: vxse53('5-', '5-', '4'), sameQuake: pending })).toMatchObject({ action: 'none', reason: 'no_change' });
      // The chosen city not listed: the area decides, the trigger stays.
      expect(run({ settings: withCity, telegram: vxse53('5-', '5-', 'absent'), sameQuake: pending })).toMatchObject({ action: 'none', reason: 'no_change' });
    });
    it('cancelled below by the city, a newer report with the city across the threshold reopens it', () => {
      const cancelled = trigger({ status: 'cancelled', cancelReason: 'corrected_below', lastReportAt: new Date('2026-12-01T01:06:00Z') });
      expect(run({ settings: withCity, telegram: vxse53('5+', '5+', '5-', { reportAt: '2026-12-01T10:10:00+09:00' }), sameQuake: cancelled })).toMatchObject({ action: 'reopen', intensity: '5-' });
    });
  });
});
