import { sql } from 'kysely';
import type { Tx } from '../db/transaction.js';
import { HttpError } from '../http/errors.js';
import type { Acknowledgement, ActivityEvent, PromptAnswer, UplinkHandlers } from '../module.js';
import { promptKinds, type PromptKind } from '../../../../devices/src/protocol.js';

/**
 * A button press that does not apply (an unknown prompt, a circular not addressed to this
 * household): the message is stored without effect and counted as `<kind>_not_applicable`.
 * HttpErrors below 500 from the services mean the same.
 */
export class NotApplicable extends Error {}

export const isNotApplicable = (error: unknown) => error instanceof NotApplicable || (error instanceof HttpError && error.status < 500);

/** The modules' uplink handlers, one entry per uplink kind: what the device door calls. */
export interface UplinkDispatch {
  ack(tx: Tx, event: Acknowledgement): Promise<void>;
  activity(tx: Tx, events: ActivityEvent[]): Promise<void>;
  /** `promptKind` names what asked; without it (older firmware) watch is tried, then drills. */
  answer(tx: Tx, event: PromptAnswer & { promptKind?: PromptKind }): Promise<void>;
  devicesSeen(tx: Tx, deviceIds: string[]): Promise<void>;
}

/**
 * Gathers the modules' handlers by uplink kind. `ack`, `activity` and `devicesSeen` go to
 * every module that declares them, in module order; an answer goes to the one module that
 * owns its prompt kind.
 */
export function dispatchUplinks(modules: UplinkHandlers[]): UplinkDispatch {
  const every = <K extends 'ack' | 'activity' | 'devicesSeen'>(kind: K) => modules.flatMap((m) => (m[kind] ? [m[kind]] : [])) as NonNullable<UplinkHandlers[K]>[];
  const acks = every('ack');
  const activities = every('activity');
  const seen = every('devicesSeen');
  const answers: NonNullable<UplinkHandlers['answer']> = {};
  for (const m of modules) {
    for (const kind of promptKinds) {
      const handle = m.answer?.[kind];
      if (!handle) continue;
      if (answers[kind]) throw new Error(`two modules answer ${kind} prompts`);
      answers[kind] = handle;
    }
  }
  return {
    async ack(tx, event) {
      for (const handle of acks) await handle(tx, event);
    },
    async activity(tx, events) {
      for (const handle of activities) await handle(tx, events);
    },
    async devicesSeen(tx, deviceIds) {
      for (const handle of seen) await handle(tx, deviceIds);
    },
    async answer(tx, { promptKind, ...event }) {
      // The answer names what asked: only that capability looks the id up.
      if (promptKind) {
        if (!(await answers[promptKind]?.(tx, event))) throw new NotApplicable(`no such ${promptKind} prompt`);
        return;
      }
      // Older firmware names no kind: the kinds in the protocol's order (watch, then drill)
      // until one knows the id.
      for (const kind of promptKinds) if (await answers[kind]?.(tx, event)) return;
      throw new NotApplicable('no such prompt');
    },
  };
}

/**
 * Runs one press's effect (an answer, an acknowledgement) under a savepoint: one that does
 * not apply is undone alone, with the effects it registered, and reported as the error; the
 * rest of the batch stands. Anything else is the database failing and is thrown (the whole
 * batch goes again).
 */
export async function underSavepoint(tx: Tx & { effects: unknown[] }, run: () => Promise<void>): Promise<Error | null> {
  const mark = tx.effects.length;
  await sql`savepoint device_press`.execute(tx.db);
  try {
    await run();
    await sql`release savepoint device_press`.execute(tx.db);
    return null;
  } catch (error) {
    if (!isNotApplicable(error)) throw error;
    await sql`rollback to savepoint device_press`.execute(tx.db);
    tx.effects.length = mark;
    return error as Error;
  }
}
