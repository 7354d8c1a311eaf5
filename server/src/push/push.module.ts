import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerPushRoutes } from './push.routes.js';
import './push.jobs.js';

/** Web Push subscriptions, and the retries of pushes that failed. */
export function pushModule(ctx: ModuleContext): Module {
  return {
    name: 'push',
    routes: (api) => registerPushRoutes(api, ctx.push),
    queues: {
      'push-send': { policy: { expireInSeconds: 30, retryLimit: 5, retryDelay: 30 }, handle: (data) => ctx.push.retry(data) },
    },
  };
}
