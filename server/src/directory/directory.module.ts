import { clientAddress, createRateLimiter, memoryStore, rateLimitMiddleware } from '../auth/rate-limit.js';
import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { directoryRoutes } from '../contracts/directory.js';
import { registerDirectoryRoutes } from './directory.routes.js';
import { registerDirectoryImportRoutes } from './directory-import.routes.js';
import { registerDirectoryAccountRoutes } from './directory-accounts.routes.js';
import { freshnessPass } from './directory-freshness.service.js';
import './directory.jobs.js';

/** Searches per address per 15 minutes (a whole apartment block may share one address). */
export const DIRECTORY_SEARCH_LIMIT = 300;

/**
 * The local support directory (お悩みハンドブック): a public, anonymous search by worries and
 * the officers' editing of their association's entries. The search's query (the visitor's
 * worries) is private: it never reaches the log. Its rate limit is counted in memory, per
 * instance, so that no row about the visitor (not even their address) is written.
 */
export function directoryModule(ctx: ModuleContext): Module {
  const limiter = rateLimitMiddleware(
    createRateLimiter(memoryStore(), 15 * 60),
    (req) => [{ key: `directory-search:${clientAddress(req)}`, limit: DIRECTORY_SEARCH_LIMIT }],
    'Too many searches. Please wait 15 minutes and try again.',
  );
  return {
    name: 'directory',
    middleware: (app) => {
      app.use(directoryRoutes.search.path, (_req, res, next) => {
        res.locals.privateQuery = true;
        next();
      }, limiter);
    },
    routes: (api) => {
      registerDirectoryRoutes(api, ctx);
      registerDirectoryImportRoutes(api, ctx);
      registerDirectoryAccountRoutes(api, ctx);
    },
    queues: {
      'directory-freshness': { policy: { expireInSeconds: 600, retryLimit: 2, retryDelay: 60 }, handle: async () => void (await freshnessPass(ctx)) },
    },
    // Daily at 05:20 (Asia/Tokyo, the schedules' time zone).
    schedules: [{ queue: 'directory-freshness', cron: '20 5 * * *' }],
  };
}
