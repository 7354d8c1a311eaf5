import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Timestamp } from '../platform/db/schema.js';

/** The tables of drills: their row types, added to the Database map below. */

export interface DrillTable {
  id: Generated<string>;
  association_id: string;
  kind: 'drill' | 'real';
  status: ColumnType<'active' | 'ended', 'active' | 'ended' | undefined, 'active' | 'ended'>;
  title: string;
  message: Generated<string>;
  announced: Generated<boolean>;
  target_block_ids: string[] | null;
  started_at: CreatedAt;
  deadline_at: Timestamp;
  volunteers_after_seconds: Generated<number>;
  officers_after_seconds: Generated<number>;
  started_by: string | null;
  ended_at: Date | null;
  ended_by: string | null;
  /** The officers' report, frozen when it ended: written as JSON text, read back as the object. */
  report: ColumnType<import('../contracts/drills.js').DrillReport | null, string | null | undefined, string | null>;
}

export interface DrillTargetTable {
  drill_id: string;
  household_id: string;
  association_id: string;
  block_id: string;
  channels: string[];
  risk: ColumnType<('lives_alone' | 'speaker_only' | 'paper_only')[], string[] | undefined, string[]>;
  risk_score: Generated<number>;
  status: 'safe' | 'needs_help' | 'injured' | null;
  location: 'home' | 'evacuated' | 'away' | null;
  note: Generated<string>;
  first_answered_at: Date | null;
  answered_at: Date | null;
  channel: 'app' | 'speaker' | 'proxy' | 'visit' | null;
  accounted_at: Date | null;
  tier: ColumnType<'none' | 'captain' | 'volunteers' | 'officers', 'none' | 'captain' | 'volunteers' | 'officers' | undefined, 'none' | 'captain' | 'volunteers' | 'officers'>;
  escalated_at: Date | null;
  /** The tiers it went past because nobody in them could be reached ('captain', 'volunteers'). */
  skipped: ColumnType<('captain' | 'volunteers')[], string[] | undefined, string[]>;
  taken_by: string | null;
  taken_at: Date | null;
  visit_outcome: 'safe' | 'needs_help' | 'injured' | 'absent' | null;
  /** The shelter an "evacuated" answer named (shelters; null unless location is 'evacuated'). */
  shelter_id: Generated<string | null>;
}

export interface DrillAnswerTable {
  id: Generated<number>;
  drill_id: string;
  household_id: string;
  status: 'safe' | 'needs_help' | 'injured' | 'absent';
  location: 'home' | 'evacuated' | 'away' | null;
  note: Generated<string>;
  channel: 'app' | 'speaker' | 'proxy' | 'visit';
  recorded_by: string | null;
  shelter_id: Generated<string | null>;
  at: CreatedAt;
}

export interface DrillEventTable {
  id: Generated<number>;
  drill_id: string;
  at: CreatedAt;
  what: string;
}

/** A drill's figures per 班, kept by triggers on drill_targets (migrations/20261203T0300_drill_counts.ts). */
export interface DrillBlockCountTable {
  drill_id: string;
  block_id: string;
  total: number;
  safe: number;
  needs_help: number;
  injured: number;
  unanswered: number;
  accounted: number;
  answered: number;
  /** Bumped by every UPDATE of the 班's targets (migrations/20261204T0100): a new row version whenever anything the dashboard shows of them changes. */
  revision: Generated<number>;
}

/** Per 班 and minute since the start: how many were accounted for, and first answered, in that minute (kept by the same triggers). */
export interface DrillMinuteCountTable {
  drill_id: string;
  block_id: string;
  minute: number;
  accounted: number;
  answered: number;
}

declare module '../platform/db/schema.js' {
  interface Database {
    drills: DrillTable;
    drill_targets: DrillTargetTable;
    drill_answers: DrillAnswerTable;
    drill_events: DrillEventTable;
    drill_block_counts: DrillBlockCountTable;
    drill_minute_counts: DrillMinuteCountTable;
  }
}
