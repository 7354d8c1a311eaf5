import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { inUnitOfWork } from '../common/unit-of-work.js';
import { uuid } from '../contracts/common.js';
import { registerDrillRoutes } from './drill.routes.js';
import * as drills from './drill.service.js';
import './drill.jobs.js';

const escalation = { expireInSeconds: 10, retryLimit: 12, retryDelay: 1 };

/** Safety confirmation (安否確認): drills and real events. */
export function drillModule(ctx: ModuleContext): Module {
  return {
    name: 'drills',
    routes: (api) => registerDrillRoutes(api, ctx),
    queues: {
      // Push and prompt households: pages for ≤15 s, then a continuation.
      'drill-ask': { policy: { expireInSeconds: 60, retryLimit: 10, retryDelay: 2 }, handle: ({ drillId, after, round }) => drills.ask(ctx, drillId, after ?? null, round).then(() => undefined) },
      // Silent homes to their 班長 and both tier jobs: one transaction.
      // Looked for every half second: silent homes reach their 班長 within ~1 s of the deadline, not up to 2 s later.
      'drill-deadline': { policy: { ...escalation, pollingIntervalSeconds: 0.5 }, handle: ({ drillId }) => drills.deadline(ctx, drillId).then(() => undefined) },
      // Untaken tasks up one tier, with its marker: one transaction.
      'drill-escalate': { policy: escalation, handle: ({ drillId, tier }) => drills.escalate(ctx, drillId, tier).then(() => undefined) },
    },
    uplinks: {
      // Answers to drill prompts: the prompt's id is the drill's.
      answer: {
        drill: async (tx, event) => {
          if (!uuid.safeParse(event.promptId).success) return false;
          await drills.answerFromSpeaker(inUnitOfWork(ctx, tx), event);
          return true;
        },
      },
    },
  };
}
