import type { Request, Response } from 'express';
import { directoryAccountRoutes as routes } from '../contracts/directory-accounts.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import type { ServiceContext } from '../common/service-context.js';
import { csrfMatches } from '../auth/session.service.js';
import { readCookie } from '../auth/session.middleware.js';
import { clientAddress, createRateLimiter, postgresStore, retryAfterSeconds } from '../auth/rate-limit.js';
import {
  DIRECTORY_COOKIE, accountView, inviteOrganisation, joinDirectory, loadAccount, loginDirectory, logoutDirectory, proposeChange, proposeService, reconfirm,
  type DirectoryAccount,
} from './directory-accounts.service.js';
import { decide, reviewList } from './directory-review.service.js';
import { directoryHistory } from './directory-history.service.js';
import { directoryCityRoutes as city } from '../contracts/directory-city.js';
import { changeService, confirmService, createService, officerEditor } from './directory.service.js';
import { cityEditor, listForCity } from './directory-city.service.js';
import { exportDirectory, importDirectory } from './directory-import.service.js';
import { sendDirectoryCsv } from './directory-import.routes.js';

/**
 * The directory accounts' door. Their routes are 'public' to the resident session (an
 * organisation is no resident): the directory's own cookie is checked here, 401 without it,
 * and a state-changing request needs the directory session's CSRF token.
 */
export function registerDirectoryAccountRoutes(api: ApiRouter, ctx: Pick<ServiceContext, 'db' | 'log' | 'publicUrl'>) {
  const secure = ctx.publicUrl.startsWith('https:');
  const token = (req: Request) => readCookie(req.headers.cookie, DIRECTORY_COOKIE);
  const account = async (req: Request): Promise<DirectoryAccount> => {
    const found = await loadAccount(ctx, token(req));
    if (!found) throw HttpError.unauthorized();
    if (req.method !== 'GET' && !csrfMatches(found.csrfToken, req.get('x-csrf-token'))) {
      throw new HttpError(403, 'csrf', 'The request is missing its security token. Reload the page and try again.');
    }
    return found;
  };
  /** Guessing a password or a code is slowed like the residents' login: per login, and per address (ten times as many). */
  const limiter = createRateLimiter(postgresStore(ctx.db), 15 * 60);
  const limited = async (req: Request, res: Response, login: string | null) => {
    const address = `directory-login-ip:${clientAddress(req)}`;
    const result = await limiter.hit([...(login ? [{ key: `directory-login:${login}`, limit: 10 }] : []), { key: address, limit: 100 }]);
    if (result.limited) {
      // As the residents' login answers: when to try again, in whole minutes.
      res.setHeader('Retry-After', String(retryAfterSeconds(limiter, result)));
      throw new HttpError(429, 'rate_limited', 'Too many attempts. Please wait 15 minutes and try again.');
    }
  };
  const signIn = async (res: Response, session: { token: string; expiresAt: Date; account: DirectoryAccount }) => {
    res.cookie(DIRECTORY_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: session.expiresAt });
    return accountView(ctx, session.account);
  };

  api.handle(routes.invite, async ({ actor, body }) => inviteOrganisation(ctx, officerEditor(actor), body));
  api.handle(routes.review, async ({ actor }) => reviewList(ctx, { kind: 'officer', actor }));
  api.handle(routes.approve, async ({ actor, params }) => decide(ctx, { kind: 'officer', actor }, params.id, { status: 'approved', reason: '' }));
  api.handle(routes.reject, async ({ actor, params, body }) => decide(ctx, { kind: 'officer', actor }, params.id, { status: 'rejected', reason: body.reason }));

  api.handle(routes.join, async ({ req, body, res }) => {
    await limited(req, res, null);
    return signIn(res, await joinDirectory(ctx, body.code, body.password));
  });
  api.handle(routes.login, async ({ req, body, res }) => {
    await limited(req, res, body.login);
    const session = await loginDirectory(ctx, body.login, body.password);
    // Signed in: not held back by their own typos (as residents).
    await limiter.clear(`directory-login:${body.login}`);
    return signIn(res, session);
  });
  api.handle(routes.logout, async ({ req, res }) => {
    // A live session is ended only with its CSRF token (a page elsewhere cannot sign the organisation out).
    if (token(req)) await account(req).catch((error: unknown) => {
      if (!(error instanceof HttpError && error.status === 401)) throw error;
    });
    await logoutDirectory(ctx, token(req));
    res.clearCookie(DIRECTORY_COOKIE, { path: '/' });
  });
  api.handle(routes.me, async ({ req, res }) => {
    res.setHeader('Cache-Control', 'no-store');
    return accountView(ctx, await account(req));
  });
  api.handle(routes.change, async ({ req, params, body }) => proposeChange(ctx, await account(req), params.id, body));
  api.handle(routes.reconfirm, async ({ req, params }) => reconfirm(ctx, await account(req), params.id));
  api.handle(routes.propose, async ({ req, body }) => proposeService(ctx, await account(req), body));
  api.handle(routes.history, async ({ req, query, res }) => {
    res.setHeader('Cache-Control', 'no-store');
    return directoryHistory(ctx, { kind: 'account', account: await account(req) }, query);
  });
  api.handle(routes.cityReview, async ({ req }) => reviewList(ctx, { kind: 'city', account: await account(req) }));
  api.handle(routes.cityApprove, async ({ req, params }) => decide(ctx, { kind: 'city', account: await account(req) }, params.id, { status: 'approved', reason: '' }));
  api.handle(routes.cityReject, async ({ req, params, body }) => decide(ctx, { kind: 'city', account: await account(req) }, params.id, { status: 'rejected', reason: body.reason }));

  // The city editor's own entries: the officers' code path, with the city as the owner.
  api.handle(city.list, async ({ req }) => listForCity(ctx, await account(req)));
  api.handle(city.create, async ({ req, body }) => createService(ctx, cityEditor(await account(req)), body));
  api.handle(city.update, async ({ req, params, body }) => changeService(ctx, cityEditor(await account(req)), params.id, body));
  api.handle(city.confirm, async ({ req, params }) => confirmService(ctx, cityEditor(await account(req)), params.id));
  api.handle(city.import, async ({ req, query }) => {
    const editor = cityEditor(await account(req));
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
    return importDirectory(ctx, editor, body, query.mode === 'commit');
  });
  api.handle(city.invite, async ({ req, body }) => inviteOrganisation(ctx, cityEditor(await account(req)), body));
  api.handle(city.export, async ({ req, query, res }) => sendDirectoryCsv(res, query.encoding, await exportDirectory(ctx, cityEditor(await account(req)), query.encoding)));
}
