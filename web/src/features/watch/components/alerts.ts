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

/** The live list after one alert changed: it stays (first) while open or taken, and leaves once closed. */
export function withChangedAlert<L extends { items: Alert[] }>(previous: L | undefined, updated: Alert): L | undefined {
  if (!previous) return previous;
  const stillLive = updated.status === 'open' || updated.status === 'taken';
  const items = previous.items.filter((a) => a.id !== updated.id);
  return { ...previous, items: stillLive ? [updated, ...items] : items };
}
