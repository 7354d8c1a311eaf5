import { z } from 'zod';
import { activitySchema, heartbeatSchema, type UplinkKind } from '../../../devices/src/protocol.js';

/**
 * The common uplinks checked without zod: a fleet's stream is heartbeats and presence reports,
 * and zod's safeParse (a result object, a copy of the payload, a check run per field) was the
 * largest single cost per message in ingest's CPU profile.
 *
 * `commonShape` only ever says "valid, and this is what zod would return" or "not sure": a
 * payload it is not sure of — any key missing or extra, any value outside the plain checks
 * below — goes through the schema as before, which decides and names the field. It says valid
 * only for exactly the schema's keys with values the schema takes, and then zod's result
 * would be an object equal to the payload itself, which is returned as it is.
 *
 * One source: the checks are made once, at load, from the schema objects themselves
 * (devices/src/protocol.ts — their keys, lengths, bounds, integer-ness, enum values, literals
 * and the timestamp pattern), not restated here; a field of a kind this does not know makes
 * that schema "not sure" throughout. uplink-shapes.spec.ts compares the two on the edges of
 * every field.
 */

type Json = Record<string, unknown>;
type Check = (v: unknown) => boolean;

/** The schema's own ISO 8601 pattern (z.iso.datetime with an offset). */
const patternOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: { pattern?: RegExp } } })._zod.def.pattern;

/** A plain check equivalent to the field's schema, or null when the field is of a kind not known here. */
function fieldCheck(schema: z.ZodType): Check | null {
  if (schema instanceof z.ZodNullable) {
    const inner = fieldCheck(schema.unwrap() as z.ZodType);
    return inner && ((v) => v === null || inner(v));
  }
  // A string format (z.iso.datetime …) by its own pattern; a plain string by its lengths.
  if (schema instanceof z.ZodStringFormat || schema instanceof z.ZodString) {
    const pattern = schema instanceof z.ZodStringFormat ? patternOf(schema) : undefined;
    if (schema instanceof z.ZodStringFormat && !pattern) return null;
    const min = schema.minLength ?? 0;
    const max = schema.maxLength ?? Infinity;
    return (v) => typeof v === 'string' && v.length >= min && v.length <= max && (!pattern || pattern.test(v));
  }
  if (schema instanceof z.ZodNumber) {
    const min = schema.minValue ?? -Infinity;
    const max = schema.maxValue ?? Infinity;
    return schema.isInt
      ? (v) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      : (v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
  }
  if (schema instanceof z.ZodEnum) {
    const options: unknown[] = schema.options;
    return (v) => options.includes(v);
  }
  if (schema instanceof z.ZodLiteral) {
    const values = schema.values;
    return (v) => values.has(v as never);
  }
  return null;
}

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

/** An object schema's check: exactly its keys, each by its field's check; null when a field is not known here. */
function objectCheck(schema: z.ZodObject): ((p: Json) => boolean) | null {
  const fields = Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => [key, fieldCheck(field)] as const);
  if (fields.some(([, check]) => !check)) return null;
  const checks = fields as (readonly [string, Check])[];
  const n = checks.length;
  return (p) => {
    if (!keyCount(p, n)) return false;
    for (const [key, check] of checks) if (!check(p[key])) return false;
    return true;
  };
}

const heartbeat = objectCheck(heartbeatSchema);

/** The activity union's members by their `type` literal. */
const activities = new Map<unknown, (p: Json) => boolean>();
for (const option of activitySchema.options) {
  const check = objectCheck(option);
  if (check) for (const type of option.shape.type.values) activities.set(type, check);
}

/** The payload itself when it is a common uplink the schema takes as it is; else undefined (ask the schema). */
export function commonShape(kind: UplinkKind, json: unknown): Json | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const p = json as Json;
  if (kind === 'heartbeat') return heartbeat?.(p) ? p : undefined;
  if (kind === 'activity') return activities.get(p.type)?.(p) ? p : undefined;
  return undefined;
}
