import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Timestamp } from '../platform/db/schema.js';

/** The directory's own logins, their sessions, organisations' pending changes and the directory's audit (migrations/20261207T0200_directory_accounts.ts). */

export type DirectoryAccountRole = 'organisation' | 'city_editor';

export interface DirectoryAccountTable {
  id: Generated<string>;
  role: DirectoryAccountRole;
  organisation_id: string | null;
  name: string;
  login: string;
  password_hash: string | null;
  invitation_hash: string | null;
  invitation_expires_at: Date | null;
  invited_by_association_id: string | null;
  created_at: CreatedAt;
}

export interface DirectorySessionTable {
  id: string;
  account_id: string;
  csrf_token: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface DirectoryChangeTable {
  id: Generated<string>;
  service_id: string;
  account_id: string | null;
  /** The fields changed (column → new value). */
  fields: ColumnType<Record<string, unknown>, string, string>;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  reason: Generated<string>;
  reviewed_by_person_id: string | null;
  reviewed_by_account_id: string | null;
  created_at: CreatedAt;
  reviewed_at: Date | null;
}

export interface DirectoryAuditTable {
  id: Generated<string>;
  at: CreatedAt;
  actor_account_id: string | null;
  actor_person_id: string | null;
  action: string;
  subject: string | null;
  detail: ColumnType<unknown, string | undefined, string>;
  /** An import's owner (directory-owner.ts columns; an import has no subject): whose 変更履歴 shows it. Null on any other row. */
  created_by_association_id: Generated<string | null>;
  owner_area_id: Generated<string | null>;
  /** An officer's import copied from audit_log by 20261210T0500 (its down removes them). */
  copied_from_audit_log: Generated<boolean>;
}

declare module '../platform/db/schema.js' {
  interface Database {
    directory_accounts: DirectoryAccountTable;
    directory_sessions: DirectorySessionTable;
    directory_changes: DirectoryChangeTable;
    directory_audit: DirectoryAuditTable;
  }
}
