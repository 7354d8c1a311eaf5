import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Timestamp } from '../platform/db/schema.js';
import type { Intensity, Telegram } from './telegram.js';

/** The tables of earthquake triggers (migrations/20261205T0100_quakes.ts). */

export interface QuakeSettingsTable {
  association_id: string;
  area_codes: string[];
  /** JMA 地震情報／市町村等 codes, each in one of area_codes (migrations/20261207T0100): when set, a telegram listing cities decides on them. */
  city_codes: Generated<string[]>;
  min_intensity: Generated<Intensity>;
  hold_off_seconds: Generated<number>;
  aftershock_seconds: Generated<number>;
  drills_from_training: Generated<boolean>;
  /** A system-started event's answer deadline after its start, and its tiers' delays after the deadline (migrations/20261206T0200). */
  deadline_seconds: Generated<number>;
  volunteers_after_seconds: Generated<number>;
  officers_after_seconds: Generated<number>;
  updated_at: Generated<Date>;
  updated_by: string | null;
}

export interface QuakeTelegramTable {
  id: Generated<string>;
  /** The Atom entry's id (its telegram URL): unique, so each telegram is handled once. */
  entry_id: string;
  url: string;
  received_at: CreatedAt;
  raw: string;
  parsed: ColumnType<Telegram | null, string | null, string | null>;
  /** Why it could not be read (parseTelegram's reason and detail), or null. */
  rejected: string | null;
  event_id: string | null;
  info_type: string | null;
  status: string | null;
  report_at: Date | null;
  /** How many times it was fetched: a telegram that did not parse as XML is fetched again until the limit. */
  attempts: Generated<number>;
}

export interface QuakeTriggerTable {
  id: Generated<string>;
  association_id: string;
  event_id: string;
  kind: 'real' | 'drill';
  status: ColumnType<'pending' | 'started' | 'cancelled', 'pending' | undefined, 'pending' | 'started' | 'cancelled'>;
  intensity: Intensity;
  area_name: string;
  fire_at: Timestamp;
  last_report_at: Timestamp;
  telegram_ids: string[];
  drill_id: string | null;
  /** Why it was cancelled: after a 訂正 below the threshold a later upgrade reopens it; after a 取消 nothing does. */
  cancel_reason: 'cancelled' | 'corrected_below' | null;
  /** 1, then +1 each time it pends again (its quake-fire job's key names the round). */
  round: Generated<number>;
  /** Its intensity is 震度５弱以上未入電 counted as 5弱 (migrations/20261206T0600): the event's title says so. */
  unreceived: Generated<boolean>;
  created_at: CreatedAt;
}

export interface QuakeDecisionTable {
  id: Generated<number>;
  telegram_id: string;
  association_id: string;
  action: string;
  reason: string;
  intensity: Intensity | null;
  trigger_id: string | null;
  /** Which reading decided (migrations/20261207T0100): the areas' or the cities', and their names. */
  basis: 'area' | 'city' | null;
  places: Generated<string[]>;
  at: CreatedAt;
}

export interface QuakeFeedStateTable {
  url: string;
  last_modified: string | null;
  checked_at: Generated<Date>;
}

declare module '../platform/db/schema.js' {
  interface Database {
    quake_settings: QuakeSettingsTable;
    quake_telegrams: QuakeTelegramTable;
    quake_triggers: QuakeTriggerTable;
    quake_decisions: QuakeDecisionTable;
    quake_feed_state: QuakeFeedStateTable;
  }
}
