import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Timestamp } from '../platform/db/schema.js';

/** The tables of auth: their row types, added to the Database map below. */

export interface SessionTable {
  id: string;
  person_id: string;
  association_id: string;
  csrf_token: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

/** Attempt counters of the login and passcode limits (migrations/20261201T0200_rate_limits.ts). */
export interface RateLimitTable {
  key: string;
  window_started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  hits: ColumnType<number, number | undefined, number>;
}

/** One-time password reset codes an officer issues (migrations/20261210T0100_password_reset_codes.ts). */
export interface PasswordResetCodeTable {
  id: Generated<string>;
  association_id: string;
  person_id: string;
  code_hash: string;
  issued_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Date | null;
}

declare module '../platform/db/schema.js' {
  interface Database {
    sessions: SessionTable;
    rate_limits: RateLimitTable;
    password_reset_codes: PasswordResetCodeTable;
  }
}
