// ── The association's time zone ────────────────────────────────────────────────────────
// Every time the app shows or reads (lib/format.ts, lib/datetime-local.ts) is in the
// association's zone (session.association.timeZone, Asia/Tokyo by default), whatever zone
// the phone or PC is set to. No DOM here, so it is tested on its own.

let zone = 'Asia/Tokyo';

/** Set from the session (app.tsx): the zone every time is shown in. */
export function setTimeZone(timeZone: string | null | undefined): void {
  zone = timeZone || 'Asia/Tokyo';
}

export function timeZone(): string {
  return zone;
}

/** The wall-clock parts of an instant in `tz`. */
export function wallClock(date: Date, tz = zone) {
  const parts: Record<string, number> = {};
  const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  for (const part of format.formatToParts(date)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute', number>;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-01" of an instant in the association's zone (to tell today and this year). */
export function localDateOf(date: Date, tz = zone): string {
  const w = wallClock(date, tz);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}
