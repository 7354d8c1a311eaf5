import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createResilientPostgresAdapter } from './postgres-adapter.js';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { isDatabaseUnavailable, type OutageLog } from '../outage.js';
import { rooms, type ClientToServerEvents, type DeviceStatus, type ServerToClientEvents } from '../../contracts/socket.js';

const emptyPayload = z.strictObject({});

/** What realtime needs of a socket's actor: its session (a room of its own) and when that ends. */
export interface SocketActor {
  sessionId: string;
  expiresAt: Date;
}

/**
 * How sockets are authenticated and where they listen, given by the capability that owns
 * sessions (auth/socket-sessions.ts): the platform knows no actor and no role.
 */
export interface SocketSessions<A extends SocketActor> {
  /** The actor of a handshake (its cookies), or undefined (refused as unauthorized); throws when the database is away. */
  authenticate(handshake: { headers: IncomingHttpHeaders }): Promise<A | undefined>;
  /** Sessions read again, many in one go (their roles may have changed); an ended session is missing from the map. */
  reload(sessionIds: string[]): Promise<Map<string, A>>;
  /** The rooms a socket of this actor joins (besides its session's). */
  roomsFor(actor: A): string[];
}

export type RealtimeServer<A extends SocketActor = SocketActor> = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData<A>>;
/** What a socket carries: its actor, when its session ends, and the rooms `roomsFor` gave it. */
interface SocketData<A extends SocketActor> {
  actor: A;
  expiresAt: Date;
  rooms: string[];
}
type RealtimeSocket<A extends SocketActor> = ReturnType<RealtimeServer<A>['sockets']['sockets']['get']> & {};

/** Sessions re-read per query by the shared refresh. */
const REFRESH_BATCH = 500;

/** The longest pause between two batches of the session refresh. */
const REFRESH_PAUSE_MAX_MS = 1_000;

/** setTimeout's longest delay (about 24.8 days); longer sessions re-arm their timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What services tell the connected clients. Services call this; they never touch sockets. */
export interface Realtime {
  /** Sends one typed event to every socket in any of these rooms (each socket once). */
  emit<E extends keyof ServerToClientEvents>(rooms: string[], event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  rosterChanged(associationId: string, householdIds: string[] | 'all'): void;
  /** Devices' live status to the association's officers: one event (one adapter round trip) for the whole list. */
  deviceStatus(associationId: string, devices: DeviceStatus[]): void;
  /** These sessions ended (logout, password change): their sockets, on every instance, are told and dropped. */
  endSessions(sessionIds: string[]): void;
}

/**
 * Whether a handshake's Origin may use the session cookie: the public URL's origin, or the
 * same origin as the request (the Host it was sent to). Browsers always send Origin with a
 * WebSocket and with cross-origin requests, so a page on another site is refused; clients
 * that are not browsers send none and have no one else's cookie to ride on.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, publicUrl: string): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin === new URL(publicUrl).origin) return true;
  return host !== undefined && url.host === host && (url.protocol === 'http:' || url.protocol === 'https:');
}

/**
 * Socket.IO on the app's HTTP server. A connection is authenticated by `sessions` (the same
 * session cookie as HTTP) and joins the rooms `sessions.roomsFor` names (its association,
 * role, 班 and household).
 */
export function createRealtime<A extends SocketActor>(
  httpServer: HttpServer,
  deps: {
    sessions: SocketSessions<A>;
    log: Logger;
    metrics: Metrics;
    databaseUrl: string;
    publicUrl: string;
    outage?: OutageLog;
    roomRefreshSeconds?: number;
    /** Sessions per query of the shared refresh (REFRESH_BATCH; smaller in tests). */
    refreshBatch?: number;
  },
): { io: RealtimeServer<A>; realtime: Realtime; close(): Promise<void> } {
  const { sessions } = deps;
  // No per-message compression (the default, said out loud): a broadcast is framed once and
  // the same bytes go to every socket.
  const io: RealtimeServer<A> = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024, perMessageDeflate: false });
  // Broadcasts reach sockets on every instance: a job that runs on one instance tells the
  // browsers connected to another (PostgreSQL LISTEN/NOTIFY, no extra service). The adapter
  // outlives PostgreSQL restarts; after one, this instance's clients refetch.
  const adapter = createResilientPostgresAdapter({
    connectionString: deps.databaseUrl,
    log: deps.log,
    onResync: () => io.local.emit('realtime:resync'),
  });
  io.adapter(adapter);

  io.use(async (socket, next) => {
    const { origin, host } = socket.handshake.headers;
    if (!originAllowed(origin, host, deps.publicUrl)) {
      deps.log.warn({ origin }, 'socket handshake from a foreign origin refused');
      return next(Object.assign(new Error('forbidden_origin'), { data: { message: `Connections from ${origin} are not allowed: open tonari at ${new URL(deps.publicUrl).origin}.` } }));
    }
    try {
      // Expired sessions are not found: their handshakes are refused like missing ones.
      const actor = await sessions.authenticate(socket.handshake);
      if (!actor) return next(new Error('unauthorized'));
      socket.data.actor = actor;
      socket.data.expiresAt = actor.expiresAt;
      deps.outage?.up();
      next();
    } catch (error) {
      // The web app retries an 'unavailable' handshake; an outage is logged once, not per try.
      if (isDatabaseUnavailable(error)) deps.outage?.down(error);
      else deps.log.error({ err: error }, 'socket authentication failed');
      next(new Error('unavailable'));
    }
  });

  const endSession = (socket: RealtimeSocket<A>) => {
    socket.emit('session:ended');
    socket.disconnect(true);
  };

  io.on('connection', (socket) => {
    deps.metrics.sockets.inc();
    // The HTTP request the connection was opened with is not needed any more (its headers stay
    // in socket.handshake): letting it go saves memory on every one of thousands of sockets.
    // Safe because tonari uses only the main namespace '/': Socket.IO builds a namespace's
    // handshake from conn.request when the client joins it, so a socket joining a second
    // namespace on this connection later would fail there. A new namespace must keep it (or
    // drop it only once every namespace the client uses has connected).
    (socket.conn as { request: unknown }).request = null;
    socket.data.rooms = sessions.roomsFor(socket.data.actor);
    void socket.join([...socket.data.rooms, rooms.session(socket.data.actor.sessionId)]);
    // The session's end drops the socket: a timer for the expiry, and a check before each
    // event in case the timer is late (a suspended process).
    const expired = () => socket.data.expiresAt.getTime() <= Date.now();
    let expiry: NodeJS.Timeout | undefined;
    const armExpiry = () => {
      if (expired()) return endSession(socket);
      expiry = setTimeout(armExpiry, Math.min(socket.data.expiresAt.getTime() - Date.now(), MAX_TIMER_MS));
    };
    armExpiry();
    socket.use((_packet, next) => (expired() ? endSession(socket) : next()));
    socket.on('session:rooms', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = emptyPayload.safeParse(payload ?? {});
      if (!parsed.success) return ack({ error: { code: 'invalid_input', message: `session:rooms: ${parsed.error.issues[0]!.message}` } });
      ack({ data: { rooms: socket.data.rooms } });
    });
    socket.on('disconnect', () => {
      clearTimeout(expiry);
      deps.metrics.sockets.dec();
    });
  });

  // Now and then every socket's session and roles are read again — one timer for the instance,
  // a query per REFRESH_BATCH sessions, not a timer and a query per socket: a captain replaced,
  // a person moved to another household or removed from the roster stops hearing what is no
  // longer theirs, and a session ended while the adapter was away (its message lost) still
  // drops its sockets.
  const refreshSocket = (socket: RealtimeSocket<A>, actor: A | undefined) => {
    if (!socket.connected) return;
    if (!actor) return endSession(socket);
    const before = socket.data.rooms;
    const next = sessions.roomsFor(actor);
    // Most sessions have not changed: their rooms are left as they are.
    if (next.length !== before.length || next.some((room, i) => room !== before[i])) {
      for (const room of before) if (!next.includes(room)) void socket.leave(room);
      const added = next.filter((room) => !before.includes(room));
      if (added.length) void socket.join(added);
      socket.data.rooms = next;
    }
    socket.data.actor = actor;
    socket.data.expiresAt = actor.expiresAt;
  };
  let refreshing = false;
  let closed = false;
  const refreshMs = (deps.roomRefreshSeconds ?? 60) * 1000;
  const refreshAll = async () => {
    if (refreshing) return;
    refreshing = true;
    try {
      const bySession = new Map<string, RealtimeSocket<A>[]>();
      for (const socket of io.of('/').sockets.values()) {
        const list = bySession.get(socket.data.actor.sessionId);
        if (list) list.push(socket);
        else bySession.set(socket.data.actor.sessionId, [socket]);
      }
      const ids = [...bySession.keys()];
      let unavailableInARow = 0;
      const size = deps.refreshBatch ?? REFRESH_BATCH;
      // The batches spread over a quarter of the interval (at most a second apart), not back to
      // back: at 10,000 sockets a round is 20 queries and 1-2 s of CPU, and a broadcast (a
      // circular to the whole town) that meets it then shares the process with one batch at most.
      const pause = Math.min(REFRESH_PAUSE_MAX_MS, refreshMs / 4 / Math.ceil(ids.length / size));
      for (let i = 0; i < ids.length && !closed; i += size) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, pause).unref());
        const batch = ids.slice(i, i + size);
        let actors: Map<string, A>;
        try {
          actors = await sessions.reload(batch);
          unavailableInARow = 0;
        } catch (error) {
          // This batch keeps its rooms until the next refresh; the next batches are still
          // refreshed (one failed query is no reason to skip the rest of the round) — unless
          // the database is plainly away (twice in a row): then the round ends here.
          if (!isDatabaseUnavailable(error)) deps.log.warn({ err: error, sessions: batch.length }, 'socket session refresh failed for a batch; the next batches go on');
          else if (++unavailableInARow >= 2) break;
          continue;
        }
        for (const id of batch) for (const socket of bySession.get(id) ?? []) refreshSocket(socket, actors.get(id));
      }
    } finally {
      refreshing = false;
    }
  };
  // Every minute give or take a tenth, at random: instances started together (a deploy) do not
  // all read every session in the same second.
  let refresher: NodeJS.Timeout;
  const scheduleRefresh = () => {
    if (closed) return;
    refresher = setTimeout(() => void refreshAll().finally(scheduleRefresh), refreshMs * (0.9 + Math.random() * 0.2));
    refresher.unref();
  };
  scheduleRefresh();

  const realtime: Realtime = {
    emit: (targets, event, ...args) => {
      if (targets.length) io.to(targets).emit(event, ...args);
    },
    rosterChanged: (associationId, householdIds) => {
      io.to(rooms.association(associationId)).emit('roster:changed', { associationId, householdIds });
    },
    deviceStatus: (associationId, devices) => {
      if (devices.length) io.to(rooms.officers(associationId)).emit('device:status', { devices });
    },
    endSessions: (sessionIds) => {
      if (!sessionIds.length) return;
      const targets = sessionIds.map(rooms.session);
      // Through the adapter, so sockets on every instance hear it and are dropped.
      io.to(targets).emit('session:ended');
      io.in(targets).disconnectSockets(true);
    },
  };
  return {
    io,
    realtime,
    close: () => {
      closed = true;
      clearTimeout(refresher);
      return adapter.close();
    },
  };
}
