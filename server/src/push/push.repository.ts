import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';

/** The SQL of Web Push: browsers' subscriptions, and the VAPID key pair every instance signs with. */

/** Inserts the key pair unless one is stored already, then reads the one that is: the first instance's wins. */
export async function loadOrStoreVapidKeys(db: Db, generated: { publicKey: string; privateKey: string }) {
  await db
    .insertInto('app_settings')
    .values({ key: 'vapid', value: JSON.stringify(generated) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', 'vapid').executeTakeFirstOrThrow();
  return row.value as { publicKey: string; privateKey: string };
}

/**
 * Saves a browser's subscription for a person. An endpoint belongs to the person who first
 * saved it: the same endpoint saved by someone else updates nothing and answers undefined.
 */
export function saveSubscription(
  db: Db,
  owner: { associationId: string; personId: string },
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
) {
  return db
    .insertInto('push_subscriptions')
    .values({ association_id: owner.associationId, person_id: owner.personId, endpoint: subscription.endpoint, p256dh: subscription.keys.p256dh, auth: subscription.keys.auth })
    .onConflict((oc) =>
      oc
        .column('endpoint')
        .doUpdateSet({ p256dh: subscription.keys.p256dh, auth: subscription.keys.auth })
        .where('push_subscriptions.person_id', '=', owner.personId)
        .where('push_subscriptions.association_id', '=', owner.associationId),
    )
    .returning('id')
    .executeTakeFirst();
}

export function deletePersonSubscription(db: Db, personId: string, endpoint: string) {
  return db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).where('person_id', '=', personId).execute();
}

/** Every device subscription of a person (a password reset: whoever held the account may have subscribed); how many. */
export async function deletePersonSubscriptions(db: Db, personId: string) {
  const { numDeletedRows } = await db.deleteFrom('push_subscriptions').where('person_id', '=', personId).executeTakeFirst();
  return Number(numDeletedRows);
}

export function deleteSubscription(db: Db, id: string) {
  return db.deleteFrom('push_subscriptions').where('id', '=', id).execute();
}

export function subscriptionsOf(db: Db, personIds: readonly string[]) {
  return db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where(isAnyOf('person_id', personIds)).execute();
}

export function findSubscription(db: Db, id: string) {
  return db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('id', '=', id).executeTakeFirst();
}

export type StoredSubscription = NonNullable<Awaited<ReturnType<typeof findSubscription>>>;

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const ENDPOINT = 'https://fcm.googleapis.com/fcm/send/example';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'loadOrStoreVapidKeys', run: (db) => loadOrStoreVapidKeys(db, { publicKey: 'public', privateKey: 'private' }) },
  { name: 'saveSubscription', run: (db) => saveSubscription(db, { associationId: ID, personId: ID2 }, { endpoint: ENDPOINT, keys: { p256dh: 'key', auth: 'auth' } }) },
  { name: 'deletePersonSubscription', run: (db) => deletePersonSubscription(db, ID, ENDPOINT) },
  { name: 'deletePersonSubscriptions', run: (db) => deletePersonSubscriptions(db, ID) },
  { name: 'deleteSubscription', run: (db) => deleteSubscription(db, ID) },
  { name: 'subscriptionsOf', run: (db) => subscriptionsOf(db, [ID, ID2]) },
  { name: 'findSubscription', run: (db) => findSubscription(db, ID) },
];
