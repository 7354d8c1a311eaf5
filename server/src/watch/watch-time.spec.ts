import { describe, expect, it } from 'vitest';
import { afterQuietHours, inQuietHours, nextCheckAt } from './watch-time.js';

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
});
