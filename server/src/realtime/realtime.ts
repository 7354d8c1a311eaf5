import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createResilientPostgresAdapter } from './postgres-adapter.js';
import { z } from 'zod';
import type { Db } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import { isDatabaseUnavailable, type OutageLog } from '../infra/outage.js';
import { SESSION_COOKIE, loadActorByToken } from '../auth/auth.service.js';
import { readCookie } from '../auth/auth.routes.js';
import type { Actor } from '../auth/policy.js';
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from '../contracts/socket.js';

const emptyPayload = z.strictObject({});

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor }>;

/** What services tell the connected clients. Services call this; they never touch sockets. */
export interface Realtime {
  /** Sends one typed event to every socket in any of these rooms (each socket once). */
  emit<E extends keyof ServerToClientEvents>(rooms: string[], event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  rosterChanged(associationId: string, householdIds: string[] | 'all'): void;
  deviceStatus(associationId: string, event: Parameters<ServerToClientEvents['device:status']>[0]): void;
}

export function roomsFor(actor: Actor): string[] {
  return [
    rooms.association(actor.associationId),
    rooms.person(actor.personId),
    ...(actor.officer ? [rooms.officers(actor.associationId)] : []),
    ...(actor.volunteer || actor.welfareCommissioner ? [rooms.volunteers(actor.associationId)] : []),
    ...actor.captainOf.map(rooms.block),
    ...[actor.householdId, ...actor.watcherOf].filter((id): id is string => !!id).map(rooms.household),
  ];
}

/**
 * Socket.IO on the app's HTTP server. A connection is authenticated by the same session
 * cookie as HTTP and joins the rooms of its association, role, 班 and household.
 */
export function createRealtime(
  httpServer: HttpServer,
  deps: { db: Db; log: Logger; metrics: Metrics; databaseUrl: string; outage?: OutageLog },
): { io: RealtimeServer; realtime: Realtime; close(): Promise<void> } {
  const io: RealtimeServer = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
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
    try {
      const actor = await loadActorByToken(deps.db, readCookie(socket.handshake.headers.cookie, SESSION_COOKIE));
      if (!actor) return next(new Error('unauthorized'));
      socket.data.actor = actor;
      deps.outage?.up();
      next();
    } catch (error) {
      // The web app retries an 'unavailable' handshake; an outage is logged once, not per try.
      if (isDatabaseUnavailable(error)) deps.outage?.down(error);
      else deps.log.error({ err: error }, 'socket authentication failed');
      next(new Error('unavailable'));
    }
  });

  io.on('connection', (socket) => {
    deps.metrics.sockets.inc();
    const joined = roomsFor(socket.data.actor);
    void socket.join(joined);
    socket.on('session:rooms', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = emptyPayload.safeParse(payload ?? {});
      if (!parsed.success) return ack({ error: { code: 'invalid_input', message: `session:rooms: ${parsed.error.issues[0]!.message}` } });
      ack({ data: { rooms: joined } });
    });
    socket.on('disconnect', () => deps.metrics.sockets.dec());
  });

  const realtime: Realtime = {
    emit: (targets, event, ...args) => {
      if (targets.length) io.to(targets).emit(event, ...args);
    },
    rosterChanged: (associationId, householdIds) => {
      io.to(rooms.association(associationId)).emit('roster:changed', { associationId, householdIds });
    },
    deviceStatus: (associationId, event) => {
      io.to(rooms.officers(associationId)).emit('device:status', event);
    },
  };
  return { io, realtime, close: () => adapter.close() };
}
