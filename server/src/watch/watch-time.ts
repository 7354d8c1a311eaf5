import { dateOfReading, dayOfReading, instantsOfReading, localReading, readingOf } from '../common/local-time.js';

/**
 * Time in the homes tonari watches, by the clock of the home's association
 * (associations.time_zone, an IANA zone such as Asia/Tokyo): quiet hours are clock times,
 * possibly across midnight (22:00–06:00), and the watch day starts at 04:00 — both as that
 * zone's clock reads them, daylight saving included (common/local-time.ts). Every function
 * that reads a clock takes the zone; none assumes one. Durations (the inactivity threshold,
 * the rhythm's grace) are elapsed time, not clock time. The arithmetic is on the clock's
 * readings (local-time.ts localReading): ingest works out a next check for every home of a
 * batch, so no dates as strings on that path.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** The first instant `zone`'s clock shows a reading (or passes it, when its clocks skip it). */
const firstInstantOf = (reading: number, zone: string) => instantsOfReading(reading, zone)[0]!;

/** Minutes since local midnight of an instant, by `zone`'s clock. */
export function localMinutes(at: Date, zone: string): number {
  const reading = localReading(at, zone);
  return Math.floor((reading - dayOfReading(reading)) / MINUTE_MS);
}

export function inQuietHours(at: Date, quiet: { start: string; end: string } | null, zone: string): boolean {
  if (!quiet) return false;
  const now = localMinutes(at, zone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The end of the quiet period `at` falls in (or `at` itself outside quiet hours): the first
 * instant after `at` at which `zone`'s clock reads the end time — on a night the clocks go
 * back, the second reading when `at` is already past the first.
 */
export function afterQuietHours(at: Date, quiet: { start: string; end: string } | null, zone: string): Date {
  if (!inQuietHours(at, quiet, zone)) return at;
  const reading = localReading(at, zone);
  const midnight = dayOfReading(reading);
  const end = minutesOf(quiet!.end);
  const endReading = midnight + end * MINUTE_MS + (reading - midnight < end * MINUTE_MS ? 0 : DAY_MS);
  const ends = instantsOfReading(endReading, zone);
  return ends.find((e) => e > at) ?? ends.at(-1)!;
}

/**
 * When a home that was last active at `lastActivity` is next checked: after the inactivity
 * threshold, but not during quiet hours (a resident asleep is not a resident missing).
 */
export function nextCheckAt(lastActivity: Date, settings: { inactivityHours: number; quietHours: { start: string; end: string } | null }, zone: string): Date {
  // Rounded: a threshold set in seconds is a fraction of an hour.
  return afterQuietHours(new Date(lastActivity.getTime() + Math.round(settings.inactivityHours * 3600_000)), settings.quietHours, zone);
}

/** The local date (YYYY-MM-DD) and hour of an instant, by `zone`'s clock. */
export function localDateHour(at: Date, zone: string): { date: string; hour: number } {
  const reading = localReading(at, zone);
  return { date: dateOfReading(reading), hour: Math.floor((reading - dayOfReading(reading)) / HOUR_MS) };
}

/**
 * The local hour a watch day starts: activity before it (a trip to the toilet at 02:00)
 * belongs to the night before, so "active today" means active since 04:00.
 */
export const DAY_START_HOUR = 4;

/** The reading of local midnight of the date of the watch day an instant falls in. */
const watchDateOf = (at: Date, zone: string) => dayOfReading(localReading(at, zone) - DAY_START_HOUR * HOUR_MS);

/** The watch day (its local date, YYYY-MM-DD) an instant falls in: before 04:00 it is the day before's. */
export function watchDayOf(at: Date, zone: string): string {
  return dateOfReading(watchDateOf(at, zone));
}

/** The start (04:00 by `zone`'s clock) of the watch day of that date. */
export function watchDayStart(day: string, zone: string): Date {
  return firstInstantOf(readingOf(day, DAY_START_HOUR), zone);
}

/** The start (local 04:00) of the watch day an instant falls in. */
export function dayStartOf(at: Date, zone: string): Date {
  return firstInstantOf(watchDateOf(at, zone) + DAY_START_HOUR * HOUR_MS, zone);
}

/**
 * The rhythm check of a home last active at `lastActivity` (rhythm.service.ts): on the first
 * watch day with no activity yet, `graceSeconds` after the hour (by `zone`'s clock) by which
 * the home is usually active. A home active today is not checked by its rhythm until tomorrow.
 */
export function rhythmCheckAt(lastActivity: Date, usualHour: number, graceSeconds: number, zone: string): Date {
  const usual = firstInstantOf(watchDateOf(lastActivity, zone) + DAY_MS + usualHour * HOUR_MS, zone);
  return new Date(usual.getTime() + graceSeconds * 1000);
}

/** A home's rules as stored: quiet hours as `HH:MM:SS` times, the threshold in seconds, the learned rhythm. */
interface StoredRules {
  inactivity_seconds: number;
  quiet_start: string | null;
  quiet_end: string | null;
  rhythm_enabled?: boolean;
  rhythm_usual_hour?: number | null;
  rhythm_grace_seconds?: number;
}

const hhmm = (t: string) => t.slice(0, 5);

/** A home's quiet hours (HH:MM), or null when it has none. */
export function quietOf(s: Pick<StoredRules, 'quiet_start' | 'quiet_end'>): { start: string; end: string } | null {
  return s.quiet_start && s.quiet_end ? { start: hhmm(s.quiet_start), end: hhmm(s.quiet_end) } : null;
}

/** Whether the home's rhythm check applies: on, and a rhythm learned. */
export const rhythmApplies = (s: StoredRules) => s.rhythm_enabled !== false && s.rhythm_usual_hour != null;

/**
 * When a home is next checked after `from`, on its stored rules, in its association's `zone`:
 * the fixed threshold, or its rhythm check when that comes first; neither during quiet hours.
 */
export function nextCheckOf(from: Date, s: StoredRules, zone: string): Date {
  const fallback = nextCheckAt(from, { inactivityHours: s.inactivity_seconds / 3600, quietHours: quietOf(s) }, zone);
  if (!rhythmApplies(s)) return fallback;
  const rhythm = afterQuietHours(rhythmCheckAt(from, s.rhythm_usual_hour!, s.rhythm_grace_seconds ?? 7200, zone), quietOf(s), zone);
  return rhythm < fallback ? rhythm : fallback;
}

/**
 * How far a home's stored next check may trail the one its latest activity gives before a
 * batch of activity writes it again: a tenth of its threshold, at most five minutes. Moving
 * `next_check_at` (indexed, for the scan) on every batch made every activity update of a home
 * a non-HOT one; within the slack only `last_activity_at` is written, in place.
 */
export function checkSlackMs(s: Pick<StoredRules, 'inactivity_seconds'>): number {
  return Math.min(300_000, s.inactivity_seconds * 100);
}

/**
 * A home's next check as its rules and latest activity have it: the stored one, unless that
 * trails the one its latest activity gives by no more than the slack — ingest left it there
 * (see checkSlackMs) — when it is the latter. A stored check set earlier on purpose (further
 * back than the slack), or later (an away period), stands.
 */
export function effectiveNextCheck(s: StoredRules & { last_activity_at: Date | null; next_check_at: Date | null }, zone: string): Date | null {
  if (!s.next_check_at || !s.last_activity_at) return s.next_check_at;
  const deadline = nextCheckOf(s.last_activity_at, s, zone);
  const trails = s.next_check_at < deadline && s.next_check_at.getTime() >= deadline.getTime() - checkSlackMs(s);
  return trails ? deadline : s.next_check_at;
}
