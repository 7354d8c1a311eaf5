import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from '../platform/db/schema.js';

/** The tables of roster: their row types, added to the Database map below. */

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
  /** IANA zone of every time shown, exported or named (migration 20261202T0700). */
  time_zone: Generated<string>;
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
  /** Family who joined the household from elsewhere (migrations/20261202T0300_family_members.ts). */
  lives_elsewhere: Generated<boolean>;
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

export type Household = Selectable<HouseholdTable>;
export type Person = Selectable<PersonTable>;

declare module '../platform/db/schema.js' {
  interface Database {
    federations: FederationTable;
    associations: AssociationTable;
    blocks: BlockTable;
    households: HouseholdTable;
    people: PersonTable;
    role_assignments: RoleAssignmentTable;
    household_passcodes: HouseholdPasscodeTable;
  }
}
