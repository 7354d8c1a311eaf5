import type { Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { Db } from './database.js';
import type { Logger } from '../logger.js';

/**
 * One unit of work: the state change, its once-only marker and the job for its next step
 * are written through `tx.db` (one transaction); what reaches people (socket, push, speaker)
 * is registered with `tx.afterCommit` and runs only once the transaction has committed.
 *
 * Effects run after the commit, so a crash between the commit and an effect loses that
 * effect once: every effect must be safe to repeat and must not be the only record of
 * anything (clients refetch on reconnect, pushes and speaker prompts are reminders of
 * stored state). An effect that throws is logged; it never undoes the committed work.
 */
export interface Tx {
  db: Transaction<Database>;
  afterCommit(effect: () => unknown): void;
}

export async function inTransaction<T>(db: Db, log: Pick<Logger, 'error'>, work: (tx: Tx) => Promise<T>): Promise<T> {
  const effects: (() => unknown)[] = [];
  if (db.isTransaction) {
    // Joined: a service called on a transaction its caller owns (device ingest stores a
    // batch of events with their effects through inUnitOfWork, common/unit-of-work.ts). That
    // caller's context already holds back everything that reaches people until its own
    // commit, so this step's effects run at the end of its work, still inside the
    // transaction, where the reads they make are valid.
    const result = await work({ db: db as Transaction<Database>, afterCommit: (effect) => void effects.push(effect) });
    await runEffects(effects, log);
    return result;
  }
  const result = await db.transaction().execute((trx) => work({ db: trx, afterCommit: (effect) => void effects.push(effect) }));
  await runEffects(effects, log);
  return result;
}

/** Runs effects registered on a Tx whose transaction the caller committed itself. */
export async function runEffects(effects: (() => unknown)[], log: Pick<Logger, 'error'>): Promise<void> {
  for (const effect of effects) {
    try {
      await effect();
    } catch (error) {
      log.error({ err: error }, 'an effect after commit failed (the committed state stands)');
    }
  }
}

/**
 * A Tx over a transaction the caller owns (device ingest commits a whole batch): effects
 * are collected in `effects`, for the caller to run with runEffects after its commit.
 */
export function collectingTx(trx: Transaction<Database>): Tx & { effects: (() => unknown)[] } {
  const effects: (() => unknown)[] = [];
  return { db: trx, effects, afterCommit: (effect) => void effects.push(effect) };
}
