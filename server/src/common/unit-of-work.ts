import type { Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { Db } from '../platform/db/database.js';
import type { Tx } from '../platform/db/transaction.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import type { PushService } from '../push/push.service.js';
import type { MqttTransport } from '../platform/mqtt/mqtt-transport.js';
import type { ServiceContext } from './service-context.js';
import type { Reach } from './reach.js';

/**
 * Running services in a transaction their caller owns: the one way device ingest does it.
 *
 * Device ingest stores a whole batch of uplinks in one transaction and commits it once; each
 * module's uplink handler (watch, circulars, drills) calls its ordinary services, written
 * against a ServiceContext, with `inUnitOfWork(ctx, tx)`. Inside, the services' own
 * `inTransaction` / `transactionOn` join the batch's transaction instead of opening one, and
 * everything that reaches people waits for the batch's commit. Services need no second,
 * "transactional" version of themselves.
 */

/**
 * A service context bound to a unit of work (`tx`), so that a service function written
 * against `ctx` runs inside a transaction its caller owns (device ingest commits a whole
 * batch of events with their effects): queries go to `tx.db`, jobs are enqueued in the same
 * transaction (they exist if and only if it commits), and what reaches people — socket
 * events, Web Push, speaker publishes — is held back with `tx.afterCommit` until the commit.
 *
 * A deferred push or publish reports nothing back (`sendToPeople` answers zeros): none of
 * the callers use the result, and after the commit it is only a reminder of stored state.
 */
export function inUnitOfWork<C extends ServiceContext>(ctx: C, tx: Tx): C {
  const { realtime, push, mqtt, reach } = ctx;
  const deferredRealtime: Realtime = {
    emit: ((rooms: string[], event: string, ...args: unknown[]) =>
      tx.afterCommit(() => (realtime.emit as (r: string[], e: string, ...a: unknown[]) => void)(rooms, event, ...args))) as Realtime['emit'],
    rosterChanged: (associationId, householdIds) => tx.afterCommit(() => realtime.rosterChanged(associationId, householdIds)),
    deviceStatus: (associationId, event) => tx.afterCommit(() => realtime.deviceStatus(associationId, event)),
    endSessions: (sessionIds) => tx.afterCommit(() => realtime.endSessions(sessionIds)),
  };
  const deferredPush: PushService = {
    publicKey: () => push.publicKey(),
    subscribe: (actor, subscription) => push.subscribe(actor, subscription),
    unsubscribe: (actor, endpoint) => push.unsubscribe(actor, endpoint),
    sendToPeople: async (personIds, payload) => {
      tx.afterCommit(() => push.sendToPeople(personIds, payload));
      return { sent: 0, removed: 0, retrying: 0 };
    },
    retry: (data) => push.retry(data),
  };
  const deferredMqtt: MqttTransport = {
    start: (onUplink) => mqtt.start(onUplink),
    publish: async (topic, payload) => void tx.afterCommit(() => mqtt.publish(topic, payload)),
    disconnectDevice: (deviceId) => void tx.afterCommit(() => mqtt.disconnectDevice(deviceId)),
    healthy: () => mqtt.healthy(),
    subscribed: () => mqtt.subscribed(),
    close: () => mqtt.close(),
  };
  const deferredReach: Reach = {
    households: async (householdIds, message) => {
      tx.afterCommit(() => reach.households(householdIds, message));
      return { pushed: 0, spoken: 0 };
    },
    people: async (personIds, payload) => {
      tx.afterCommit(() => reach.people(personIds, payload));
      return { pushed: 0 };
    },
    devices: async (devices, message) => {
      tx.afterCommit(() => reach.devices(devices, message));
      return 0;
    },
  };
  // Jobs need no wrapping: a job that acts on state is sent with the transaction that wrote it.
  return { ...ctx, db: tx.db, realtime: deferredRealtime, push: deferredPush, mqtt: deferredMqtt, reach: deferredReach };
}

/**
 * Runs `work` in a transaction: the one `db` already is (a service called inside a unit of
 * work), or a new one. Kysely cannot open a transaction inside a transaction.
 */
export function transactionOn<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}
