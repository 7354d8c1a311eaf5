/** SQLSTATEs that mean "the server is going away or not taking connections", not "your query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_SYSCALL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What node-postgres and its pool say when a connection ends or cannot be had in time.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection terminated due to connection timeout',
];

/**
 * Whether an error means PostgreSQL is (for now) unreachable: the caller should answer
 * "try again shortly" (HTTP 503) instead of treating it as a bug. Accepts pg's errors, Node's
 * socket errors (also inside an AggregateError for multi-address hosts) and pg-boss's copies
 * of them (plain objects with the same code and message).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SYSCALL_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  return Array.isArray(errors) && errors.some(isDatabaseUnavailable);
}

export interface OutageLog {
  /** A failure because the database is away: logged once per outage, not once per request. */
  down(error: unknown): void;
  /** The database answered again: logs how long it was away, if it was. */
  up(): void;
  readonly isDown: boolean;
}

/**
 * One line when `what` loses the database and one when it has it back, however many
 * requests, polls and heartbeats fail in between. A failure after a minute of quiet counts
 * as a new outage (some users, like the job queue, have no "it works again" signal).
 */
export function createOutageLog(log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }, what: string, quietMs = 60_000): OutageLog {
  let downSince: number | null = null;
  let lastFailure = 0;
  let failures = 0;
  return {
    down(error) {
      const now = Date.now();
      if (downSince === null || now - lastFailure > quietMs) {
        downSince = now;
        failures = 0;
        const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
        log.warn({ code, reason: typeof message === 'string' ? message : String(error) }, `${what}: the database is unavailable; retrying until it is back`);
      }
      failures++;
      lastFailure = now;
    },
    up() {
      if (downSince === null) return;
      log.info({ downForMs: Date.now() - downSince, failures }, `${what}: the database is back`);
      downSince = null;
    },
    get isDown() {
      return downSince !== null;
    },
  };
}
