import { describe, expect, it } from 'vitest';
import { isoToLocal, localToIso } from './datetime-local.js';
import { localDateOf, setTimeZone } from './time-zone.js';

describe("the web app's times in the association zone", () => {
  it('reads and writes datetime-local values in the zone, not the device zone', () => {
    expect(localToIso('2026-12-01T08:05', 'Asia/Tokyo')).toBe('2026-12-01T08:05:00+09:00');
    expect(localToIso('2026-07-01T08:05', 'America/New_York')).toBe('2026-07-01T08:05:00-04:00');
    expect(localToIso('2026-12-01T08:05', 'America/New_York')).toBe('2026-12-01T08:05:00-05:00');
    expect(localToIso('', 'UTC')).toBeNull();
    expect(isoToLocal('2026-11-30T23:05:00Z', 'Asia/Tokyo')).toBe('2026-12-01T08:05');
    expect(isoToLocal('2026-11-30T23:05:00Z', 'America/New_York')).toBe('2026-11-30T18:05');
    expect(isoToLocal(localToIso('2026-03-08T12:30', 'America/New_York'), 'America/New_York')).toBe('2026-03-08T12:30');
  });

  it('follows the zone the session sets', () => {
    const at = new Date('2026-11-30T23:05:00Z');
    setTimeZone('Asia/Tokyo');
    expect(localDateOf(at)).toBe('2026-12-01');
    expect(isoToLocal(at.toISOString())).toBe('2026-12-01T08:05');
    setTimeZone('UTC');
    expect(localDateOf(at)).toBe('2026-11-30');
    setTimeZone(null);
    expect(localDateOf(at)).toBe('2026-12-01');
  });
});
