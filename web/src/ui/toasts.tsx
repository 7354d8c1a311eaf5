import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../lib/i18n.js';

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
