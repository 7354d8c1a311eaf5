import type { ColumnType, Generated, GeneratedAlways } from 'kysely';
import type { CreatedAt, Timestamp } from '../platform/db/schema.js';

/** The tables of watch: their row types, added to the Database map below. */

export interface WatchSettingsTable {
  household_id: string;
  association_id: string;
  enabled: Generated<boolean>;
  /** Seconds of silence before the home is checked. */
  inactivity_seconds: Generated<number>;
  /** The same threshold in hours, computed by the database (fractional below an hour). */
  inactivity_hours: GeneratedAlways<number>;
  quiet_start: string | null;
  quiet_end: string | null;
  offline_minutes: Generated<number>;
  prompt_wait_seconds: Generated<number>;
  tier_wait_seconds: Generated<number>;
  share_with_family: Generated<boolean>;
  share_with_captain: Generated<boolean>;
  share_with_volunteers: Generated<boolean>;
  /** The rhythm check (rhythm.service.ts): on unless turned off for the home. */
  rhythm_enabled: Generated<boolean>;
  /** How long after its usual hour a home not yet active today is checked. */
  rhythm_grace_seconds: Generated<number>;
  /** The local hour by which the home is usually active (learned; null: not enough history or no steady rhythm). */
  rhythm_usual_hour: number | null;
  /** Days of history the rhythm was learned from. */
  rhythm_days: Generated<number>;
  rhythm_learned_at: Date | null;
  last_activity_at: Date | null;
  next_check_at: Date | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WatchAwayPeriodTable {
  id: Generated<string>;
  household_id: string;
  association_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  reason: Generated<string>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ActivityHourlyTable {
  household_id: string;
  hour: Timestamp;
  presence: Generated<number>;
  buttons: Generated<number>;
  voice: Generated<number>;
}

export type AlertKind = 'silent' | 'help' | 'device_offline';

export type AlertStatus = 'open' | 'taken' | 'resolved' | 'cancelled';

export type AlertTier = 'resident' | 'family_captain' | 'volunteers' | 'officers';

export type AlertOutcome = 'fine' | 'needs_help' | 'hospital' | 'away' | 'device_fixed' | 'false_alarm' | 'other';

export interface WatchAlertTable {
  id: Generated<string>;
  association_id: string;
  household_id: string;
  device_id: string | null;
  kind: AlertKind;
  status: ColumnType<AlertStatus, AlertStatus | undefined, AlertStatus>;
  tier: AlertTier;
  raised_at: CreatedAt;
  taken_at: Date | null;
  taken_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  outcome: AlertOutcome | null;
  note: Generated<string>;
}

export interface WatchAlertEventTable {
  id: Generated<number>;
  alert_id: string;
  at: CreatedAt;
  what: string;
  tier: AlertTier | null;
  person_id: string | null;
  detail: Generated<string>;
}

export interface WatchAccessLogTable {
  id: Generated<number>;
  association_id: string;
  person_id: string | null;
  household_id: string;
  what: string;
  at: CreatedAt;
}

/**
 * An association's rhythm learning (rhythm.service.ts): its once-only marker, one row per
 * association, written with each chunk of homes learned.
 */
export interface WatchRhythmRunTable {
  association_id: string;
  /** The watch day (YYYY-MM-DD, of `time_zone`) the rhythms were learned on: over the days before it. */
  watch_day: string | null;
  /** The zone they were learned by. */
  time_zone: string | null;
  /** While a run is under way: the last home learned (homes go in id order); null once done. */
  after: string | null;
  learned_at: Date | null;
  /**
   * Set by a zone change (rhythm.service.ts replanForZone), with `after` cleared: the next run
   * works out every planned next check again, through all its chunks, and clears it when done.
   */
  replan: Generated<boolean>;
}

declare module '../platform/db/schema.js' {
  interface Database {
    watch_settings: WatchSettingsTable;
    watch_away_periods: WatchAwayPeriodTable;
    activity_hourly: ActivityHourlyTable;
    watch_alerts: WatchAlertTable;
    watch_alert_events: WatchAlertEventTable;
    watch_access_log: WatchAccessLogTable;
    watch_rhythm_runs: WatchRhythmRunTable;
  }
}
