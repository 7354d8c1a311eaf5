import { createHash, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Device secrets are stored as Mosquitto's own PBKDF2-SHA512 hash format
 * (`$7$iterations$salt$hash`), so the same stored value serves the embedded broker's
 * check and a Mosquitto password file generated from the database. The secrets are 32
 * random bytes, so the iteration count protects nothing a guess could reach anyway.
 */
const ITERATIONS = 1000;

export function generateDeviceSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function hashDeviceSecret(secret: string): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(secret, salt, ITERATIONS, 64, 'sha512');
  return `$7$${ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Whether `secret` matches the stored hash. The hashing runs on libuv's thread pool, not the
 * event loop: a fleet reconnecting at once (after a broker or server restart) would otherwise
 * stall ingest and every request for the length of its PBKDF2 rounds. A match is remembered
 * (by a digest of the stored hash and the secret, never the secret itself), so a device that
 * reconnects costs one hash lookup; a rotated secret has a new stored hash and is checked anew.
 */
export async function verifyDeviceSecret(stored: string, secret: string): Promise<boolean> {
  const [, kind, iterations, salt, hash] = stored.split('$');
  if (kind !== '7' || !iterations || !salt || !hash) return false;
  const key = createHash('sha256').update(stored).update('\0').update(secret).digest('base64');
  if (verified.has(key)) return true;
  const expected = Buffer.from(hash, 'base64');
  const actual = await pbkdf2Async(secret, Buffer.from(salt, 'base64'), Number(iterations), expected.length, 'sha512');
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  if (ok) {
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
    verified.set(key, true);
  }
  return ok;
}

/** Verified logins remembered, oldest dropped first: about one per device of a large instance. */
const MAX_VERIFIED = 50_000;
const verified = new Map<string, true>();
