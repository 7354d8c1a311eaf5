import type { ComponentChildren, InputHTMLAttributes, LooseInputHTMLAttributes } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Channel } from '../api.js';
import { locale, t } from '../lib/i18n.js';

/** A user-facing message for an error thrown by the API client. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network');
    if (error.status === 401) return t('errors.unauthorized');
    if (error.status === 403) return t('errors.forbidden');
    if (error.status === 404) return t('errors.notFound');
    if (error.status === 413) return t('errors.tooLarge');
    if (error.status === 429) return t('errors.rateLimited');
    if (error.status >= 500) return t('errors.server');
    return error.message || t('errors.unknown');
  }
  return t('errors.unknown');
}

export function ErrorAlert({ error, message }: { error?: unknown; message?: string }) {
  if (!error && !message) return null;
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div class="alert alert-error" role="alert">
      <p>{message ?? errorMessage(error)}</p>
      {issues.length > 0 && (
        <ul>
          {issues.map((issue, i) => (
            <li key={i}>
              {issue.field ? `${issue.field}: ` : ''}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children, testid }: { children: ComponentChildren; testid?: string }) {
  return (
    <div class="alert alert-success" role="status" data-testid={testid}>
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

type InputProps = Omit<LooseInputHTMLAttributes<HTMLInputElement>, 'value' | 'onInput' | 'label' | 'role'>;

export function TextField({
  id,
  label,
  value,
  onValue,
  hint,
  ...rest
}: InputProps & { id: string; label: string; value: string; onValue: (value: string) => void; hint?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        {...(rest as InputHTMLAttributes<HTMLInputElement>)}
        id={id}
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
    </div>
  );
}

export function SelectField({
  id,
  label,
  value,
  onValue,
  options,
  required,
}: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: { value: string; label: string }[];
  required?: boolean;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} required={required} onChange={(event) => onValue(event.currentTarget.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export const CHANNELS: Channel[] = ['app', 'speaker', 'paper'];

export function ChannelList({ channels }: { channels: Channel[] }) {
  if (channels.length === 0) return <span class="muted">{t('common.none')}</span>;
  return (
    <span class="badges">
      {channels.map((channel) => (
        <span key={channel} class={`badge badge-${channel}`}>
          {t(`channels.${channel}`)}
        </span>
      ))}
    </span>
  );
}

export function ChannelCheckboxes({
  idPrefix,
  value,
  onValue,
}: {
  idPrefix: string;
  value: Channel[];
  onValue: (value: Channel[]) => void;
}) {
  return (
    <fieldset class="field checkbox-group">
      <legend>{t('household.channels')}</legend>
      {CHANNELS.map((channel) => (
        <div class="check" key={channel}>
          <input
            type="checkbox"
            id={`${idPrefix}-${channel}`}
            checked={value.includes(channel)}
            onChange={(event) => {
              const checked = event.currentTarget.checked;
              onValue(checked ? CHANNELS.filter((c) => c === channel || value.includes(c)) : value.filter((c) => c !== channel));
            }}
          />
          <label for={`${idPrefix}-${channel}`}>{t(`channels.${channel}`)}</label>
        </div>
      ))}
    </fieldset>
  );
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return t('common.never');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(date);
}

export function languageName(language: string): string {
  return t(`languages.${language}`);
}

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (update: (previous: T | undefined) => T | undefined) => void;
}

/**
 * Runs an async loader when deps change and on reload(); ignores answers that arrive
 * after a newer request started. Keeps the previous data while reloading.
 */
export function useAsync<T>(loader: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loaderRef = useRef(loader);
  loaderRef.current = loader;

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loaderRef
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setDataState(() => value);
        setError(undefined);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err);
        setLoading(false);
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback((update: (previous: T | undefined) => T | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}

/** Sets document.title for the page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} | tonari 隣` : 'tonari 隣';
  }, [title]);
}

export function PageHeading({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1} class="page-title">{children}</h1>;
}

/** "11月22日 9:30" / "22 November, 09:30". */
export function formatShortDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(locale(), {
    year: sameYear ? undefined : 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(date);
}

/** "11月30日" (with the year when it is not this year). */
export function formatMonthDay(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(locale(), { year: sameYear ? undefined : 'numeric', month: 'long', day: 'numeric' }).format(date);
}

/** Returns a function that runs `fn` once, `delay` ms after the last call. */
export function useDebounced(fn: () => void, delay: number): () => void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      fnRef.current();
    }, delay);
  }, [delay]);
}

// ── Toasts ─────────────────────────────────────────────────────────────────────────────

export interface Toast {
  id: number;
  message: string;
  link?: { href: string; label: string };
}

let toasts: Toast[] = [];
let nextToastId = 1;
const toastListeners = new Set<(list: Toast[]) => void>();

function setToasts(list: Toast[]): void {
  toasts = list;
  for (const listener of toastListeners) listener(list);
}

export function dismissToast(id: number): void {
  setToasts(toasts.filter((toast) => toast.id !== id));
}

/** Removes the toasts that link to `href` (e.g. once that page is open). */
export function dismissToastsFor(href: string): void {
  if (toasts.some((toast) => toast.link?.href === href)) setToasts(toasts.filter((toast) => toast.link?.href !== href));
}

/** Shows a short message at the bottom of the screen for a few seconds. */
export function showToast(message: string, link?: Toast['link'], durationMs = 10_000): void {
  const toast: Toast = { id: nextToastId++, message, link };
  setToasts([...toasts.slice(-2), toast]);
  setTimeout(() => dismissToast(toast.id), durationMs);
}

export function ToastHost({ renderLink }: { renderLink: (link: NonNullable<Toast['link']>, onClick: () => void) => ComponentChildren }) {
  const [list, setList] = useState<Toast[]>(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => void toastListeners.delete(setList);
  }, []);
  return (
    <div class="toasts no-print" role="status" aria-live="polite">
      {list.map((toast) => (
        <div key={toast.id} class="toast" data-testid="toast">
          <p>{toast.message}</p>
          <div class="actions">
            {toast.link && renderLink(toast.link, () => dismissToast(toast.id))}
            <button type="button" class="secondary small" onClick={() => dismissToast(toast.id)}>
              {t('common.close')}
            </button>
          </div>
        </div>
      ))}
    </div>
  );
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
  const today = new Date().toDateString() === date.toDateString();
  if (!today) return formatShortDateTime(iso);
  return new Intl.DateTimeFormat(locale(), { hour: 'numeric', minute: '2-digit' }).format(date);
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

/** The current time, updated every `intervalMs` (for "15分前" that stays true). */
export function useNow(intervalMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
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
