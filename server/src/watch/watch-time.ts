/**
 * Time in the homes tonari watches: Japan, UTC+9 all year (no daylight saving). Quiet
 * hours are local clock times, possibly across midnight (22:00–06:00).
 */
const JST_OFFSET_MS = 9 * 3600_000;

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Minutes since local midnight of an instant. */
export function localMinutes(at: Date): number {
  const local = new Date(at.getTime() + JST_OFFSET_MS);
  return local.getUTCHours() * 60 + local.getUTCMinutes();
}

export function inQuietHours(at: Date, quiet: { start: string; end: string } | null): boolean {
  if (!quiet) return false;
  const now = localMinutes(at);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The end of the quiet period `at` falls in (or `at` itself outside quiet hours). */
export function afterQuietHours(at: Date, quiet: { start: string; end: string } | null): Date {
  if (!inQuietHours(at, quiet)) return at;
  const now = localMinutes(at);
  const end = minutesOf(quiet!.end);
  const wait = (end - now + 24 * 60) % (24 * 60);
  return new Date(at.getTime() + wait * 60_000 - (at.getTime() % 60_000));
}

/**
 * When a home that was last active at `lastActivity` is next checked: after the inactivity
 * threshold, but not during quiet hours (a resident asleep is not a resident missing).
 */
export function nextCheckAt(lastActivity: Date, settings: { inactivityHours: number; quietHours: { start: string; end: string } | null }): Date {
  // Rounded: a threshold set in seconds is a fraction of an hour.
  return afterQuietHours(new Date(lastActivity.getTime() + Math.round(settings.inactivityHours * 3600_000)), settings.quietHours);
}

/** The local date (YYYY-MM-DD) and hour of an instant. */
export function localDateHour(at: Date): { date: string; hour: number } {
  const local = new Date(at.getTime() + JST_OFFSET_MS);
  return { date: local.toISOString().slice(0, 10), hour: local.getUTCHours() };
}

/**
 * The local hour a watch day starts: activity before it (a trip to the toilet at 02:00)
 * belongs to the night before, so "active today" means active since 04:00.
 */
export const DAY_START_HOUR = 4;

/** The start (local 04:00) of the watch day an instant falls in. */
export function dayStartOf(at: Date): Date {
  const shift = JST_OFFSET_MS - DAY_START_HOUR * 3600_000;
  return new Date(Math.floor((at.getTime() + shift) / 86_400_000) * 86_400_000 - shift);
}

/**
 * The rhythm check of a home last active at `lastActivity` (rhythm.service.ts): on the first
 * watch day with no activity yet, `graceSeconds` after the hour by which the home is usually
 * active. A home active today is not checked by its rhythm until tomorrow.
 */
export function rhythmCheckAt(lastActivity: Date, usualHour: number, graceSeconds: number): Date {
  const nextDay = dayStartOf(lastActivity).getTime() + 86_400_000;
  return new Date(nextDay + (usualHour - DAY_START_HOUR) * 3600_000 + graceSeconds * 1000);
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
 * When a home is next checked after `from`, on its stored rules: the fixed threshold, or its
 * rhythm check when that comes first; neither during quiet hours.
 */
export function nextCheckOf(from: Date, s: StoredRules): Date {
  const fallback = nextCheckAt(from, { inactivityHours: s.inactivity_seconds / 3600, quietHours: quietOf(s) });
  if (!rhythmApplies(s)) return fallback;
  const rhythm = afterQuietHours(rhythmCheckAt(from, s.rhythm_usual_hour!, s.rhythm_grace_seconds ?? 7200), quietOf(s));
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
export function effectiveNextCheck(s: StoredRules & { last_activity_at: Date | null; next_check_at: Date | null }): Date | null {
  if (!s.next_check_at || !s.last_activity_at) return s.next_check_at;
  const deadline = nextCheckOf(s.last_activity_at, s);
  const trails = s.next_check_at < deadline && s.next_check_at.getTime() >= deadline.getTime() - checkSlackMs(s);
  return trails ? deadline : s.next_check_at;
}
