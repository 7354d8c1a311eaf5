import { z } from 'zod';

/**
 * What every HTTP contract shares: the input boundary's zod helpers, the error envelope
 * and the small common shapes. The schemas are shared by the server (which validates with
 * them and generates /api/openapi.json from them) and the web app (which takes its types
 * from them). Field names are camelCase on the wire.
 */

export const languageSchema = z.enum(['ja', 'ja-easy', 'en']);
export const channelSchema = z.enum(['app', 'speaker', 'paper']);
export const uuid = z.uuid({ message: 'must be an id (UUID)' });

// ── The input boundary ─────────────────────────────────────────────────────────────────
// Every value a client sends goes through these helpers, so what reaches PostgreSQL is
// something it can store: text without NUL (PostgreSQL text cannot hold U+0000) or broken
// UTF-16 (a lone surrogate cannot be encoded as UTF-8, and breaks the audit log's jsonb),
// dates in years people mean, and integers that fit their column. A value outside answers
// 400 naming the field, before any handler (and so before any write) runs.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text that PostgreSQL and JSON can store as sent: no NUL, no unpaired surrogate. */
export const text = () =>
  z
    .string({ error: 'must be text' })
    .refine((v) => !v.includes('\u0000'), 'must not contain a NUL character')
    .refine((v) => !LONE_SURROGATE.test(v), 'must not contain a broken character (an unpaired surrogate)');

/** Trimmed text of at most `max` characters that must not be empty. */
export const trimmed = (max: number) => text().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
/** Trimmed text of at most `max` characters, possibly empty. */
export const optionalText = (max: number) => text().trim().max(max, `at most ${max} characters`);
/** A search term (query strings too): text, trimmed, at most `max` characters. */
export const searchText = (max = 100) => optionalText(max);

/** The range of a PostgreSQL `integer` (int4) column. */
export const INT4 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;
/**
 * An integer that fits an `integer` column, within [min, max] (by default the whole int4
 * range). zod's .int() alone allows ±2^53, which PostgreSQL refuses with a 500.
 */
export const int = (min: number = INT4.min, max: number = INT4.max) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(Math.max(min, INT4.min), `must be at least ${Math.max(min, INT4.min)}`)
    .max(Math.min(max, INT4.max), `must be at most ${Math.min(max, INT4.max)}`);
/** The same for a query string value (always text on the wire). */
export const queryInt = (min: number = INT4.min, max: number = INT4.max) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(Math.max(min, INT4.min), `must be at least ${Math.max(min, INT4.min)}`)
    .max(Math.min(max, INT4.max), `must be at most ${Math.min(max, INT4.max)}`);

/** Years people mean: PostgreSQL and JavaScript disagree about year 0 and year 275760. */
export const YEARS = { min: 1900, max: 2200 } as const;
const yearInRange = (iso: string) => {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= YEARS.min && year <= YEARS.max;
};
const yearMessage = `must be between the years ${YEARS.min} and ${YEARS.max}`;
/** A date and time with its offset (ISO 8601), in a sensible year. */
export const isoDateTime = (message = 'must be a date and time (ISO 8601)') =>
  z.iso.datetime({ offset: true, message }).refine(yearInRange, yearMessage);
/** A calendar date YYYY-MM-DD, in a sensible year. */
export const isoDate = (message = 'must be a date YYYY-MM-DD') => z.iso.date({ message }).refine(yearInRange, yearMessage);

export const emailSchema = z.email({ message: 'must be an email address' }).max(254).transform((v) => v.toLowerCase());
/** Japanese phone numbers as people write them: digits with optional hyphens, optional +81. */
export const phoneSchema = text()
  .trim()
  .transform((v) => v.replace(/[‐－―ー\s-]/g, '').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)))
  .pipe(z.string().regex(/^(\+81|0)\d{9,10}$/, 'must be a phone number such as 090-1234-5678'));
export const passwordSchema = text().min(8, 'at least 8 characters').max(200, 'at most 200 characters');

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

export const idParamsSchema = z.object({ id: uuid });
export const okSchema = z.object({ ok: z.literal(true) });

export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** How a household is named in lists (unread, passcode sheets): its id, number, name and address. */
export const householdLineFields = {
  householdId: uuid,
  householdNumber: z.string(),
  householdName: z.string(),
  address: z.string(),
};

// ── Time zones ─────────────────────────────────────────────────────────────────────────

/** The IANA name of a time zone Intl knows ("Asia/Tokyo", "UTC"), in its canonical spelling; undefined otherwise. */
export function canonicalTimeZone(value: string): string | undefined {
  // Names only: no offsets ("+09:00") or POSIX strings, which differ between engines.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value) || value.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** An association's time zone: an IANA name Intl knows, stored in its canonical spelling. */
export const timeZoneSchema = text()
  .trim()
  .refine((v) => canonicalTimeZone(v) !== undefined, 'must be an IANA time zone such as Asia/Tokyo')
  .transform((v) => canonicalTimeZone(v)!);
