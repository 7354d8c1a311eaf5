import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { MemoryStore, ipKeyGenerator, type Options } from 'express-rate-limit';
import type { Db } from '../platform/db/database.js';
import { countAttempt, deleteAttempts, deleteOldAttempts } from './rate-limit.repository.js';

/**
 * The one rate limiter, with two stores:
 * - PostgreSQL (table rate_limits), shared by every instance: logins, passcodes, password
 *   changes, where an attacker would spread guesses over the instances.
 * - memory, per instance: a limit that must not write any row about the visitor (the public,
 *   anonymous directory search). It is express-rate-limit's MemoryStore, which forgets a key
 *   once its window has passed.
 * Keys name people (an email, a phone number) and addresses: stores only see their hashes.
 */

export interface RateLimitResult {
  limited: boolean;
  /** Seconds until the key's window ends. */
  retryAfterSeconds: number;
}

export interface RateLimit {
  key: string;
  limit: number;
}

/** Where the attempts are counted. Both count one attempt before it is tried. */
export interface RateLimitStore {
  /** Counts one attempt for a (hashed) key: the hits in its window and the seconds until the window ends. */
  count(storedKey: string, windowSeconds: number): Promise<{ hits: number; remaining: number }>;
  /** Forgets a key's attempts. */
  forget(storedKey: string): Promise<void>;
}

/**
 * PostgreSQL: each count is one upsert, which counts concurrent attempts exactly (a burst of
 * parallel guesses cannot all pass a check made before any of them is counted).
 */
export function postgresStore(db: Db): RateLimitStore {
  return {
    async count(storedKey, windowSeconds) {
      const counted = await countAttempt(db, storedKey, windowSeconds);
      // Now and then, forget windows that ended long ago (any instance may do it).
      if (Math.random() < 0.01) await deleteOldAttempts(db, windowSeconds * 4);
      return counted;
    },
    forget: async (storedKey) => void (await deleteAttempts(db, storedKey)),
  };
}

/** In this instance's memory: nothing is written anywhere; a restart forgets every count. */
export function memoryStore(): RateLimitStore {
  // express-rate-limit's MemoryStore has one window length: one store per length used.
  const stores = new Map<number, MemoryStore>();
  const storeFor = (windowSeconds: number) => {
    let store = stores.get(windowSeconds);
    if (!store) {
      store = new MemoryStore();
      store.init({ windowMs: windowSeconds * 1000 } as Options);
      stores.set(windowSeconds, store);
    }
    return store;
  };
  return {
    async count(storedKey, windowSeconds) {
      const { totalHits, resetTime } = await storeFor(windowSeconds).increment(storedKey);
      const remaining = resetTime ? Math.ceil((resetTime.getTime() - Date.now()) / 1000) : windowSeconds;
      return { hits: totalHits, remaining: Math.max(0, remaining) };
    },
    async forget(storedKey) {
      for (const store of stores.values()) await store.resetKey(storedKey);
    },
  };
}

const stored = (key: string) => createHash('sha256').update(key).digest('hex');

export interface RateLimiter {
  windowSeconds: number;
  /** Counts one attempt for each key and says whether any is over its limit. */
  hit(limits: RateLimit[]): Promise<RateLimitResult>;
  /** Forgets a key's attempts (a person who logged in is not held back by their own typos). */
  clear(key: string): Promise<void>;
}

export function createRateLimiter(store: RateLimitStore, windowSeconds: number): RateLimiter {
  return {
    windowSeconds,
    async hit(limits) {
      let limited = false;
      let retryAfterSeconds = 0;
      for (const { key, limit } of limits) {
        const { hits, remaining } = await store.count(stored(key), windowSeconds);
        if (hits > limit) {
          limited = true;
          retryAfterSeconds = Math.max(retryAfterSeconds, remaining);
        }
      }
      return { limited, retryAfterSeconds };
    },
    clear: (key) => store.forget(stored(key)),
  };
}

/** The client's address as a key (an IPv6 address by its /56, as express-rate-limit does). */
export const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? '');

/**
 * The Retry-After of a 429, in seconds. Whole minutes (for windows of a minute or more): the
 * answer must not tell two keys' windows apart to the second.
 */
export function retryAfterSeconds(limiter: Pick<RateLimiter, 'windowSeconds'>, result: RateLimitResult) {
  return Math.max(1, Math.min(Math.max(60, Math.ceil(result.retryAfterSeconds / 60) * 60), limiter.windowSeconds));
}

/** Answers 429 with Retry-After (retryAfterSeconds). */
export function refuseRateLimited(res: Response, limiter: Pick<RateLimiter, 'windowSeconds'>, result: RateLimitResult, message: string) {
  res.setHeader('Retry-After', String(retryAfterSeconds(limiter, result)));
  res.status(429).json({ error: { code: 'rate_limited', message } });
}

/** Middleware: counts the request against `limits(req)`; 429 once one of them is spent. */
export function rateLimitMiddleware(limiter: RateLimiter, limits: (req: Request) => RateLimit[], message: string): RequestHandler {
  return (req, res, next) => {
    limiter.hit(limits(req)).then((result) => (result.limited ? refuseRateLimited(res, limiter, result, message) : next()), next);
  };
}
