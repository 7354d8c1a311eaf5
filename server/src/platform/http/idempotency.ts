import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import { HttpError } from './errors.js';

/**
 * `Idempotency-Key`: a UUID the client makes once per user action and sends again with every
 * retry of it. Routes that keep a history (answers) take it, so a retry after a lost response
 * or during an outage is stored once and answered like the first.
 */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const idempotencyKeySchema = z.uuid({ message: 'must be a UUID made once per action and sent again with each retry' });

/** A key as it is stored: whose, and what it was used for (e.g. `drill-answer:<drill id>`): a key is one action. */
export interface RequestKey {
  personId: string;
  associationId: string;
  key: string;
  action: string;
}

/** The RequestKey of an actor's action, when the request carried a key. */
export function requestKey(actor: { personId: string; associationId: string }, key: string | undefined, action: string): RequestKey | undefined {
  return key ? { personId: actor.personId, associationId: actor.associationId, key, action } : undefined;
}

/** Parses the header (zod, like every door); undefined when the client sent none. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = idempotencyKeySchema.safeParse(header.trim());
  if (!parsed.success) throw new HttpError(400, 'invalid_input', `${IDEMPOTENCY_HEADER}: ${parsed.error.issues[0]!.message}`, IDEMPOTENCY_HEADER);
  return parsed.data;
}

/**
 * Records the key inside the transaction that stores the action. True for the first try;
 * false for a retry, whose writes the caller skips. A retry racing the first waits on the
 * primary key until the first commits (then it is a retry) or rolls back (then it is the
 * first). A key reused for a different action is refused.
 */
export async function claimRequestKey(trx: Kysely<Database>, requestKey: RequestKey | undefined): Promise<boolean> {
  if (!requestKey) return true;
  const { action } = requestKey;
  const claimed = await trx
    .insertInto('request_keys')
    .values({ person_id: requestKey.personId, association_id: requestKey.associationId, key: requestKey.key, action })
    .onConflict((oc) => oc.columns(['person_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (claimed) return true;
  const existing = await trx.selectFrom('request_keys').select('action').where('person_id', '=', requestKey.personId).where('key', '=', requestKey.key).executeTakeFirstOrThrow();
  if (existing.action !== action) {
    throw new HttpError(422, 'idempotency_key_reused', `This ${IDEMPOTENCY_HEADER} was already used for another request; make a new one for each action.`, IDEMPOTENCY_HEADER);
  }
  return false;
}
