import { io, type Socket } from 'socket.io-client';
import { useEffect, useRef } from 'preact/hooks';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/src/contracts/socket.js';
import { setSocketConnected } from './connection.js';

type EventName = keyof ServerToClientEvents;
type Handler<E extends EventName> = ServerToClientEvents[E];

const EVENTS: EventName[] = [
  'roster:changed',
  'device:status',
  'circular:published',
  'circular:updated',
  'circular:acknowledged',
  'circular:answered',
  'task:created',
  'watch:alert',
  'drill:started',
  'drill:ended',
  'drill:updated',
  'session:ended',
  'quake:notice',
  'quake:logged',
];

let socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
const handlers = new Map<EventName, Set<(...args: unknown[]) => void>>();
const reconnectHandlers = new Set<() => void>();

function dispatch(event: EventName, args: unknown[]): void {
  for (const handler of handlers.get(event) ?? []) {
    try {
      handler(...args);
    } catch (error) {
      console.error(`socket handler for ${event} failed`, error);
    }
  }
}

/** Connects (once) with the session cookie. Call after login / session load. */
export function connectSocket(): void {
  if (socket) return;
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = io({ withCredentials: true });
  for (const event of EVENTS) {
    (s as unknown as Socket).on(event, (...args: unknown[]) => dispatch(event, args));
  }
  // Whenever the connection is (re)established, events may have been missed — while it was
  // down, or, on the first connect, between a page's first fetch and joining its rooms: pages refetch.
  const refetch = () => {
    for (const handler of reconnectHandlers) {
      try {
        handler();
      } catch (error) {
        console.error('socket reconnect handler failed', error);
      }
    }
  };
  let refused = 0;
  s.on('connect', () => {
    refused = 0;
    setSocketConnected(true);
    refetch();
  });
  // The server lost its database for a while and may not have relayed everything: refetch.
  s.on('realtime:resync', refetch);
  s.on('disconnect', (reason) => {
    setSocketConnected(false);
    // The server drops a socket only when its session ended (logout elsewhere, a password
    // change, expiry); 'session:ended' normally comes first, but the page must not stay
    // on a dead session if it did not.
    if (reason === 'io server disconnect' && socket === s) dispatch('session:ended', []);
  });
  s.on('connect_error', (error) => {
    setSocketConnected(false);
    // Socket.IO retries a lost transport itself, but not a handshake the server refused. The
    // server refuses with 'unavailable' while its database is away: try again, with backoff.
    // A refused Origin is a deployment mistake (PUBLIC_URL): say so where an officer can see it.
    if (error.message === 'forbidden_origin') console.error('tonari: live updates refused:', (error as Error & { data?: { message?: string } }).data?.message);
    if (!s.active && error.message === 'unavailable') {
      setTimeout(() => socket === s && s.connect(), Math.min(1000 * 2 ** refused++, 15_000));
    }
  });
  socket = s;
}

/** Disconnects; call on logout or when the session ends. */
export function disconnectSocket(): void {
  socket?.disconnect();
  socket = null;
  setSocketConnected(true);
}

/** Subscribes a component to a server event for its lifetime (the latest handler is always used). */
export function useSocketEvent<E extends EventName>(event: E, handler: Handler<E>): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const listener = (...args: unknown[]) => (ref.current as (...a: unknown[]) => void)(...args);
    let set = handlers.get(event);
    if (!set) handlers.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }, [event]);
}

/** Calls the handler whenever the socket connects or reconnects (events may have been missed). */
export function useSocketReconnect(handler: () => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const listener = () => ref.current();
    reconnectHandlers.add(listener);
    return () => void reconnectHandlers.delete(listener);
  }, []);
}

export type SocketEventName = EventName;
export type SocketEventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** Subscribes to several server events with one handler (the latest handler is always used). */
export function useSocketEvents(events: readonly EventName[], handler: (event: EventName, payload: unknown) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  const key = events.join(',');
  useEffect(() => {
    const removers = events.map((event) => {
      const listener = (...args: unknown[]) => ref.current(event, args[0]);
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    });
    return () => removers.forEach((remove) => remove());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
}
