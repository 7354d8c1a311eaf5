import type { Request, Response, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import {
  joinLookupRequestSchema,
  joinLookupResponseSchema,
  joinRequestSchema,
  loginRequestSchema,
  okSchema,
  sessionViewSchema,
  updateMeRequestSchema,
} from '../contracts/http.js';
import { HttpError } from '../http/errors.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Metrics } from '../infra/metrics.js';
import {
  SESSION_COOKIE,
  csrfMatches,
  joinWithPasscode,
  loadActorByToken,
  login,
  logout,
  lookupPasscode,
  updatePreferredLanguage,
  type LoadedActor,
  type SessionContext,
} from './auth.service.js';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: LoadedActor;
  }
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

/** Loads the session named by the cookie, if any, onto req.actor. */
export function sessionMiddleware(ctx: SessionContext): RequestHandler {
  return async (req, _res, next) => {
    try {
      req.actor = await loadActorByToken(ctx.db, readCookie(req.headers.cookie, SESSION_COOKIE));
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

export function registerAuthRoutes(api: ApiRouter, ctx: SessionContext & { secureCookies: boolean; loginRateLimit: number; metrics: Metrics }) {
  const setCookie = (res: Response, token: string, expiresAt: Date) =>
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.secureCookies, path: '/', expires: expiresAt });

  // Per identifier and address: guessing one account's password is slowed without locking
  // out a whole apartment block behind one address.
  const loginLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: ctx.loginRateLimit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${String(req.body?.identifier ?? '').trim().toLowerCase()}`,
    handler: (_req, res) => {
      ctx.metrics.logins.inc({ outcome: 'rate_limited' });
      res.status(429).json({ error: { code: 'rate_limited', message: 'Too many attempts. Please wait 15 minutes and try again.' } });
    },
  });
  // Passcodes are 8 characters from 32: guessing is slowed per address.
  const passcodeLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: ctx.loginRateLimit * 3,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: (_req, res) => {
      res.status(429).json({ error: { code: 'rate_limited', message: 'Too many attempts. Please wait 15 minutes and try again.' } });
    },
  });
  const limit = (limiter: RequestHandler, req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => limiter(req, res, (error?: unknown) => (error ? reject(error) : resolve())));

  api.route(
    'post',
    '/api/auth/login',
    { summary: 'Log in with email or phone and password', tag: 'session', access: 'public', body: loginRequestSchema, response: sessionViewSchema },
    async ({ body, req, res }) => {
      // The limiter keys on the identifier, so it runs after the body is parsed.
      await limit(loginLimiter, req, res);
      if (res.headersSent) return;
      try {
        const session = await login(ctx, body.identifier, body.password);
        ctx.metrics.logins.inc({ outcome: 'success' });
        setCookie(res, session.token, session.expiresAt);
        return session.actor.view;
      } catch (error) {
        ctx.metrics.logins.inc({ outcome: 'failure' });
        throw error;
      }
    },
  );

  api.route('post', '/api/auth/logout', { summary: 'Log out', tag: 'session', access: 'session', response: okSchema }, async ({ actor, res }) => {
    await logout(ctx.db, actor);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  api.route('get', '/api/session', { summary: 'The current session', tag: 'session', access: 'session', response: sessionViewSchema }, async ({ req }) => {
    return req.actor!.view;
  });

  api.route(
    'patch',
    '/api/me',
    { summary: 'Change my preferred language', tag: 'session', access: 'session', body: updateMeRequestSchema, response: sessionViewSchema },
    async ({ actor, body, req }) => {
      await updatePreferredLanguage(ctx.db, actor, body.preferredLanguage);
      return { ...req.actor!.view, person: { ...req.actor!.view.person, preferredLanguage: body.preferredLanguage } };
    },
  );

  api.route(
    'post',
    '/api/join/lookup',
    { summary: 'Look up the household of a one-time passcode', tag: 'session', access: 'public', body: joinLookupRequestSchema, response: joinLookupResponseSchema },
    async ({ body, req, res }) => {
      await limit(passcodeLimiter, req, res);
      if (res.headersSent) return;
      return lookupPasscode(ctx.db, body.code);
    },
  );

  api.route(
    'post',
    '/api/join',
    { summary: 'Join a household with its one-time passcode and create a login', tag: 'session', access: 'public', body: joinRequestSchema, response: sessionViewSchema },
    async ({ body, req, res }) => {
      await limit(passcodeLimiter, req, res);
      if (res.headersSent) return;
      const session = await joinWithPasscode(ctx, body);
      setCookie(res, session.token, session.expiresAt);
      return session.actor.view;
    },
  );
}
