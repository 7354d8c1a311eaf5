import { createHash } from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import { countAttempt, deleteAttempts, deleteOldAttempts } from './rate-limit.repository.js';

/** Keys name people (an email, a phone number) and addresses: only their hashes are stored. */
const stored = (key: string) => createHash('sha256').update(key).digest('hex');

export interface RateLimitResult {
  limited: boolean;
  /** Seconds until the key's window ends. */
  retryAfterSeconds: number;
}

/**
 * Counts one attempt for each key and says whether any is over its limit. The counters live
 * in PostgreSQL (table rate_limits) so that every instance shares them; each is one upsert,
 * which counts concurrent attempts exactly (an attempt is counted before it is tried, so a
 * burst of parallel guesses cannot all pass a check made before any of them is counted).
 */
export async function hitRateLimits(db: Db, windowSeconds: number, limits: { key: string; limit: number }[]): Promise<RateLimitResult> {
  let limited = false;
  let retryAfterSeconds = 0;
  for (const { key, limit } of limits) {
    const { hits, remaining } = await countAttempt(db, stored(key), windowSeconds);
    if (hits > limit) {
      limited = true;
      retryAfterSeconds = Math.max(retryAfterSeconds, remaining);
    }
  }
  // Now and then, forget windows that ended long ago (any instance may do it).
  if (Math.random() < 0.01) {
    await deleteOldAttempts(db, windowSeconds * 4);
  }
  return { limited, retryAfterSeconds };
}

/** Forgets a key's attempts (a person who logged in is not held back by their own typos). */
export async function clearRateLimit(db: Db, key: string) {
  await deleteAttempts(db, stored(key));
}
