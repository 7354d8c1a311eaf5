import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt } from '../platform/db/schema.js';

/** The tables of common: their row types, added to the Database map below. */

export interface AuditLogTable {
  id: Generated<string>;
  association_id: string;
  actor_person_id: string | null;
  action: string;
  subject: string | null;
  detail: ColumnType<unknown, unknown, unknown>;
  at: CreatedAt;
}

declare module '../platform/db/schema.js' {
  interface Database {
    audit_log: AuditLogTable;
  }
}
