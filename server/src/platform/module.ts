import type express from 'express';
import type { ApiRouter } from './http/api-router.js';
import type { JobPayloads, QueueName, QueuePolicy } from './jobs/jobs.js';
import type { Tx } from './db/transaction.js';
import type { PromptKind } from '../../../devices/src/protocol.js';

/**
 * A capability as the app sees it: what it serves over HTTP, which durable jobs it runs and
 * when, and which device uplinks it handles. Each capability folder has one `*.module.ts`
 * that builds its Module from the shared context; `app.ts` installs the modules listed in
 * `modules.ts` and knows nothing else about them.
 */
export interface Module {
  name: string;
  /** Express middleware that must run before any API route (the session loader). */
  middleware?(app: express.Express): void;
  routes?(api: ApiRouter): void;
  /** The queues this capability owns: their settings and the handler of their jobs. */
  queues?: QueueDefinitions;
  /** Queues fired on a cron schedule (Asia/Tokyo, minute resolution; one instance per tick). */
  schedules?: { queue: QueueName; cron: string }[];
  /** What this capability does with device uplinks, inside the transaction that stores them. */
  uplinks?: UplinkHandlers;
  /** After the workers have started (timers of its own). */
  start?(): void | Promise<void>;
  /** Before the app closes its connections. */
  stop?(): void | Promise<void>;
}

export interface QueueDefinition<Q extends QueueName> {
  policy: QueuePolicy;
  handle(data: JobPayloads[Q]): Promise<void>;
}
export type QueueDefinitions = { [Q in QueueName]?: QueueDefinition<Q> };

/** A speaker button answering a prompt that asked a question (a watch check, a drill). */
export interface PromptAnswer {
  householdId: string;
  associationId: string;
  promptId: string;
  button: 'safe' | 'help';
  at: Date;
}

/** The resident pressed the acknowledge button for a message read aloud (`messageId` is what was read). */
export interface Acknowledgement {
  deviceId: string;
  householdId: string;
  messageId: string;
}

/** A sign of life in a home: the presence sensor, a button, the voice assistant. */
export interface ActivityEvent {
  householdId: string;
  associationId: string;
  at: Date;
  type: 'presence' | 'button' | 'voice';
  count?: number;
  button?: string;
}

/**
 * Device uplink handlers, by uplink kind (devices/src/protocol.ts): the MQTT door hands each
 * stored uplink to the handlers of its kind. Each runs in the ingest batch's transaction
 * (`tx.db`), so an event and its effects commit together; what reaches people goes through
 * `tx.afterCommit`. Throwing NotApplicable (platform/mqtt/uplink-dispatch.ts), or an
 * HttpError below 500, stores the event without effect. Heartbeats and status are the
 * devices' own (devices/device.uplinks.ts); `played` is stored only.
 */
export interface UplinkHandlers {
  /** `ack`: the resident pressed the acknowledge button for a message read aloud. */
  ack?: (tx: Tx, event: Acknowledgement) => Promise<void>;
  /** `activity`: signs of life in homes (presence, buttons, the voice assistant), a batch at a time. */
  activity?: (tx: Tx, events: ActivityEvent[]) => Promise<void>;
  /**
   * `answer`, by the kind of prompt it answers (one capability per prompt kind): returns false
   * when the prompt id is not one of its own, true when it took the answer.
   */
  answer?: { [K in PromptKind]?: (tx: Tx, event: PromptAnswer) => Promise<boolean> };
  /** Not a kind of its own: devices heard from (any accepted uplink). */
  devicesSeen?: (tx: Tx, deviceIds: string[]) => Promise<void>;
}
