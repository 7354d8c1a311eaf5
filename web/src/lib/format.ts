import { locale, t } from './i18n.js';
import { localDateOf, timeZone } from './time-zone.js';

// Every time the app shows is in the association's zone (lib/time-zone.ts, set from the
// session), whatever zone the phone or PC is set to.
export { localDateOf, setTimeZone, timeZone } from './time-zone.js';

/** "Dec 1 (Tue)" of a calendar date "YYYY-MM-DD" (a date has no zone: read and written as UTC). */
export function formatCalendarDay(date: string, options: Intl.DateTimeFormatOptions): string {
  const day = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(day.getTime())) return date;
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: 'UTC' }).format(day);
}

const sameYear = (date: Date) => localDateOf(date).slice(0, 4) === localDateOf(new Date()).slice(0, 4);

/** In the association's zone, or in `zone` (a page outside the resident's session, as the directory accounts', is told its zone by the server). */
export function formatDateTime(iso: string | null | undefined, zone = timeZone()): string {
  if (!iso) return t('common.never');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(date);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeZone: timeZone() }).format(date);
}

export function languageName(language: string): string {
  return t(`languages.${language}`);
}

/** "11月22日 9:30" / "22 November, 09:30". */
export function formatShortDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    year: sameYear(date) ? undefined : 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: timeZone(),
  }).format(date);
}

/** "11月30日" (with the year when it is not this year). */
export function formatMonthDay(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { year: sameYear(date) ? undefined : 'numeric', month: 'long', day: 'numeric', timeZone: timeZone() }).format(date);
}

// ── Times for watching and safety confirmation ─────────────────────────────────────────

/** "15分前" / "3時間前" / "2日前" (or "たった今"), relative to `now`. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return t('time.never');
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const minutes = Math.floor((now - at) / 60_000);
  if (minutes < 1) return t('time.justNow');
  if (minutes < 60) return t('time.minutesAgo', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('time.hoursAgo', { count: hours });
  return t('time.daysAgo', { count: Math.floor(hours / 24) });
}

/** "9:41" (today) or "11月22日 9:41". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const today = localDateOf(new Date()) === localDateOf(date);
  if (!today) return formatShortDateTime(iso);
  return new Intl.DateTimeFormat(locale(), { hour: 'numeric', minute: '2-digit', timeZone: timeZone() }).format(date);
}

/** 750 → "12分30秒"; 45 → "45秒"; 3720 → "1時間2分". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return t('time.hoursMinutes', { h, m });
  if (m > 0) return t('time.minutesSeconds', { m, s });
  return t('time.seconds', { s });
}

/** "（text）" in Japanese, " (text)" in English. */
export function paren(text: string): string {
  return t('common.paren', { text });
}

/** Joins short parts with the language's separator ("・" / " · "). */
export function joinParts(parts: (string | null | undefined | false)[]): string {
  return parts.filter(Boolean).join(t('common.separator'));
}

/** "from 〜 to" / "from – to". */
export function range(from: string, to: string): string {
  return t('common.range', { from, to });
}
