import { pushKeySchema, pushSubscriptionSchema, pushUnsubscribeSchema } from '../contracts/circulars.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { PushService } from './push.service.js';

export function registerPushRoutes(api: ApiRouter, push: PushService) {
  const tag = 'push';
  api.route('get', '/api/push/public-key', { summary: 'The VAPID public key browsers subscribe with', tag, access: 'session', response: pushKeySchema }, async () => ({
    publicKey: push.publicKey(),
  }));
  api.route('post', '/api/push/subscriptions', { summary: "Save this browser's push subscription", tag, access: 'session', body: pushSubscriptionSchema, status: 201 }, async ({ actor, body, res }) => {
    await push.subscribe(actor, body);
    res.status(201).end();
  });
  api.route('delete', '/api/push/subscriptions', { summary: "Remove this browser's push subscription", tag, access: 'session', body: pushUnsubscribeSchema }, async ({ actor, body }) => {
    await push.unsubscribe(actor, body.endpoint);
  });
}
