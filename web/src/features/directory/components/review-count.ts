import { useEffect, useState } from 'preact/hooks';
import { api } from '../../../lib/api.js';

const listeners = new Set<() => void>();

/** Tells the navigation's badge that a change was reviewed. */
export function notifyReviewChanged() {
  for (const listener of listeners) listener();
}

/** How many organisations' changes wait for this officer's review (0 for anyone else), for the navigation's badge. */
export function useReviewCount(officer: boolean, path: string): number {
  const [count, setCount] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  useEffect(() => {
    if (!officer) return setCount(0);
    const controller = new AbortController();
    api.directoryReview(controller.signal).then((r) => setCount(r.items.length)).catch(() => undefined);
    return () => controller.abort();
    // Re-counted on each page change (cheap: one indexed count) and after a review.
  }, [officer, path.startsWith('/directory'), tick]);
  return count;
}
