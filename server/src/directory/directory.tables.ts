import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt } from '../platform/db/schema.js';

/** The local support directory's tables (migrations/20261206T0500_directory.ts), deployment-wide. */

export interface DirectoryAreaTable {
  id: Generated<string>;
  parent_id: string | null;
  kind: 'prefecture' | 'city' | 'ward' | 'school_district' | 'association';
  code: string;
  name: string;
  association_id: string | null;
}

export interface DirectoryOrganisationTable {
  id: Generated<string>;
  name: string;
  kind: Generated<string>;
  web: Generated<string>;
  /** The association whose officer added it (an organisation's own login owns it later). */
  created_by_association_id: string | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface DirectoryServiceTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  description: Generated<string>;
  worries: string[];
  age_groups: Generated<string[]>;
  languages: Generated<string[]>;
  address: Generated<string>;
  lat: number | null;
  lon: number | null;
  phone: Generated<string>;
  hours: Generated<string>;
  walk_in: Generated<boolean>;
  web: Generated<string>;
  cost: Generated<string>;
  status: Generated<'draft' | 'published' | 'stale' | 'hidden'>;
  /** A calendar day ('YYYY-MM-DD'). */
  last_confirmed_on: ColumnType<string, string | undefined, string>;
  reconfirm_months: Generated<number>;
  /** The day the freshness job marked it stale (null while current). */
  stale_since: Generated<string | null>;
  /** The reconfirm date ('YYYY-MM-DD') the freshness job last sent a reminder for (the once-only marker). */
  reminded_for: Generated<string | null>;
  created_by_association_id: string | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface DirectoryServiceAreaTable {
  service_id: string;
  area_id: string;
}

declare module '../platform/db/schema.js' {
  interface Database {
    directory_areas: DirectoryAreaTable;
    directory_organisations: DirectoryOrganisationTable;
    directory_services: DirectoryServiceTable;
    directory_service_areas: DirectoryServiceAreaTable;
  }
}
