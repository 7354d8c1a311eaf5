import type { Db } from '../platform/db/database.js';
import type { SocketSessions } from '../platform/realtime/realtime.js';
import type { Actor } from '../common/access.js';
import { rooms } from '../contracts/socket.js';
import { actorOfCookies } from './session.middleware.js';
import { loadActorsBySessionIds, type LoadedActor } from './session.service.js';

/**
 * Sockets are authenticated by the same session cookie as HTTP (expired sessions are not
 * found: their handshakes are refused like missing ones), and re-read now and then so that
 * a changed role changes what the socket hears.
 */
export function socketSessions(db: Db): SocketSessions<LoadedActor> {
  return {
    authenticate: (handshake) => actorOfCookies(db, handshake.headers.cookie),
    reload: (sessionIds) => loadActorsBySessionIds(db, sessionIds),
    roomsFor,
  };
}

/** The rooms of an actor's association, roles, 班 and households: what it is told. */
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
