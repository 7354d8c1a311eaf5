import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerQuakeRoutes } from './quake.routes.js';
import { pollFeed } from './feed.service.js';
import { fire, refireOverdue } from './trigger.service.js';
import './quake.jobs.js';

/** Earthquake-triggered safety confirmation: the JMA feed reader and the triggers it decides (docs/architecture.md, "The JMA trigger"). */
export function quakeModule(ctx: ModuleContext): Module {
  const feed = ctx.deps.quakeFeed;
  return {
    name: 'quakes',
    routes: (api) => registerQuakeRoutes(api, ctx),
    queues: {
      // One poll at a time; a lost tick is covered by the next minute's.
      'quake-poll': {
        policy: { expireInSeconds: 50, retryLimit: 0, retryDelay: 1 },
        handle: async () => {
          await refireOverdue(ctx).catch((err) => ctx.log.error({ err }, 'overdue quake triggers could not be fired again; tried on the next poll'));
          if (feed) await pollFeed(ctx, feed, (outcome) => ctx.metrics.quakeTelegrams.inc({ outcome }));
        },
      },
      // The start of an event: a marker (the trigger's status) and its effects, like a drill's steps.
      // Retries back off (the platform doubles the delay: 1 s, 2 s, 4 s … about one to two hours in all);
      // past that, or with the job lost, quake-poll fires an overdue trigger again (trigger.service.ts refireOverdue).
      'quake-fire': { policy: { expireInSeconds: 30, retryLimit: 12, retryDelay: 1, pollingIntervalSeconds: 1 }, handle: async ({ triggerId, round }) => void (await fire(ctx, triggerId, round)) },
    },
    // JMA's high-frequency feed is updated every minute.
    schedules: feed ? [{ queue: 'quake-poll', cron: '* * * * *' }] : [],
  };
}
