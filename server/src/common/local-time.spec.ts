import { describe, expect, it } from 'vitest';
import { formatLocal, localDate } from './local-time.js';
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
});
