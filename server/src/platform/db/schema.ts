import type { ColumnType } from 'kysely';

/**
 * The database as the application sees it: table name → row type. Each capability adds its
 * own tables in its `*.tables.ts` (`declare module '…/platform/db/schema.js' { interface
 * Database { … } }`), as the Kysely example app keeps `user.table.ts` beside its feature;
 * here are only the platform's own tables. Migrations never import this file: they are frozen
 * in time and written against Kysely<any>.
 */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface AppSettingTable {
  key: string;
  value: unknown;
  created_at: CreatedAt;
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


export interface Database {
  app_settings: AppSettingTable;
  request_keys: RequestKeyTable;
}
