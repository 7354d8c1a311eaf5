/**
 * Times as the association lives them: every time shown, exported (CSV) or put in a file
 * name goes through these, in the association's time zone (associations.time_zone,
 * Asia/Tokyo by default), never in the server's zone or UTC. So does every rule that reads a
 * clock time (the watch's quiet hours and its day starting at 04:00, watch/watch-time.ts):
 * by the zone's own clock, daylight saving included, never a fixed offset.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

const formats = new Map<string, Intl.DateTimeFormat>();

function partsIn(date: Date, zone: string) {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formats.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(date)) parts[part.type] = part.value;
  return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;
}

/** "2026-12-01" in `zone`: for file names and date columns. */
export function localDate(date: Date, zone: string): string {
  const p = partsIn(date, zone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "2026-12-01 08:05" in `zone`: how exported times read (Excel parses it as a date and time). */
export function formatLocal(date: Date, zone: string): string {
  const p = partsIn(date, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// ── Clock times in a zone, for rules ───────────────────────────────────────────────────

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** How far `zone`'s clock is ahead of UTC at `ms` (to the second), straight from Intl. */
function offsetFromIntl(ms: number, zone: string): number {
  const p = partsIn(new Date(ms), zone);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * Offsets by zone and UTC hour. The watch works out next checks for every home of every
 * ingest batch, several clock readings each; Intl's formatToParts costs microseconds a call,
 * this lookup nanoseconds. An hour is kept only when the offset is the same at its first and
 * its last second (no zone changes its clocks twice within an hour), so an hour with a change
 * in it is always asked of Intl. Bounded: a zone's map is emptied when it grows past a year.
 */
const offsets = new Map<string, Map<number, number>>();

function offsetAt(ms: number, zone: string): number {
  const hour = Math.floor(ms / HOUR_MS);
  let byHour = offsets.get(zone);
  if (!byHour) offsets.set(zone, (byHour = new Map()));
  const known = byHour.get(hour);
  if (known !== undefined) return known;
  const first = offsetFromIntl(hour * HOUR_MS, zone);
  if (first !== offsetFromIntl(hour * HOUR_MS + HOUR_MS - 1000, zone)) return offsetFromIntl(ms, zone);
  if (byHour.size > 9000) byHour.clear();
  byHour.set(hour, first);
  return first;
}

/** An instant as `zone`'s clock reads it: its local date ("2026-12-01"), hour and minute. */
export interface WallClock {
  date: string;
  hour: number;
  minute: number;
}

/** What `zone`'s clock reads at `at` (a fall-back hour reads the same twice; a skipped one never). */
export function wallClock(at: Date, zone: string): WallClock {
  const local = new Date(at.getTime() + offsetAt(at.getTime(), zone));
  return { date: local.toISOString().slice(0, 10), hour: local.getUTCHours(), minute: local.getUTCMinutes() };
}

/** A calendar date `days` days on ("2026-12-31", 1 → "2027-01-01"); negative days go back. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** `zone`'s clock reading at `ms`, as if it were UTC (to the second). */
const readingAt = (ms: number, zone: string) => Math.floor(ms / 1000) * 1000 + offsetAt(ms, zone);

/**
 * The instants at which `zone`'s clock reads `hour`:`minute` on `date`, earliest first: one
 * on most days; two in the hour the clocks are put back; and in the hour they are put forward
 * past it, none — then the instant they jump (the first whose reading is later), so that
 * "until 02:30" on such a night ends when the clock passes 02:30, not an hour later.
 */
export function instantsAt(zone: string, date: string, hour: number, minute = 0): Date[] {
  const reading = Date.parse(`${date}T00:00:00Z`) + hour * HOUR_MS + minute * 60_000;
  // The offsets a day either side: every zone's clock changes at most once within two days.
  const before = offsetAt(reading - DAY_MS, zone);
  const after = offsetAt(reading + DAY_MS, zone);
  const candidates = [...new Set([reading - before, reading - after])].sort((a, b) => a - b);
  const exact = candidates.filter((ms) => readingAt(ms, zone) === reading);
  if (exact.length || candidates.length < 2) return (exact.length ? exact : candidates).map((ms) => new Date(ms));
  // Skipped: the first candidate reads earlier than wanted, the second later. The change lies
  // between them; found to the second by halving (twelve readings for an hour).
  let [early, late] = candidates as [number, number];
  while (late - early > 1000) {
    const middle = early + Math.floor((late - early) / 2000) * 1000;
    if (readingAt(middle, zone) >= reading) late = middle;
    else early = middle;
  }
  return [new Date(late)];
}

/** The first instant at which `zone`'s clock reads `hour`:`minute` on `date` (or passes it: see instantsAt). */
export function instantAt(zone: string, date: string, hour: number, minute = 0): Date {
  return instantsAt(zone, date, hour, minute)[0]!;
}
