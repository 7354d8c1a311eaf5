import type { ColumnType, Generated, GeneratedAlways, Selectable } from 'kysely';
import type { Answer, Category, Question } from '../../contracts/circulars.js';
import type { Heartbeat, StoredUplink } from '../../../../devices/src/protocol.js';

/**
 * The database as the application sees it. Migrations never import this file: they are
 * frozen in time and written against Kysely<any>.
 */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type Channel = 'app' | 'speaker' | 'paper';
export type Language = 'ja' | 'ja-easy' | 'en';
export type AssignedRole = 'officer' | 'captain' | 'volunteer' | 'welfare_commissioner' | 'family_watcher';

export interface FederationTable {
  id: Generated<string>;
  name: string;
  created_at: CreatedAt;
}

export interface AssociationTable {
  id: Generated<string>;
  federation_id: string | null;
  name: string;
  slug: string;
  created_at: CreatedAt;
}

export interface BlockTable {
  id: Generated<string>;
  association_id: string;
  name: string;
  sort_order: Generated<number>;
  created_at: CreatedAt;
}

export interface HouseholdTable {
  id: Generated<string>;
  association_id: string;
  block_id: string;
  household_number: string;
  name: string;
  address: string;
  channels: ColumnType<Channel[], Channel[] | undefined, Channel[]>;
  responder_notes: Generated<string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PersonTable {
  id: Generated<string>;
  association_id: string;
  household_id: string | null;
  name: string;
  kana: Generated<string>;
  phone: string | null;
  email: string | null;
  preferred_language: ColumnType<Language, Language | undefined, Language>;
  password_hash: string | null;
  created_at: CreatedAt;
}

export interface RoleAssignmentTable {
  id: Generated<string>;
  association_id: string;
  person_id: string;
  role: AssignedRole;
  block_id: string | null;
  household_id: string | null;
  starts_on: ColumnType<string, string | undefined, string>;
  ends_on: string | null;
  created_at: CreatedAt;
}

export interface HouseholdPasscodeTable {
  id: Generated<string>;
  association_id: string;
  household_id: string;
  code_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Date | null;
  used_by: string | null;
}

export interface SessionTable {
  id: string;
  person_id: string;
  association_id: string;
  csrf_token: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface DeviceTable {
  id: Generated<string>;
  association_id: string;
  household_id: string | null;
  label: string;
  secret_hash: string;
  credentials_issued_at: Timestamp;
  revoked_at: Date | null;
  online: Generated<boolean>;
  last_seen_at: Date | null;
  /** The latest heartbeat by arrival, written by device ingest as JSON text. */
  last_heartbeat: ColumnType<Heartbeat | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface DeviceMessageTable {
  device_id: string;
  boot_id: string;
  seq: number;
  association_id: string;
  kind: string;
  sent_at: Timestamp;
  received_at: CreatedAt;
  /** The uplink as validated (devices/src/protocol.ts), written as JSON text. */
  payload: ColumnType<StoredUplink, string, never>;
}

export interface AuditLogTable {
  id: Generated<string>;
  association_id: string;
  actor_person_id: string | null;
  action: string;
  subject: string | null;
  detail: ColumnType<unknown, unknown, unknown>;
  at: CreatedAt;
}

export type CircularStatus = 'draft' | 'scheduled' | 'published' | 'withdrawn';
/** A circular in やさしい日本語 or English, beside the Japanese original. */
export interface CircularVersion { title: string; bodyMarkdown: string }
/** A circular's jsonb column: read as its value, written as JSON text (JSON.stringify). */
type CircularJson<T> = ColumnType<T, string | null | undefined, string | null>;

export interface CircularTable {
  id: Generated<string>;
  association_id: string;
  status: ColumnType<CircularStatus, CircularStatus | undefined, CircularStatus>;
  category: Category;
  title: string;
  body_markdown: Generated<string>;
  body_html: Generated<string>;
  plain_text: Generated<string>;
  easy_japanese: CircularJson<CircularVersion | null>;
  english: CircularJson<CircularVersion | null>;
  target_block_ids: string[] | null;
  publish_at: Date | null;
  published_at: Date | null;
  due_at: Date | null;
  question: CircularJson<Question | null>;
  reminder_hours: ColumnType<number[], number[] | undefined, number[]>;
  correction_note: string | null;
  corrected_at: Date | null;
  withdrawal_reason: string | null;
  withdrawn_at: Date | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface CircularAttachmentTable {
  id: Generated<string>;
  circular_id: string;
  association_id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: CreatedAt;
}

export interface CircularRecipientTable {
  circular_id: string;
  household_id: string;
  association_id: string;
  block_id: string;
  channels: Channel[];
  delivered_at: CreatedAt;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_channel: Channel | null;
  answer: CircularJson<Answer | null>;
  answered_at: Date | null;
  reminders_sent: Generated<number>;
}

export interface CircularReadTable {
  circular_id: string;
  person_id: string;
  read_at: CreatedAt;
}

export interface CircularAnswerTable {
  id: Generated<string>;
  circular_id: string;
  household_id: string;
  person_id: string | null;
  channel: Channel;
  answer: ColumnType<Answer, string, never>;
  answered_at: CreatedAt;
}

export interface CaptainTaskTable {
  id: Generated<string>;
  association_id: string;
  block_id: string;
  household_id: string;
  kind: 'circular_unread';
  circular_id: string | null;
  status: ColumnType<'open' | 'done', 'open' | 'done' | undefined, 'open' | 'done'>;
  note: Generated<string>;
  created_at: CreatedAt;
  resolved_at: Date | null;
  resolved_by: string | null;
}

export interface PushSubscriptionTable {
  id: Generated<string>;
  association_id: string;
  person_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: CreatedAt;
}

export interface AppSettingTable {
  key: string;
  value: unknown;
  created_at: CreatedAt;
}

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
  report: ColumnType<import('../../contracts/drills.js').DrillReport | null, string | null | undefined, string | null>;
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
  taken_by: string | null;
  taken_at: Date | null;
  visit_outcome: 'safe' | 'needs_help' | 'injured' | 'absent' | null;
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
  at: CreatedAt;
}

export interface DrillEventTable {
  id: Generated<number>;
  drill_id: string;
  at: CreatedAt;
  what: string;
}

/** One row per idempotent user action (migrations/20261201T0100_request_keys.ts). */
export interface RequestKeyTable {
  person_id: string;
  association_id: string;
  key: string;
  /** What the key was used for, e.g. `drill-answer:<drill id>`: a key is one action. */
  action: string;
  created_at: CreatedAt;
}

/** Attempt counters of the login and passcode limits (migrations/20261201T0200_rate_limits.ts). */
export interface RateLimitTable {
  key: string;
  window_started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  hits: ColumnType<number, number | undefined, number>;
}

export interface Database {
  federations: FederationTable;
  associations: AssociationTable;
  blocks: BlockTable;
  households: HouseholdTable;
  people: PersonTable;
  role_assignments: RoleAssignmentTable;
  household_passcodes: HouseholdPasscodeTable;
  sessions: SessionTable;
  devices: DeviceTable;
  device_messages: DeviceMessageTable;
  audit_log: AuditLogTable;
  circulars: CircularTable;
  circular_attachments: CircularAttachmentTable;
  circular_recipients: CircularRecipientTable;
  circular_reads: CircularReadTable;
  circular_answers: CircularAnswerTable;
  captain_tasks: CaptainTaskTable;
  push_subscriptions: PushSubscriptionTable;
  app_settings: AppSettingTable;
  watch_settings: WatchSettingsTable;
  watch_away_periods: WatchAwayPeriodTable;
  activity_hourly: ActivityHourlyTable;
  watch_alerts: WatchAlertTable;
  watch_alert_events: WatchAlertEventTable;
  watch_access_log: WatchAccessLogTable;
  drills: DrillTable;
  drill_targets: DrillTargetTable;
  drill_answers: DrillAnswerTable;
  drill_events: DrillEventTable;
  request_keys: RequestKeyTable;
  rate_limits: RateLimitTable;
}

export type Household = Selectable<HouseholdTable>;
export type Person = Selectable<PersonTable>;
export type Device = Selectable<DeviceTable>;
