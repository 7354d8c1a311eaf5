import { pushRoutes } from '../contracts/push.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import type { PushService } from './push.service.js';

export function registerPushRoutes(api: ApiRouter, push: PushService) {
  api.handle(pushRoutes.publicKey, async () => ({
    publicKey: push.publicKey(),
  }));
  api.handle(pushRoutes.subscribe, async ({ actor, body, res }) => {
    await push.subscribe(actor, body);
    res.status(201).end();
  });
  api.handle(pushRoutes.unsubscribe, async ({ actor, body }) => {
    await push.unsubscribe(actor, body.endpoint);
  });
}
