import { describe, expect, it } from 'vitest';
import { afterQuietHours, dayStartOf, inQuietHours, localDateHour, nextCheckAt, nextCheckOf, rhythmCheckAt, watchDayStart } from './watch-time.js';

const TOKYO = 'Asia/Tokyo';
const HONOLULU = 'Pacific/Honolulu';
const NEW_YORK = 'America/New_York';
const HOUR = 3600_000;

const jst = (local: string) => new Date(`${local}+09:00`);
const hst = (local: string) => new Date(`${local}-10:00`);
/** New York's clock: EST (-05:00) in winter, EDT (-04:00) from 2026-03-08 02:00 to 2026-11-01 02:00. */
const est = (local: string) => new Date(`${local}-05:00`);
const edt = (local: string) => new Date(`${local}-04:00`);
const night = { start: '22:00', end: '06:00' };

describe('watch time in Japan (Asia/Tokyo, the default zone)', () => {
  it('knows quiet hours across midnight', () => {
    expect(inQuietHours(jst('2026-11-22T23:30:00'), night, TOKYO)).toBe(true);
    expect(inQuietHours(jst('2026-11-22T05:59:00'), night, TOKYO)).toBe(true);
    expect(inQuietHours(jst('2026-11-22T06:00:00'), night, TOKYO)).toBe(false);
    expect(inQuietHours(jst('2026-11-22T13:00:00'), { start: '12:00', end: '14:00' }, TOKYO)).toBe(true);
    expect(inQuietHours(jst('2026-11-22T13:00:00'), null, TOKYO)).toBe(false);
  });

  it('moves a check that falls in quiet hours to their end', () => {
    expect(afterQuietHours(jst('2026-11-22T23:30:00'), night, TOKYO)).toEqual(jst('2026-11-23T06:00:00'));
    expect(afterQuietHours(jst('2026-11-22T10:00:00'), night, TOKYO)).toEqual(jst('2026-11-22T10:00:00'));
  });

  it('checks a home the threshold after its last activity, outside quiet hours', () => {
    expect(nextCheckAt(jst('2026-11-22T09:00:00'), { inactivityHours: 24, quietHours: night }, TOKYO)).toEqual(jst('2026-11-23T09:00:00'));
    expect(nextCheckAt(jst('2026-11-22T21:00:00'), { inactivityHours: 3, quietHours: night }, TOKYO)).toEqual(jst('2026-11-23T06:00:00'));
  });

  it('starts a watch day at 04:00: a trip to the toilet at 02:00 belongs to the night before', () => {
    expect(dayStartOf(jst('2026-11-22T02:00:00'), TOKYO)).toEqual(jst('2026-11-21T04:00:00'));
    expect(dayStartOf(jst('2026-11-22T04:00:00'), TOKYO)).toEqual(jst('2026-11-22T04:00:00'));
    expect(dayStartOf(jst('2026-11-22T23:59:00'), TOKYO)).toEqual(jst('2026-11-22T04:00:00'));
  });

  it('checks a home usually active by 7時 at 9時 the next day it has not been active, and not on a day it was', () => {
    expect(rhythmCheckAt(jst('2026-11-22T21:00:00'), 7, 7200, TOKYO)).toEqual(jst('2026-11-23T09:00:00'));
    expect(rhythmCheckAt(jst('2026-11-23T02:30:00'), 7, 7200, TOKYO)).toEqual(jst('2026-11-23T09:00:00'));
    expect(rhythmCheckAt(jst('2026-11-23T06:10:00'), 7, 7200, TOKYO)).toEqual(jst('2026-11-24T09:00:00'));
  });

  it('takes the earlier of the rhythm check and the fixed threshold, neither in quiet hours; the rhythm only when on', () => {
    const rules = { inactivity_seconds: 12 * 3600, quiet_start: null, quiet_end: null, rhythm_enabled: true, rhythm_usual_hour: 7, rhythm_grace_seconds: 7200 };
    expect(nextCheckOf(jst('2026-11-22T21:00:00'), rules, TOKYO)).toEqual(jst('2026-11-23T09:00:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), rules, TOKYO)).toEqual(jst('2026-11-23T09:00:00'));
    expect(nextCheckOf(jst('2026-11-23T10:00:00'), rules, TOKYO)).toEqual(jst('2026-11-23T22:00:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), { ...rules, rhythm_enabled: false }, TOKYO)).toEqual(jst('2026-11-23T14:30:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), { ...rules, rhythm_usual_hour: null }, TOKYO)).toEqual(jst('2026-11-23T14:30:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), { ...rules, quiet_start: '08:00:00', quiet_end: '10:00:00' }, TOKYO)).toEqual(jst('2026-11-23T10:00:00'));
  });
});

describe('watch time in Honolulu (UTC-10, 19 hours behind Tokyo)', () => {
  it("keeps quiet hours by Honolulu's clock: 23:30 there is quiet, though it is 18:30 in Tokyo", () => {
    const at = hst('2026-11-22T23:30:00');
    expect(inQuietHours(at, night, HONOLULU)).toBe(true);
    expect(inQuietHours(at, night, TOKYO)).toBe(false);
    expect(afterQuietHours(at, night, HONOLULU)).toEqual(hst('2026-11-23T06:00:00'));
    // 13:00 in Honolulu is 08:00 in Tokyo: not quiet there, though it would be by Tokyo's clock.
    expect(inQuietHours(hst('2026-11-22T13:00:00'), { start: '22:00', end: '09:00' }, HONOLULU)).toBe(false);
    expect(inQuietHours(hst('2026-11-22T13:00:00'), { start: '22:00', end: '09:00' }, TOKYO)).toBe(true);
  });

  it("starts the watch day at 04:00 Honolulu time and counts activity in Honolulu's hours", () => {
    expect(dayStartOf(hst('2026-11-22T02:00:00'), HONOLULU)).toEqual(hst('2026-11-21T04:00:00'));
    expect(dayStartOf(hst('2026-11-22T20:00:00'), HONOLULU)).toEqual(hst('2026-11-22T04:00:00'));
    expect(localDateHour(hst('2026-11-22T20:00:00'), HONOLULU)).toEqual({ date: '2026-11-22', hour: 20 });
  });

  it('checks a home usually active by 7時 at 9時 Honolulu time the next morning', () => {
    expect(rhythmCheckAt(hst('2026-11-22T21:00:00'), 7, 7200, HONOLULU)).toEqual(hst('2026-11-23T09:00:00'));
    const rules = { inactivity_seconds: 12 * 3600, quiet_start: '22:00:00', quiet_end: '06:00:00', rhythm_enabled: true, rhythm_usual_hour: 7, rhythm_grace_seconds: 7200 };
    expect(nextCheckOf(hst('2026-11-22T21:00:00'), rules, HONOLULU)).toEqual(hst('2026-11-23T09:00:00'));
    // Active at 10:00: the threshold's 22:00 is quiet in Honolulu, moved to 06:00, before the rhythm's 09:00.
    expect(nextCheckOf(hst('2026-11-23T10:00:00'), rules, HONOLULU)).toEqual(hst('2026-11-24T06:00:00'));
  });
});

describe('watch time in New York, across both daylight-saving changes of 2026', () => {
  describe('spring forward (2026-03-08, 02:00 EST → 03:00 EDT)', () => {
    it('keeps quiet hours 22:00–06:00 by the clock on the short night', () => {
      expect(inQuietHours(est('2026-03-07T22:00:00'), night, NEW_YORK)).toBe(true);
      expect(inQuietHours(edt('2026-03-08T05:30:00'), night, NEW_YORK)).toBe(true);
      expect(inQuietHours(edt('2026-03-08T06:00:00'), night, NEW_YORK)).toBe(false);
      // The quiet night ends at 06:00 EDT, seven hours after it began, not an hour later.
      expect(afterQuietHours(est('2026-03-07T23:30:00'), night, NEW_YORK)).toEqual(edt('2026-03-08T06:00:00'));
      expect(nextCheckAt(est('2026-03-07T20:00:00'), { inactivityHours: 5, quietHours: night }, NEW_YORK)).toEqual(edt('2026-03-08T06:00:00'));
    });

    it('ends quiet hours that end in the skipped hour when the clock jumps past their end', () => {
      // 02:30 never reads on this night: at 02:00 EST the clock reads 03:00 EDT.
      expect(afterQuietHours(est('2026-03-08T01:45:00'), { start: '22:00', end: '02:30' }, NEW_YORK)).toEqual(edt('2026-03-08T03:00:00'));
    });

    it('starts the watch day at 04:00 EDT; the day before was 23 hours long', () => {
      expect(dayStartOf(edt('2026-03-08T03:30:00'), NEW_YORK)).toEqual(est('2026-03-07T04:00:00'));
      expect(dayStartOf(edt('2026-03-08T05:00:00'), NEW_YORK)).toEqual(edt('2026-03-08T04:00:00'));
      expect(watchDayStart('2026-03-08', NEW_YORK).getTime() - watchDayStart('2026-03-07', NEW_YORK).getTime()).toBe(23 * HOUR);
    });

    it('checks a home usually active by 7時 at 09:00 EDT the morning after the change', () => {
      expect(rhythmCheckAt(est('2026-03-07T21:00:00'), 7, 7200, NEW_YORK)).toEqual(edt('2026-03-08T09:00:00'));
    });
  });

  describe('fall back (2026-11-01, 02:00 EDT → 01:00 EST)', () => {
    it('keeps quiet hours 22:00–06:00 by the clock on the long night', () => {
      expect(inQuietHours(edt('2026-10-31T22:00:00'), night, NEW_YORK)).toBe(true);
      expect(inQuietHours(est('2026-11-01T05:30:00'), night, NEW_YORK)).toBe(true);
      expect(inQuietHours(est('2026-11-01T06:00:00'), night, NEW_YORK)).toBe(false);
      // Nine hours of quiet this night: it ends at 06:00 EST.
      expect(afterQuietHours(edt('2026-10-31T23:30:00'), night, NEW_YORK)).toEqual(est('2026-11-01T06:00:00'));
      expect(nextCheckAt(edt('2026-10-31T20:00:00'), { inactivityHours: 8, quietHours: night }, NEW_YORK)).toEqual(est('2026-11-01T06:00:00'));
    });

    it('ends quiet hours that end in the repeated hour at the reading after the instant, never before it', () => {
      const quiet = { start: '00:00', end: '01:30' };
      // First pass through 01:10 (EDT): quiet until 01:30 EDT.
      expect(afterQuietHours(edt('2026-11-01T01:10:00'), quiet, NEW_YORK)).toEqual(edt('2026-11-01T01:30:00'));
      // Second pass (EST): the clock reads 01:10 again; quiet until 01:30 EST, not the 01:30 EDT already past.
      expect(afterQuietHours(est('2026-11-01T01:10:00'), quiet, NEW_YORK)).toEqual(est('2026-11-01T01:30:00'));
    });

    it('starts the watch day at 04:00 EST; the day before was 25 hours long; the repeated hour counts as one', () => {
      expect(dayStartOf(est('2026-11-01T03:00:00'), NEW_YORK)).toEqual(edt('2026-10-31T04:00:00'));
      expect(dayStartOf(est('2026-11-01T05:00:00'), NEW_YORK)).toEqual(est('2026-11-01T04:00:00'));
      expect(watchDayStart('2026-11-01', NEW_YORK).getTime() - watchDayStart('2026-10-31', NEW_YORK).getTime()).toBe(25 * HOUR);
      expect(localDateHour(edt('2026-11-01T01:30:00'), NEW_YORK)).toEqual({ date: '2026-11-01', hour: 1 });
      expect(localDateHour(est('2026-11-01T01:30:00'), NEW_YORK)).toEqual({ date: '2026-11-01', hour: 1 });
    });

    it('checks a home usually active by 7時 at 09:00 EST the morning after the change', () => {
      expect(rhythmCheckAt(edt('2026-10-31T21:00:00'), 7, 7200, NEW_YORK)).toEqual(est('2026-11-01T09:00:00'));
      const rules = { inactivity_seconds: 24 * 3600, quiet_start: '22:00:00', quiet_end: '06:00:00', rhythm_enabled: true, rhythm_usual_hour: 7, rhythm_grace_seconds: 7200 };
      expect(nextCheckOf(edt('2026-10-31T21:00:00'), rules, NEW_YORK)).toEqual(est('2026-11-01T09:00:00'));
    });
  });
});
