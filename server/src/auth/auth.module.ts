import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerAuthRoutes } from './auth.routes.js';
import { sessionMiddleware } from './session.middleware.js';

/** Logins, sessions, passwords and joining a household. */
export function authModule(ctx: ModuleContext): Module {
  const sessions = { db: ctx.db, sessionTtlHours: ctx.deps.sessionTtlHours ?? 24 * 30, realtime: ctx.realtime, log: ctx.log };
  return {
    name: 'auth',
    middleware: (app) => app.use('/api', sessionMiddleware(sessions)),
    routes: (api) =>
      registerAuthRoutes(api, {
        ...sessions,
        secureCookies: ctx.publicUrl.startsWith('https:'),
        loginRateLimit: ctx.deps.loginRateLimit ?? 10,
        metrics: ctx.metrics,
        // The zone change queues the watch's relearning of rhythms (watch/rhythm.service.ts).
        jobs: ctx.jobs,
        publicUrl: ctx.publicUrl,
      }),
  };
}
