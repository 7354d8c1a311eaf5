/**
 * Times as the association lives them: every time shown, exported (CSV) or put in a file
 * name goes through these, in the association's time zone (associations.time_zone,
 * Asia/Tokyo by default), never in the server's zone or UTC.
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
