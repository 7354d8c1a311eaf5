import webpush from 'web-push';
import type { Db } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import type { Jobs } from '../infra/jobs.js';
import type { Actor } from '../auth/policy.js';

export interface PushPayload {
  title: string;
  body: string;
  url: string;
}

export interface PushService {
  publicKey(): string;
  subscribe(actor: Actor, subscription: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<void>;
  unsubscribe(actor: Actor, endpoint: string): Promise<void>;
  /** Sends to every subscribed browser of these people; failures other than "gone" become retry jobs. */
  sendToPeople(personIds: string[], payload: PushPayload): Promise<{ sent: number; removed: number; retrying: number }>;
  /** One delivery attempt for a retry job. */
  retry(data: { subscriptionId: string; payload: PushPayload }): Promise<void>;
}

/**
 * The VAPID key pair is generated on first start and kept in the database, so every
 * instance signs with the same key and browsers' subscriptions stay valid across restarts.
 */
export async function loadVapidKeys(db: Db): Promise<{ publicKey: string; privateKey: string }> {
  const generated = webpush.generateVAPIDKeys();
  await db
    .insertInto('app_settings')
    .values({ key: 'vapid', value: JSON.stringify(generated) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', 'vapid').executeTakeFirstOrThrow();
  return row.value as { publicKey: string; privateKey: string };
}

const CONCURRENCY = 20;

export function createPushService(deps: { db: Db; log: Logger; jobs: Jobs; vapid: { publicKey: string; privateKey: string }; subject: string }): PushService {
  const { db, log } = deps;
  const options = { vapidDetails: { subject: deps.subject, publicKey: deps.vapid.publicKey, privateKey: deps.vapid.privateKey }, TTL: 24 * 3600, timeout: 10_000 };

  async function attempt(subscription: { id: string; endpoint: string; p256dh: string; auth: string }, payload: PushPayload): Promise<'sent' | 'removed' | 'failed'> {
    try {
      await webpush.sendNotification({ endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } }, JSON.stringify(payload), options);
      return 'sent';
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 404 and 410: the browser unsubscribed or the subscription expired; it will never work again.
      if (status === 404 || status === 410) {
        await db.deleteFrom('push_subscriptions').where('id', '=', subscription.id).execute();
        return 'removed';
      }
      log.warn({ status, endpoint: new URL(subscription.endpoint).origin }, 'push delivery failed');
      return 'failed';
    }
  }

  return {
    publicKey: () => deps.vapid.publicKey,
    async subscribe(actor, subscription) {
      await db
        .insertInto('push_subscriptions')
        .values({ association_id: actor.associationId, person_id: actor.personId, endpoint: subscription.endpoint, p256dh: subscription.keys.p256dh, auth: subscription.keys.auth })
        .onConflict((oc) => oc.column('endpoint').doUpdateSet({ person_id: actor.personId, association_id: actor.associationId, p256dh: subscription.keys.p256dh, auth: subscription.keys.auth }))
        .execute();
    },
    async unsubscribe(actor, endpoint) {
      await db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).where('person_id', '=', actor.personId).execute();
    },
    async sendToPeople(personIds, payload) {
      const result = { sent: 0, removed: 0, retrying: 0 };
      if (!personIds.length) return result;
      const subscriptions = await db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('person_id', 'in', personIds).execute();
      // A bounded number in flight: 2,000 households must not open 2,000 sockets at once.
      for (let i = 0; i < subscriptions.length; i += CONCURRENCY) {
        const batch = subscriptions.slice(i, i + CONCURRENCY);
        const outcomes = await Promise.all(batch.map((s) => attempt(s, payload)));
        for (const [j, outcome] of outcomes.entries()) {
          if (outcome === 'sent') result.sent++;
          else if (outcome === 'removed') result.removed++;
          else {
            result.retrying++;
            await deps.jobs.send('push-send', { subscriptionId: batch[j]!.id, payload }, { startAfter: new Date(Date.now() + 60_000) });
          }
        }
      }
      return result;
    },
    async retry({ subscriptionId, payload }) {
      const subscription = await db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('id', '=', subscriptionId).executeTakeFirst();
      if (!subscription) return;
      // Throwing makes pg-boss retry with backoff, up to its retry limit.
      if ((await attempt(subscription, payload)) === 'failed') throw new Error('push delivery failed');
    },
  };
}
