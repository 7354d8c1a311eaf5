import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { inUnitOfWork } from '../common/unit-of-work.js';
import { uuid } from '../contracts/common.js';
import { registerWatchRoutes } from './watch.routes.js';
import * as watch from './watch.service.js';
import './watch.jobs.js';

/** Watching over homes (見守り): silent homes, device alerts, tiers of people told. */
export function watchModule(ctx: ModuleContext): Module {
  let scanTicker: NodeJS.Timeout | undefined;
  return {
    name: 'watch',
    routes: (api) => registerWatchRoutes(api, ctx),
    queues: {
      'watch-scan': { policy: { expireInSeconds: 60, retryLimit: 1, retryDelay: 5 }, handle: async () => void (await watch.scan(ctx)) },
      'watch-escalate': { policy: { expireInSeconds: 10, retryLimit: 12, retryDelay: 1 }, handle: async ({ alertId, tier }) => void (await watch.escalate(ctx, alertId, tier)) },
      'watch-retention': { policy: { expireInSeconds: 1800, retryLimit: 2, retryDelay: 60 }, handle: async () => void (await watch.deleteOldEvents(ctx, ctx.deps.watchRetentionDays ?? 90)) },
      'watch-rhythm': { policy: { expireInSeconds: 1800, retryLimit: 2, retryDelay: 60 }, handle: async () => void (await watch.learnRhythms(ctx)) },
      'watch-rhythm-zone': {
        policy: { expireInSeconds: 1800, retryLimit: 3, retryDelay: 30 },
        handle: async ({ associationId }) => void (await watch.learnAssociation(ctx, associationId)),
      },
    },
    schedules: [
      { queue: 'watch-scan', cron: '* * * * *' },
      { queue: 'watch-retention', cron: '17 3 * * *' },
      // Hourly: each association is learned at the first run after its own watch day starts
      // (04:00 by its clock; 04:10 in whole-hour zones, 04:40 or 04:55 in India's or Nepal's),
      // so the day that just ended counts, wherever it is. Its marker makes the other 23 runs
      // of its day skip it.
      { queue: 'watch-rhythm', cron: '10 * * * *' },
    ],
    uplinks: {
      activity: (tx, events) => watch.recordActivities(inUnitOfWork(ctx, tx), events),
      answer: { watch: async (tx, event) => uuid.safeParse(event.promptId).success && watch.recordPromptAnswer(inUnitOfWork(ctx, tx), event) },
      devicesSeen: (tx, deviceIds) => watch.devicesBack(inUnitOfWork(ctx, tx), deviceIds),
    },
    start() {
      // Below a minute every instance offers a scan each interval and one job per interval
      // runs (pg-boss throttling), so homes with thresholds of seconds are found within seconds.
      const scanSeconds = ctx.deps.watchScanSeconds ?? 60;
      if (scanSeconds >= 60) return;
      const offer = () =>
        ctx.jobs
          .sendDetached('tick', 'watch-scan', {}, { singletonKey: 'tick', singletonSeconds: scanSeconds })
          .catch((error) => ctx.log.warn({ err: error }, 'could not offer a watch scan'));
      scanTicker = setInterval(offer, scanSeconds * 1000);
      scanTicker.unref();
    },
    stop: () => clearInterval(scanTicker),
  };
}
