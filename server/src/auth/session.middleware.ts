import type { Request, RequestHandler } from 'express';
import { HttpError } from '../platform/http/errors.js';
import type { Actor } from '../common/access.js';
import { SESSION_COOKIE, csrfMatches, loadActorByToken, type LoadedActor, type SessionContext } from './session.service.js';

/**
 * The session at the HTTP door: the cookie is read on every /api request and its actor put
 * on `req.actor`; a session route asks `requireActor` for it (401 without a session, 403 for
 * a state-changing request without the CSRF token). The ApiRouter is given `requireActor`,
 * and learns the actor's type from the augmentation below.
 */

declare module 'express-serve-static-core' {
  interface Request {
    actor?: LoadedActor;
  }
}

declare module '../platform/http/route-actor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SessionActor extends Actor {}
}

/** A cookie's value; undefined when absent or not valid percent-encoding (a forged or broken cookie is no session). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The actor of the session named by a Cookie header, if any (HTTP requests and socket handshakes alike). */
export function actorOfCookies(db: SessionContext['db'], cookieHeader: string | undefined): Promise<LoadedActor | undefined> {
  return loadActorByToken(db, readCookie(cookieHeader, SESSION_COOKIE));
}

/** Loads the session named by the cookie, if any, onto req.actor. */
export function sessionMiddleware(ctx: Pick<SessionContext, 'db'>): RequestHandler {
  return async (req, _res, next) => {
    try {
      req.actor = await actorOfCookies(ctx.db, req.headers.cookie);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The actor of a request to a session route: 401 without a live session, and 403 for a
 * state-changing request without the session's CSRF token in X-CSRF-Token.
 */
export function requireActor(req: Request): LoadedActor {
  if (!req.actor) throw HttpError.unauthorized();
  if (req.method !== 'GET' && req.method !== 'HEAD' && !csrfMatches(req.actor.csrfToken, req.get('x-csrf-token'))) {
    throw new HttpError(403, 'csrf', 'The request is missing its security token. Reload the page and try again.');
  }
  return req.actor;
}
