import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt } from '../platform/db/schema.js';
import type { Answer, Category, Question } from '../contracts/circulars.js';
import type { Channel } from '../roster/roster.tables.js';

/** The tables of circulars: their row types, added to the Database map below. */

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
  /** Directory services it links (referrals/help-links.service.ts), and the worries of its /help link. */
  help_service_ids: ColumnType<string[], string[] | undefined, string[]>;
  help_worries: ColumnType<string[], string[] | undefined, string[]>;
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

declare module '../platform/db/schema.js' {
  interface Database {
    circulars: CircularTable;
    circular_attachments: CircularAttachmentTable;
    circular_recipients: CircularRecipientTable;
    circular_reads: CircularReadTable;
    circular_answers: CircularAnswerTable;
  }
}
