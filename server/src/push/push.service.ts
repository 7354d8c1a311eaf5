import { createECDH } from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import type { Jobs } from '../platform/jobs/jobs.js';
import type { Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import { assertPushEndpoint, checkEndpointUrl, publicOnlyAgent, PushEndpointError } from './push-endpoint.js';
import * as repo from './push.repository.js';

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
  return repo.loadOrStoreVapidKeys(db, generateVapidKeys());
}

/**
 * A P-256 key pair as web-push's generateVAPIDKeys makes it (uncompressed public key, 32-byte
 * private key, base64url), without loading web-push (~30 modules) on every start: web-push is
 * imported when the first notification is sent.
 */
function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const curve = createECDH('prime256v1');
  curve.generateKeys();
  const pad = (key: Buffer, length: number) => (key.length < length ? Buffer.concat([Buffer.alloc(length - key.length), key]) : key);
  return { publicKey: pad(curve.getPublicKey(), 65).toString('base64url'), privateKey: pad(curve.getPrivateKey(), 32).toString('base64url') };
}

const CONCURRENCY = 20;

export function createPushService(deps: {
  db: Db;
  log: Logger;
  jobs: Jobs;
  vapid: { publicKey: string; privateKey: string };
  subject: string;
  /**
   * Tests only (their push service listens on 127.0.0.1 with a port): skip the public-address
   * checks. Never read from the environment, so no production setting can turn it on.
   */
  allowPrivateHosts?: boolean;
}): PushService {
  const { db, log } = deps;
  const allowPrivate = deps.allowPrivateHosts === true;
  const options = {
    vapidDetails: { subject: deps.subject, publicKey: deps.vapid.publicKey, privateKey: deps.vapid.privateKey },
    TTL: 24 * 3600,
    timeout: 10_000,
    // Connects only to addresses checked as public at connect time. web-push uses https.request,
    // which follows no redirects, so a 3xx from a push service is a failed delivery, not a hop.
    ...(allowPrivate ? {} : { agent: publicOnlyAgent() }),
  };

  async function attempt(subscription: repo.StoredSubscription, payload: PushPayload): Promise<'sent' | 'removed' | 'failed'> {
    if (!allowPrivate) {
      try {
        checkEndpointUrl(subscription.endpoint);
      } catch (error) {
        // Stored before endpoints were checked: it can never be a real push service.
        if (!(error instanceof PushEndpointError)) throw error;
        log.warn({ subscriptionId: subscription.id, reason: error.message }, 'push subscription to a non-public endpoint removed');
        await repo.deleteSubscription(db, subscription.id);
        return 'removed';
      }
    }
    try {
      const { default: webpush } = await import('web-push');
      await webpush.sendNotification({ endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } }, JSON.stringify(payload), options);
      return 'sent';
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 404 and 410: the browser unsubscribed or the subscription expired; it will never work again.
      if (status === 404 || status === 410) {
        await repo.deleteSubscription(db, subscription.id);
        return 'removed';
      }
      log.warn({ status, endpoint: new URL(subscription.endpoint).origin }, 'push delivery failed');
      return 'failed';
    }
  }

  return {
    publicKey: () => deps.vapid.publicKey,
    async subscribe(actor, subscription) {
      if (!allowPrivate) await assertPushEndpoint(subscription.endpoint);
      // An endpoint belongs to the person who first saved it: the same endpoint posted by
      // someone else (another login on this browser, or anyone who learnt the URL) must not
      // take it over, or their notifications would go to that browser and the owner's stop.
      const saved = await repo.saveSubscription(db, actor, subscription);
      if (!saved) {
        throw new HttpError(409, 'push_endpoint_taken', 'this browser already receives notifications for another login', 'endpoint');
      }
    },
    async unsubscribe(actor, endpoint) {
      await repo.deletePersonSubscription(db, actor.personId, endpoint);
    },
    async sendToPeople(personIds, payload) {
      const result = { sent: 0, removed: 0, retrying: 0 };
      if (!personIds.length) return result;
      const subscriptions = await repo.subscriptionsOf(db, personIds);
      // A bounded number in flight: 2,000 households must not open 2,000 sockets at once.
      for (let i = 0; i < subscriptions.length; i += CONCURRENCY) {
        const batch = subscriptions.slice(i, i + CONCURRENCY);
        const outcomes = await Promise.all(batch.map((s) => attempt(s, payload)));
        for (const [j, outcome] of outcomes.entries()) {
          if (outcome === 'sent') result.sent++;
          else if (outcome === 'removed') result.removed++;
          else {
            result.retrying++;
            await deps.jobs.sendDetached('retry', 'push-send', { subscriptionId: batch[j]!.id, payload }, { startAfter: new Date(Date.now() + 60_000) });
          }
        }
      }
      return result;
    },
    async retry({ subscriptionId, payload }) {
      const subscription = await repo.findSubscription(db, subscriptionId);
      if (!subscription) return;
      // Throwing makes pg-boss retry with backoff, up to its retry limit.
      if ((await attempt(subscription, payload)) === 'failed') throw new Error('push delivery failed');
    },
  };
}
