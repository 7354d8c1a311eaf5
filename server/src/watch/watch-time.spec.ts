import { describe, expect, it } from 'vitest';
import { afterQuietHours, dayStartOf, inQuietHours, nextCheckAt, nextCheckOf, rhythmCheckAt } from './watch-time.js';

const jst = (local: string) => new Date(`${local}+09:00`);
const night = { start: '22:00', end: '06:00' };

describe('watch time', () => {
  it('knows quiet hours across midnight, in Japan time', () => {
    expect(inQuietHours(jst('2026-11-22T23:30:00'), night)).toBe(true);
    expect(inQuietHours(jst('2026-11-22T05:59:00'), night)).toBe(true);
    expect(inQuietHours(jst('2026-11-22T06:00:00'), night)).toBe(false);
    expect(inQuietHours(jst('2026-11-22T13:00:00'), { start: '12:00', end: '14:00' })).toBe(true);
    expect(inQuietHours(jst('2026-11-22T13:00:00'), null)).toBe(false);
  });

  it('moves a check that falls in quiet hours to their end', () => {
    expect(afterQuietHours(jst('2026-11-22T23:30:00'), night)).toEqual(jst('2026-11-23T06:00:00'));
    expect(afterQuietHours(jst('2026-11-22T10:00:00'), night)).toEqual(jst('2026-11-22T10:00:00'));
  });

  it('checks a home the threshold after its last activity, outside quiet hours', () => {
    expect(nextCheckAt(jst('2026-11-22T09:00:00'), { inactivityHours: 24, quietHours: night })).toEqual(jst('2026-11-23T09:00:00'));
    expect(nextCheckAt(jst('2026-11-22T21:00:00'), { inactivityHours: 3, quietHours: night })).toEqual(jst('2026-11-23T06:00:00'));
  });

  it('starts a watch day at 04:00 Japan time: a trip to the toilet at 02:00 belongs to the night before', () => {
    expect(dayStartOf(jst('2026-11-22T02:00:00'))).toEqual(jst('2026-11-21T04:00:00'));
    expect(dayStartOf(jst('2026-11-22T04:00:00'))).toEqual(jst('2026-11-22T04:00:00'));
    expect(dayStartOf(jst('2026-11-22T23:59:00'))).toEqual(jst('2026-11-22T04:00:00'));
  });

  it('checks a home usually active by 7時 at 9時 the next day it has not been active, and not on a day it was', () => {
    expect(rhythmCheckAt(jst('2026-11-22T21:00:00'), 7, 7200)).toEqual(jst('2026-11-23T09:00:00'));
    expect(rhythmCheckAt(jst('2026-11-23T02:30:00'), 7, 7200)).toEqual(jst('2026-11-23T09:00:00'));
    expect(rhythmCheckAt(jst('2026-11-23T06:10:00'), 7, 7200)).toEqual(jst('2026-11-24T09:00:00'));
  });

  it('takes the earlier of the rhythm check and the fixed threshold, neither in quiet hours; the rhythm only when on', () => {
    const rules = { inactivity_seconds: 12 * 3600, quiet_start: null, quiet_end: null, rhythm_enabled: true, rhythm_usual_hour: 7, rhythm_grace_seconds: 7200 };
    expect(nextCheckOf(jst('2026-11-22T21:00:00'), rules)).toEqual(jst('2026-11-23T09:00:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), rules)).toEqual(jst('2026-11-23T09:00:00'));
    expect(nextCheckOf(jst('2026-11-23T10:00:00'), rules)).toEqual(jst('2026-11-23T22:00:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), { ...rules, rhythm_enabled: false })).toEqual(jst('2026-11-23T14:30:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), { ...rules, rhythm_usual_hour: null })).toEqual(jst('2026-11-23T14:30:00'));
    expect(nextCheckOf(jst('2026-11-23T02:30:00'), { ...rules, quiet_start: '08:00:00', quiet_end: '10:00:00' })).toEqual(jst('2026-11-23T10:00:00'));
  });
});
