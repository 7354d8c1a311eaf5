import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import type { Logger } from '../platform/logger.js';
import type { SessionView } from '../contracts/auth.js';
import type { Actor } from '../common/access.js';
import { deleteSession, findSessionActors, insertSession } from './session.repository.js';

/**
 * Sessions: a random token in an HttpOnly cookie, stored only as its hash, with a CSRF token
 * for state-changing requests; and the actor a session stands for (the roles its person
 * holds today), loaded on every request and socket handshake.
 */

export const SESSION_COOKIE = 'tonari_session';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface SessionContext {
  db: Db;
  sessionTtlHours: number;
  realtime: Pick<Realtime, 'endSessions'>;
  log: Pick<Logger, 'error'>;
}

export interface LoadedActor extends Actor {
  csrfToken: string;
  /** When the session ends by itself: its sockets are dropped then. */
  expiresAt: Date;
  view: SessionView;
}

/** 32 random bytes in base64url, as startSession makes them. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export async function startSession(ctx: Omit<SessionContext, 'log'>, personId: string, associationId: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ctx.sessionTtlHours * 3600_000);
  // Only the hash is stored: a leaked sessions table does not let anyone in.
  await insertSession(ctx.db, { id: sha256(token), personId, associationId, csrfToken: randomBytes(24).toString('base64url'), expiresAt });
  const actor = await loadActorBySessionId(ctx.db, sha256(token));
  return { token, expiresAt, actor: actor! };
}

export async function logout(ctx: SessionContext, actor: Actor) {
  await deleteSession(ctx.db, actor.sessionId);
  ctx.realtime.endSessions([actor.sessionId]);
}

/**
 * The actor of a request's (or a socket handshake's) session token: read from the database for
 * every request — nothing is cached, so a logout or a revocation on any instance refuses the
 * session's next request at once — but the lookups of requests that arrive together go as one
 * statement (SessionLookups), not one each.
 */
export async function loadActorByToken(db: Db, token: string | undefined): Promise<LoadedActor | undefined> {
  // Only a token of the shape startSession makes can name a session: anything else (NUL,
  // broken UTF-16, a huge value) never reaches a query.
  if (!token || !SESSION_TOKEN.test(token)) return undefined;
  return lookupsOf(db).actor(sha256(token));
}

/**
 * The session lookups of one database handle, batched: a lookup joins the next batch that has
 * not been sent yet (sent on the next turn of the event loop, or when the batch in flight
 * returns), never one already sent, so every request's session is read after the request
 * arrived; one batch in flight at a time. Twenty officers' requests arriving at once cost one
 * prepared statement (findSessionActors) instead of twenty.
 */
class SessionLookups {
  private next: Map<string, { resolve: (actor: LoadedActor | undefined) => void; reject: (error: unknown) => void }[]> | null = null;
  private inFlight = false;

  constructor(private readonly db: Db) {}

  actor(sessionId: string): Promise<LoadedActor | undefined> {
    return new Promise((resolve, reject) => {
      const first = !this.next;
      this.next ??= new Map();
      const waiting = this.next.get(sessionId) ?? [];
      waiting.push({ resolve, reject });
      this.next.set(sessionId, waiting);
      if (first && !this.inFlight) setImmediate(() => void this.send());
    });
  }

  private async send() {
    const batch = this.next;
    if (!batch || this.inFlight) return;
    this.next = null;
    this.inFlight = true;
    try {
      const actors = await loadActorsBySessionIds(this.db, [...batch.keys()]);
      // Two requests of one session each get their own copy: one may not change what the other is given.
      for (const [id, waiting] of batch) waiting.forEach((w, i) => w.resolve(i === 0 ? actors.get(id) : structuredClone(actors.get(id))));
    } catch (error) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(error);
    } finally {
      this.inFlight = false;
      if (this.next) void this.send();
    }
  }
}

const lookups = new WeakMap<Db, SessionLookups>();
function lookupsOf(db: Db): SessionLookups {
  let batcher = lookups.get(db);
  if (!batcher) lookups.set(db, (batcher = new SessionLookups(db)));
  return batcher;
}

export async function loadActorBySessionId(db: Db, sessionId: string): Promise<LoadedActor | undefined> {
  const [row] = await findSessionActors(db, [sessionId]);
  return row && toLoadedActor(row);
}

/** Many live sessions' actors in one query, by session id (ended sessions are missing). */
export async function loadActorsBySessionIds(db: Db, sessionIds: readonly string[]): Promise<Map<string, LoadedActor>> {
  if (!sessionIds.length) return new Map();
  const rows = await findSessionActors(db, sessionIds);
  return new Map(rows.map((row) => [row.session_id, toLoadedActor(row)]));
}

function toLoadedActor(row: Awaited<ReturnType<typeof findSessionActors>>[number]): LoadedActor {
  const { roles, session_id: sessionId } = row;
  const captainOf = roles.filter((r) => r.role === 'captain' && r.block_id);
  const watcherOf = roles.filter((r) => r.role === 'family_watcher' && r.household_id);
  const actor: Actor = {
    sessionId,
    personId: row.id,
    associationId: row.association_id,
    officer: roles.some((r) => r.role === 'officer'),
    captainOf: [...new Set(captainOf.map((r) => r.block_id!))],
    volunteer: roles.some((r) => r.role === 'volunteer'),
    welfareCommissioner: roles.some((r) => r.role === 'welfare_commissioner'),
    watcherOf: watcherOf.map((r) => r.household_id!),
    householdId: row.household_id,
  };
  const view: SessionView = {
    person: { id: row.id, name: row.name, preferredLanguage: row.preferred_language },
    association: { id: row.association_id, name: row.association_name, timeZone: row.association_time_zone },
    roles: {
      officer: actor.officer,
      captainOf: captainOf.map((r) => ({ id: r.block_id!, name: r.block_name ?? '' })),
      volunteer: actor.volunteer,
      welfareCommissioner: actor.welfareCommissioner,
      watcherOf: watcherOf.map((r) => ({ id: r.household_id!, name: r.household_name ?? '' })),
      household: row.household_id ? { id: row.household_id, name: row.household_name ?? '' } : null,
    },
    csrfToken: row.csrf_token,
  };
  return { ...actor, csrfToken: row.csrf_token, expiresAt: new Date(row.expires_at), view };
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
