import { describe, expect, it } from 'vitest';
import { addDays, formatLocal, instantAt, instantsAt, localDate, wallClock } from './local-time.js';
import { canonicalTimeZone } from '../contracts/common.js';

describe('local time', () => {
  const at = new Date('2026-11-30T23:05:00Z');

  it('writes a time and a date in the association zone, not in UTC', () => {
    expect(formatLocal(at, 'Asia/Tokyo')).toBe('2026-12-01 08:05');
    expect(localDate(at, 'Asia/Tokyo')).toBe('2026-12-01');
    expect(formatLocal(at, 'UTC')).toBe('2026-11-30 23:05');
    expect(localDate(at, 'America/Los_Angeles')).toBe('2026-11-30');
  });

  it('writes midnight as 00, not 24', () => {
    expect(formatLocal(new Date('2026-11-30T15:00:00Z'), 'Asia/Tokyo')).toBe('2026-12-01 00:00');
  });

  it('knows IANA names only', () => {
    expect(canonicalTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('asia/tokyo')).toBe('Asia/Tokyo');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
    expect(canonicalTimeZone('+09:00')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });

  it("reads an instant by the zone's own clock, on either side of a daylight-saving change", () => {
    expect(wallClock(new Date('2026-11-30T23:05:00Z'), 'Asia/Tokyo')).toEqual({ date: '2026-12-01', hour: 8, minute: 5 });
    expect(wallClock(new Date('2026-11-30T23:05:00Z'), 'Pacific/Honolulu')).toEqual({ date: '2026-11-30', hour: 13, minute: 5 });
    // New York puts its clocks forward at 07:00 UTC on 2026-03-08 (02:00 EST → 03:00 EDT).
    expect(wallClock(new Date('2026-03-08T06:59:59Z'), 'America/New_York')).toEqual({ date: '2026-03-08', hour: 1, minute: 59 });
    expect(wallClock(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toEqual({ date: '2026-03-08', hour: 3, minute: 0 });
    // Adelaide (+09:30) puts them forward half an hour past a UTC hour (2026-10-03 16:30 UTC).
    expect(wallClock(new Date('2026-10-03T16:29:00Z'), 'Australia/Adelaide')).toEqual({ date: '2026-10-04', hour: 1, minute: 59 });
    expect(wallClock(new Date('2026-10-03T16:30:00Z'), 'Australia/Adelaide')).toEqual({ date: '2026-10-04', hour: 3, minute: 0 });
  });

  it('finds the instant a clock reads a time: once, twice when the clocks go back, and the jump when they skip it', () => {
    expect(instantAt('Asia/Tokyo', '2026-12-01', 4)).toEqual(new Date('2026-11-30T19:00:00Z'));
    expect(instantAt('Pacific/Honolulu', '2026-12-01', 4)).toEqual(new Date('2026-12-01T14:00:00Z'));
    expect(instantsAt('America/New_York', '2026-11-01', 1, 30)).toEqual([new Date('2026-11-01T05:30:00Z'), new Date('2026-11-01T06:30:00Z')]);
    expect(instantsAt('America/New_York', '2026-03-08', 2, 30)).toEqual([new Date('2026-03-08T07:00:00Z')]);
    expect(instantsAt('Australia/Adelaide', '2026-10-04', 2, 15)).toEqual([new Date('2026-10-03T16:30:00Z')]);
  });

  it('counts calendar days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-08', -28)).toBe('2026-02-08');
  });
});
