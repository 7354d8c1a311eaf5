import { heartbeatSchema, type UplinkKind } from '../../../devices/src/protocol.js';

/**
 * The common uplinks checked without zod: a fleet's stream is heartbeats and presence reports,
 * and zod's safeParse (a result object, a copy of the payload, a check run per field) was the
 * largest single cost per message in ingest's CPU profile.
 *
 * `commonShape` only ever says "valid, and this is what zod would return" or "not sure": a
 * payload it is not sure of — any key missing or extra, any value outside the plain checks
 * below — goes through the schema as before, which decides and names the field. It says valid
 * only for exactly the schema's keys with values the schema takes (devices/src/protocol.ts;
 * uplink-shapes.spec.ts compares the two on the edges of every field), and then zod's result
 * would be an object equal to the payload itself, which is returned as it is.
 */

/** The schema's own ISO 8601 pattern (z.iso.datetime with an offset), not a second copy of it. */
const TIMESTAMP = (heartbeatSchema.shape.ts as unknown as { _zod: { def: { pattern: RegExp } } })._zod.def.pattern;

type Json = Record<string, unknown>;

const isString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length >= 1 && v.length <= max;
const isInt = (v: unknown, min: number, max: number) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isNullableNumber = (v: unknown, min: number, max: number) => v === null || (typeof v === 'number' && v >= min && v <= max);

/** bootId, seq and ts as every uplink's envelope has them. */
const envelopeOk = (p: Json) => isString(p.bootId, 64) && isInt(p.seq, 1, Number.MAX_SAFE_INTEGER) && typeof p.ts === 'string' && TIMESTAMP.test(p.ts);

/**
 * Whether the object has exactly `n` keys, all its own. The caller checks each of the schema's
 * `n` keys, so any other (`__proto__` too, which JSON.parse makes an own key) makes the count differ.
 */
function keyCount(p: Json, n: number): boolean {
  let count = 0;
  for (const key in p) {
    if (!Object.hasOwn(p, key)) return false;
    count++;
  }
  return count === n;
}

function heartbeat(p: Json): boolean {
  return (
    keyCount(p, 8) &&
    envelopeOk(p) &&
    isInt(p.uptimeSeconds, 0, Number.MAX_SAFE_INTEGER) &&
    (p.power === 'mains' || p.power === 'battery') &&
    isNullableNumber(p.battery, 0, 100) &&
    isNullableNumber(p.signal, -150, 0) &&
    isString(p.firmware, 40)
  );
}

function activity(p: Json): boolean {
  if (!envelopeOk(p)) return false;
  switch (p.type) {
    case 'presence':
      return keyCount(p, 5) && isInt(p.count, 1, 10_000);
    case 'button':
      return keyCount(p, 5) && (p.button === 'safe' || p.button === 'help' || p.button === 'play');
    case 'voice':
      return keyCount(p, 4);
    default:
      return false;
  }
}

/** The payload itself when it is a common uplink the schema takes as it is; else undefined (ask the schema). */
export function commonShape(kind: UplinkKind, json: unknown): Json | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const p = json as Json;
  if (kind === 'heartbeat') return heartbeat(p) ? p : undefined;
  if (kind === 'activity') return activity(p) ? p : undefined;
  return undefined;
}
