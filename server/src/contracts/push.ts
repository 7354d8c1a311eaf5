import { z } from 'zod';
import { text } from './common.js';
import { defineRoute } from './route.js';

/** The Web Push contract: the VAPID key, and this browser's subscription. */

export const pushKeySchema = z.object({ publicKey: z.string() });
export const pushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https$/, message: 'must be the https URL of the push service' }).max(2000),
  keys: z.object({ p256dh: text().min(1).max(200), auth: text().min(1).max(100) }),
});
export const pushUnsubscribeSchema = z.object({ endpoint: text().max(2000) });

const tag = 'push';
export const pushRoutes = {
  publicKey: defineRoute({ method: 'get', path: '/api/push/public-key', summary: 'The VAPID public key browsers subscribe with', tag, access: 'session', response: pushKeySchema }),
  subscribe: defineRoute({ method: 'post', path: '/api/push/subscriptions', summary: "Save this browser's push subscription", tag, access: 'session', body: pushSubscriptionSchema, status: 201 }),
  unsubscribe: defineRoute({ method: 'delete', path: '/api/push/subscriptions', summary: "Remove this browser's push subscription", tag, access: 'session', body: pushUnsubscribeSchema }),
};
