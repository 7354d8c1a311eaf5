import type { Request, Response } from 'express';
import { clientAddress, createRateLimiter, postgresStore, refuseRateLimited } from './rate-limit.js';
import { authRoutes } from '../contracts/auth.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { Metrics } from '../platform/metrics.js';
import type { Jobs } from '../platform/jobs/jobs.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import {
  SESSION_COOKIE,
  changePassword,
  joinWithPasscode,
  login,
  loginIdentity,
  logout,
  lookupPasscode,
  updatePreferredLanguage,
  updateAssociationTimeZone,
  type SessionContext,
} from './auth.service.js';
import { issueResetCode, requireResetIssuer, resetPasswordWithCode } from './password-reset.service.js';

export function registerAuthRoutes(
  api: ApiRouter,
  ctx: SessionContext & { realtime: Pick<Realtime, 'endSessions' | 'rosterChanged'>; secureCookies: boolean; loginRateLimit: number; metrics: Metrics; jobs: Jobs; publicUrl: string },
) {
  const setCookie = (res: Response, token: string, expiresAt: Date) =>
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.secureCookies, path: '/', expires: expiresAt });

  /** Attempts per 15 minutes, counted in PostgreSQL: every instance shares them. */
  const limiter = createRateLimiter(postgresStore(ctx.db), 15 * 60);
  /** Counts an attempt against these limits and answers 429 when one is spent. True when the request may go on. */
  const limited = async (res: Response, limits: { key: string; limit: number }[], outcome?: 'login') => {
    const result = await limiter.hit(limits);
    if (!result.limited) return false;
    if (outcome) ctx.metrics.logins.inc({ outcome: 'rate_limited' });
    refuseRateLimited(res, limiter, result, 'Too many attempts. Please wait 15 minutes and try again.');
    return true;
  };
  const address = clientAddress;
  const identityKey = (identifier: string) => {
    const identity = loginIdentity(identifier);
    return `login:${identity.kind}:${identity.value}`;
  };
  // Per person (the identifier as the lookup reads it, so every spelling of one phone number
  // is one allowance): guessing one account's password is slowed. Per address, ten times as
  // many: one address guessing many accounts is slowed without locking out a whole apartment
  // block or a mobile carrier's shared address.
  const loginLimits = (req: Request, identifier: string) => [
    { key: identityKey(identifier), limit: ctx.loginRateLimit },
    { key: `login-address:${address(req)}`, limit: ctx.loginRateLimit * 10 },
  ];
  // Passcodes are 8 characters from 32: guessing is slowed per address.
  const passcodeLimits = (req: Request) => [{ key: `passcode-address:${address(req)}`, limit: ctx.loginRateLimit * 3 }];
  // Reset codes are passcodes too (8 characters from 32), with an allowance of their own.
  const resetCodeLimits = (req: Request) => [{ key: `reset-code-address:${address(req)}`, limit: ctx.loginRateLimit * 3 }];

  api.handle(authRoutes.login, async ({ body, req, res }) => {
    // Counted before the password is checked, for known and unknown accounts alike.
    if (await limited(res, loginLimits(req, body.identifier), 'login')) return;
    try {
      const session = await login(ctx, body.identifier, body.password);
      // The person's own typos before this do not count against them later.
      await limiter.clear(identityKey(body.identifier));
      ctx.metrics.logins.inc({ outcome: 'success' });
      setCookie(res, session.token, session.expiresAt);
      return session.actor.view;
    } catch (error) {
      ctx.metrics.logins.inc({ outcome: 'failure' });
      throw error;
    }
  });

  api.handle(authRoutes.logout, async ({ actor, res }) => {
    await logout(ctx, actor);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  api.handle(authRoutes.session, async ({ req }) => {
    return req.actor?.view ?? null;
  });

  api.handle(authRoutes.updateMe, async ({ actor, body, req }) => {
    await updatePreferredLanguage(ctx.db, actor, body.preferredLanguage);
    return { ...req.actor!.view, person: { ...req.actor!.view.person, preferredLanguage: body.preferredLanguage } };
  });

  // Guessing one's own current password from a stolen session is slowed like a login: changing
  // it and issuing a reset code (which asks for it again) share one allowance per person.
  const ownPasswordLimits = (personId: string) => [{ key: `password:${personId}`, limit: ctx.loginRateLimit }];

  api.handle(authRoutes.changePassword, async ({ actor, body, res }) => {
    if (await limited(res, ownPasswordLimits(actor.personId))) return;
    await changePassword(ctx, actor, body.currentPassword, body.newPassword);
    return { ok: true as const };
  });

  api.handle(authRoutes.joinLookup, async ({ body, req, res }) => {
    if (await limited(res, passcodeLimits(req))) return;
    return lookupPasscode(ctx.db, body.code);
  });

  api.handle(authRoutes.join, async ({ body, req, res }) => {
    if (await limited(res, passcodeLimits(req))) return;
    const session = await joinWithPasscode(ctx, body);
    // The help desk's screen and the household's page show the new member at once.
    ctx.realtime.rosterChanged(session.actor.associationId, [session.householdId]);
    setCookie(res, session.token, session.expiresAt);
    return session.actor.view;
  });

  api.handle(authRoutes.issueResetCode, async ({ actor, body, params, res }) => {
    // Who may is decided before an attempt is counted: a resident's request writes nothing.
    requireResetIssuer(actor);
    if (await limited(res, ownPasswordLimits(actor.personId))) return;
    const issued = await issueResetCode(ctx, actor, params.id, body.password);
    // The officer proved their password: a busy help desk issuing many codes is not held back.
    await limiter.clear(ownPasswordLimits(actor.personId)[0]!.key);
    return issued;
  });

  api.handle(authRoutes.resetPassword, async ({ body, req, res }) => {
    if (await limited(res, resetCodeLimits(req))) return;
    // As after joining, the person is logged in: on this device only, every other session ended.
    const session = await resetPasswordWithCode(ctx, body.code, body.newPassword);
    // Someone who forgot their password has often used up their login attempts guessing it.
    for (const identifier of session.identifiers) await limiter.clear(identityKey(identifier));
    setCookie(res, session.token, session.expiresAt);
    return session.actor.view;
  });

  api.handle(authRoutes.updateAssociation, async ({ actor, body }) => updateAssociationTimeZone(ctx, actor, body.timeZone));
}
