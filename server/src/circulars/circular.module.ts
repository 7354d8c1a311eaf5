import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { inUnitOfWork } from '../common/unit-of-work.js';
import { uuid } from '../contracts/common.js';
import { NotApplicable } from '../platform/mqtt/uplink-dispatch.js';
import { registerCircularRoutes } from './circular.routes.js';
import * as circulars from './circular.service.js';
import './circular.jobs.js';

const fanOut = { expireInSeconds: 60, retryLimit: 10, retryDelay: 2 };

/** Electronic circulars (電子回覧板): compose, publish, deliver, remind, acknowledge, answer. */
export function circularModule(ctx: ModuleContext): Module {
  return {
    name: 'circulars',
    routes: (api) => registerCircularRoutes(api, ctx),
    queues: {
      // Publish: status, recipients and the follow-up jobs in one transaction.
      'circular-publish': { policy: fanOut, handle: ({ circularId }) => circulars.publishNow(ctx, circularId).then(() => undefined) },
      // Push and speak to recipients: pages for ≤15 s, then a continuation.
      'circular-deliver': { policy: fanOut, handle: async ({ circularId, after }) => void (await circulars.deliver(ctx, circularId, 'circular', { after })) },
      'circular-reminder': { policy: fanOut, handle: async ({ circularId, hours, after }) => void (await circulars.remind(ctx, circularId, { hours, after })) },
      // One INSERT … SELECT … ON CONFLICT DO NOTHING of captain tasks.
      'circular-overdue': { policy: fanOut, handle: async ({ circularId }) => void (await circulars.markOverdue(ctx, circularId)) },
    },
    uplinks: {
      // The speaker read a circular aloud and the resident pressed "read": the circular's id.
      ack: async (tx, { householdId, messageId }) => {
        if (!uuid.safeParse(messageId).success) throw new NotApplicable('not a circular id');
        await circulars.acknowledge(inUnitOfWork(ctx, tx), { circularId: messageId, householdId, personId: null, channel: 'speaker' });
      },
    },
  };
}
