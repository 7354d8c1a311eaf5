// ── Dates for <input type="datetime-local"> ──────────────────────────────────────────
// The input's wall-clock time is the association's (lib/format.ts timeZone()), not the
// device's: an officer abroad schedules 18:00 in Tokyo as 18:00 in Tokyo.

import { timeZone, wallClock } from './time-zone.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** Minutes `zone` is ahead of UTC at this instant. */
function offsetMinutes(date: Date, zone: string): number {
  const w = wallClock(date, zone);
  return Math.round((Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(date.getTime() / 60_000) * 60_000) / 60_000);
}

/** "2026-11-30T18:00" (the association's time) → "2026-11-30T18:00:00+09:00"; '' → null. */
export function localToIso(local: string, zone = timeZone()): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as number[];
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!);
  if (Number.isNaN(asUtc)) return null;
  // The offset at the guess, then at the result (they differ only across a DST change).
  let offset = offsetMinutes(new Date(asUtc), zone);
  offset = offsetMinutes(new Date(asUtc - offset * 60_000), zone);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local.slice(0, 16)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An ISO date-time → the association's "YYYY-MM-DDTHH:mm" a datetime-local input shows. */
export function isoToLocal(iso: string | null | undefined, zone = timeZone()): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const w = wallClock(date, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}
