/**
 * The Socket.IO contract, imported by the server and the web client. Events are named
 * `entity:verb`. The connection is authenticated by the session cookie; the server puts
 * each socket into rooms for its association, its role, its 班 and its household.
 */
export type Ack<T> = (reply: { data: T } | { error: { code: string; message: string } }) => void;

export interface ServerToClientEvents {
  /** The roster changed (import, edit): lists showing it should refetch. */
  'roster:changed': (event: { associationId: string; householdIds: string[] | 'all' }) => void;
  /** A device came online or went offline, or reported a heartbeat. */
  'device:status': (event: { deviceId: string; online: boolean; lastSeenAt: string | null; battery: number | null }) => void;
  /** This session ended (logout elsewhere or expiry): the client should go to the login page. */
  'session:ended': () => void;
}

export interface ClientToServerEvents {
  /** Which rooms the server put this socket in; lets a client confirm what it will hear. */
  'session:rooms': (payload: Record<string, never>, ack: Ack<{ rooms: string[] }>) => void;
}

export const rooms = {
  association: (associationId: string) => `association:${associationId}`,
  officers: (associationId: string) => `officers:${associationId}`,
  block: (blockId: string) => `block:${blockId}`,
  household: (householdId: string) => `household:${householdId}`,
  volunteers: (associationId: string) => `volunteers:${associationId}`,
  person: (personId: string) => `person:${personId}`,
};
