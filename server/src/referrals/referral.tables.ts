import type { Generated } from 'kysely';
import type { CreatedAt } from '../platform/db/schema.js';

/** Referrals to the local support directory (migrations/20261207T0300_referrals.ts). */
export interface ReferralTable {
  id: Generated<string>;
  association_id: string;
  household_id: string;
  /** The household's 班 when the referral was made (the counts are per 班). */
  block_id: string;
  source: 'watch_alert' | 'drill_visit';
  watch_alert_id: string | null;
  drill_id: string | null;
  service_id: string;
  /** Taxonomy codes only (contracts/directory.ts WORRIES). */
  worries: string[];
  consent: boolean;
  referred_by: string | null;
  created_at: CreatedAt;
}

declare module '../platform/db/schema.js' {
  interface Database {
    referrals: ReferralTable;
  }
}
