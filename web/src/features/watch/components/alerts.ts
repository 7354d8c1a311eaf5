import type { Alert } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';

/** The latest state of one alert (live first, then closed). */
export async function findAlert(id: string): Promise<Alert | undefined> {
  try {
    const live = await api.watchAlerts('live');
    const found = live.items.find((a) => a.id === id);
    if (found) return found;
    const closed = await api.watchAlerts('closed');
    return closed.items.find((a) => a.id === id);
  } catch {
    return undefined;
  }
}

/** Newest first. */
export function byNewest(a: Alert, b: Alert): number {
  return Date.parse(b.raisedAt) - Date.parse(a.raisedAt);
}
