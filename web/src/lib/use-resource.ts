import { useAsync, useDebounced, type AsyncState } from './hooks.js';
import { useSocketEvents, useSocketReconnect, type SocketEventName, type SocketEventPayload } from './socket.js';

/** Per event: whether this occurrence concerns the resource (e.g. it is about this circular). */
export type EventFilters = { [E in SocketEventName]?: (payload: SocketEventPayload<E>) => boolean };

export interface ResourceOptions {
  /** Loads again when these change (like an effect's dependencies). */
  deps?: unknown[];
  /** The server events after which the resource may be stale. */
  events?: SocketEventName[];
  filter?: EventFilters;
  /** Bursts of events refetch once, this long after the last one; 0 refetches at once. */
  debounceMs?: number;
  /**
   * On socket (re)connect events may have been missed: 'reload' at once (the default),
   * 'debounced' like an event, or false for resources that never refetched on reconnect.
   */
  onReconnect?: 'reload' | 'debounced' | false;
  /** Runs with each refetch caused by an event or a reconnect (for state that goes with it). */
  onRefresh?: () => void;
}

export interface Resource<T> extends AsyncState<T> {
  /** Refetches after the debounce delay (or at once without one), as an event would. */
  refresh: () => void;
}

/**
 * A resource the page shows: loaded on mount and when deps change, kept fresh on the socket
 * events that concern it and on reconnect. setData is for optimistic updates.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, options: ResourceOptions = {}): Resource<T> {
  const { deps = [], events = [], filter = {}, debounceMs = 0, onReconnect = 'reload', onRefresh } = options;
  const state = useAsync(load, deps);
  const reload = () => {
    state.reload();
    onRefresh?.();
  };
  const debounced = useDebounced(reload, debounceMs);
  const refresh = debounceMs > 0 ? debounced : reload;
  useSocketEvents(events, (event, payload) => {
    const concerns = filter[event] as ((payload: unknown) => boolean) | undefined;
    if (!concerns || concerns(payload)) refresh();
  });
  useSocketReconnect(() => {
    if (onReconnect === 'reload') reload();
    else if (onReconnect === 'debounced') refresh();
  });
  return { ...state, refresh };
}

/** A 'roster:changed' filter: the change touched this household (or the whole roster). */
export function touchesHousehold(householdId: string): (event: SocketEventPayload<'roster:changed'>) => boolean {
  return (event) => event.householdIds === 'all' || event.householdIds.includes(householdId);
}

/** Views of the roster refetch when it changes (they never refetched on reconnect). */
export const ROSTER_REFRESH: ResourceOptions = { events: ['roster:changed'], onReconnect: false };
