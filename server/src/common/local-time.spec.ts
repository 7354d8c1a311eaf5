import { describe, expect, it } from 'vitest';
import { addDays, formatLocal, instantsOfReading, localDate, localReading, readingOf } from './local-time.js';
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

  /** What the zone's clock shows at an instant, "YYYY-MM-DDTHH:MM:SS". */
  const clock = (iso: string, zone: string) => new Date(localReading(new Date(iso), zone)).toISOString().slice(0, 19);
  /** The instants the zone's clock shows "YYYY-MM-DDTHH:MM". */
  const instants = (local: string, zone: string) => instantsOfReading(readingOf(local.slice(0, 10), +local.slice(11, 13), +local.slice(14, 16)), zone).map((d) => d.toISOString());

  it("reads an instant by the zone's own clock, on either side of a daylight-saving change", () => {
    expect(clock('2026-11-30T23:05:00Z', 'Asia/Tokyo')).toBe('2026-12-01T08:05:00');
    expect(clock('2026-11-30T23:05:00Z', 'Pacific/Honolulu')).toBe('2026-11-30T13:05:00');
    // New York puts its clocks forward at 07:00 UTC on 2026-03-08 (02:00 EST → 03:00 EDT).
    expect(clock('2026-03-08T06:59:59Z', 'America/New_York')).toBe('2026-03-08T01:59:59');
    expect(clock('2026-03-08T07:00:00Z', 'America/New_York')).toBe('2026-03-08T03:00:00');
    // Adelaide (+09:30) puts them forward half an hour past a UTC hour (2026-10-03 16:30 UTC).
    expect(clock('2026-10-03T16:29:00Z', 'Australia/Adelaide')).toBe('2026-10-04T01:59:00');
    expect(clock('2026-10-03T16:30:00Z', 'Australia/Adelaide')).toBe('2026-10-04T03:00:00');
  });

  it('finds the instant a clock reads a time: once, twice when the clocks go back, and the jump when they skip it', () => {
    expect(instants('2026-12-01T04:00', 'Asia/Tokyo')).toEqual(['2026-11-30T19:00:00.000Z']);
    expect(instants('2026-12-01T04:00', 'Pacific/Honolulu')).toEqual(['2026-12-01T14:00:00.000Z']);
    expect(instants('2026-11-01T01:30', 'America/New_York')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
    expect(instants('2026-03-08T02:30', 'America/New_York')).toEqual(['2026-03-08T07:00:00.000Z']);
    expect(instants('2026-10-04T02:15', 'Australia/Adelaide')).toEqual(['2026-10-03T16:30:00.000Z']);
  });

  it('counts calendar days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-08', -28)).toBe('2026-02-08');
  });
});
