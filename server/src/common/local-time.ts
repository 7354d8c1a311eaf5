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

/**
 * `zone`'s clock at `at`, as a number: the milliseconds since 1970-01-01 00:00 *on that clock*
 * (the UTC timestamp of the same reading). Rules do arithmetic on readings — "04:00 on the
 * same day" is the reading's day plus four hours — and turn a reading back into an instant
 * with instantsOfReading.
 */
export function localReading(at: Date, zone: string): number {
  return at.getTime() + offsetAt(at.getTime(), zone);
}

/** The local midnight (as a reading) of the day a reading falls on. */
export const dayOfReading = (reading: number) => Math.floor(reading / DAY_MS) * DAY_MS;

/** A reading's date, "2026-12-01". */
export const dateOfReading = (reading: number) => new Date(reading).toISOString().slice(0, 10);

/** The reading of `hour`:`minute` on a date ("2026-12-01"). */
export const readingOf = (date: string, hour = 0, minute = 0) => Date.parse(`${date}T00:00:00Z`) + hour * HOUR_MS + minute * 60_000;

/** A calendar date `days` days on ("2026-12-31", 1 → "2027-01-01"); negative days go back. */
export function addDays(date: string, days: number): string {
  return dateOfReading(readingOf(date) + days * DAY_MS);
}

/**
 * The instants at which `zone`'s clock shows `reading` (to the second), earliest first: one
 * on most days; two in the hour the clocks are put back; and in the hour they are put forward
 * past it, none — then the instant they jump (the first whose reading is later), so that
 * "until 02:30" on such a night ends when the clock passes 02:30, not an hour later.
 */
export function instantsOfReading(reading: number, zone: string): Date[] {
  // The offsets a day either side: every zone's clock changes at most once within two days.
  const before = offsetAt(reading - DAY_MS, zone);
  const after = offsetAt(reading + DAY_MS, zone);
  const early = reading - Math.max(before, after);
  const late = reading - Math.min(before, after);
  const readsAt = (ms: number) => ms + offsetAt(ms, zone);
  const found: Date[] = [];
  if (readsAt(early) === reading) found.push(new Date(early));
  if (late !== early && readsAt(late) === reading) found.push(new Date(late));
  if (found.length) return found;
  if (late === early) return [new Date(early)]; // one offset all around: unreachable, it reads exactly
  // Skipped: `early` reads before the reading, `late` after it. The change lies between
  // them; found to the second by halving (twelve readings for an hour).
  let [lo, hi] = [early, late];
  while (hi - lo > 1000) {
    const middle = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (readsAt(middle) >= reading) hi = middle;
    else lo = middle;
  }
  return [new Date(hi)];
}
