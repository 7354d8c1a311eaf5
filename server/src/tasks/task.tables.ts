import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt } from '../platform/db/schema.js';

/** The tables of tasks: their row types, added to the Database map below. */

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

declare module '../platform/db/schema.js' {
  interface Database {
    captain_tasks: CaptainTaskTable;
  }
}
