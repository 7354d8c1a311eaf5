import type { MyDrill } from '../../../../../server/src/contracts/drills.js';
import type { ResourceOptions } from '../../../lib/use-resource.js';

/** Lists of drills refetch (coalesced) when any drill starts, ends or moves on. */
export const DRILL_LIST_REFRESH: ResourceOptions = { events: ['drill:started', 'drill:ended', 'drill:updated'], debounceMs: 300 };

/** Puts a household's new answer in place in its list of drills (optimistic, before the refetch). */
export function withMyDrill(next: MyDrill): (previous: { items: MyDrill[] } | undefined) => { items: MyDrill[] } | undefined {
  return (previous) => previous && { items: previous.items.map((i) => (i.drill.id === next.drill.id ? next : i)) };
}
