import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

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

export function verifyDeviceSecret(stored: string, secret: string): boolean {
  const [, kind, iterations, salt, hash] = stored.split('$');
  if (kind !== '7' || !iterations || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = pbkdf2Sync(secret, Buffer.from(salt, 'base64'), Number(iterations), expected.length, 'sha512');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
