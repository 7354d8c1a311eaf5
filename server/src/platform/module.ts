import type express from 'express';
import type { ApiRouter } from './http/api-router.js';
import type { JobPayloads, QueueName, QueuePolicy } from './jobs/jobs.js';
import type { Tx } from './db/transaction.js';
import type { ActivityEvent } from '../devices/device-ingest.service.js';

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

/**
 * Device uplink handlers. Each runs in the ingest batch's transaction (`tx.db`), so an event
 * and its effects commit together; what reaches people goes through `tx.afterCommit`.
 * Throwing NotApplicable (or an HttpError below 500) stores the event without effect.
 */
export interface UplinkHandlers {
  /** The resident pressed the acknowledge button for a message read aloud. */
  acknowledge?: (tx: Tx, event: { deviceId: string; householdId: string; messageId: string }) => Promise<void>;
  /** Signs of life in homes (presence, buttons, the voice assistant), a batch at a time. */
  activities?: (tx: Tx, events: ActivityEvent[]) => Promise<void>;
  /**
   * Answers to this capability's prompts: returns false when the prompt id is not one of its
   * own (another capability's prompt), true when it took the answer.
   */
  answer?: (tx: Tx, event: PromptAnswer) => Promise<boolean>;
  /** Devices heard from (any accepted message). */
  devicesSeen?: (tx: Tx, deviceIds: string[]) => Promise<void>;
}
