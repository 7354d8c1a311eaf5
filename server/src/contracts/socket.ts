/**
 * The Socket.IO contract, imported by the server and the web client. Events are named
 * `entity:verb`. The connection is authenticated by the session cookie; the server puts
 * each socket into rooms for its association, its role, its 班 and its household.
 */
export type Ack<T> = (reply: { data: T } | { error: { code: string; message: string } }) => void;

/** One device's live status, as officers' pages show it. */
export interface DeviceStatus {
  deviceId: string;
  online: boolean;
  lastSeenAt: string | null;
  battery: number | null;
}

export interface ServerToClientEvents {
  /** The roster changed (import, edit): lists showing it should refetch. */
  'roster:changed': (event: { associationId: string; householdIds: string[] | 'all' }) => void;
  /**
   * Devices came online or went offline, or reported heartbeats: one event per ingest batch
   * and association, carrying every device whose status it changed.
   */
  'device:status': (event: { devices: DeviceStatus[] }) => void;
  /** A circular reached this household (or was corrected, or withdrawn): lists refetch. */
  'circular:published': (event: { circularId: string; title: string; category: string; dueAt: string | null }) => void;
  'circular:updated': (event: { circularId: string; status: 'published' | 'withdrawn'; corrected: boolean }) => void;
  /** A household acknowledged or answered: progress pages update (officers and that 班's captains). */
  'circular:acknowledged': (event: { circularId: string; householdId: string; blockId: string; channel: 'app' | 'speaker' | 'paper'; acknowledgedAt: string }) => void;
  'circular:answered': (event: { circularId: string; householdId: string; blockId: string }) => void;
  /** A new task on a captain's list (e.g. a household that has not read a circular by its due date). */
  'task:created': (event: { taskId: string; kind: string; blockId: string }) => void;
  /** A watch alert reached the caller's tier, or changed (taken, resolved, cancelled, escalated). */
  'watch:alert': (event: { alertId: string; householdId: string; kind: 'silent' | 'help' | 'device_offline'; tier: string; status: string }) => void;
  /** A safety confirmation started (households: show the full-screen question) or ended. */
  'drill:started': (event: { drillId: string; kind: 'drill' | 'real'; title: string; message: string; deadlineAt: string }) => void;
  'drill:ended': (event: { drillId: string }) => void;
  /**
   * A household was accounted for, answered, or escalated: dashboards and task lists refresh.
   * `householdId` and `blockId` are '' when a step changed many at once (a hand-off, an escalation).
   */
  'drill:updated': (event: { drillId: string; householdId: string; blockId: string }) => void;
  /**
   * Officers: what the JMA trigger did for the association (quakes/notice.service.ts), shown at once
   * as a banner. `key` names the trigger or telegram: a repeat of the same key and kind shows one
   * banner, a later kind (started after pending) replaces it. `drillId`: the event, once there is one.
   */
  'quake:notice': (event: QuakeNotice) => void;
  /** Officers: a telegram named the association's areas and its decision is logged: the quake log refetches. */
  'quake:logged': (event: { telegramId: string }) => void;
  /** The server may have missed events (it lost its database for a while): pages refetch. */
  'realtime:resync': () => void;
  /** This session ended (logout elsewhere or expiry): the client should go to the login page. */
  'session:ended': () => void;
}

export interface QuakeNotice {
  key: string;
  kind: 'pending' | 'started' | 'cancelled' | 'cancelled_after_start' | 'aftershock' | 'unreceived';
  eventKind: 'real' | 'drill';
  /** JMA's scale value (5- …), null when none was received for the areas (震度５弱以上未入電). */
  intensity: string | null;
  /** The intensity is 震度５弱以上未入電 counted as 5弱: shown 「震度5弱以上（未入電）」, never a plain 5弱. */
  unreceived?: boolean;
  areaNames: string[];
  /** JMA's EventID of the quake. */
  quakeEventId: string;
  drillId: string | null;
  /** Whether residents were asked (the event started, or the not yet accounted for asked again). */
  asked: boolean;
  /** When a pending trigger starts its event. */
  fireAt: string | null;
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
  /** Every socket of one login session (the session's id is a hash; never sent to clients). */
  session: (sessionId: string) => `session:${sessionId}`,
};
