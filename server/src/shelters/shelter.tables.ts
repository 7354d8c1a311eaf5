import type { Generated } from 'kysely';
import type { CreatedAt } from '../platform/db/schema.js';

/** The table of shelters (migrations/20261206T0100_shelters.ts). */

/** The eight hazards of the GSI and municipal lists, in their order. */
export const hazardKinds = ['flood', 'landslide', 'storm_surge', 'earthquake', 'tsunami', 'fire', 'inland_flood', 'volcano'] as const;
export type Hazard = (typeof hazardKinds)[number];

export interface ShelterTable {
  id: Generated<string>;
  association_id: string;
  /** The source's id (GSI 共通ID, the municipal list's ID): a re-import updates the row it names. */
  source_id: string;
  name: string;
  kana: Generated<string>;
  address: Generated<string>;
  latitude: number;
  longitude: number;
  capacity: number | null;
  hazards: Hazard[];
  /** Also a 指定避難所 (a place to stay), when the file says; null when it does not. */
  also_evacuation_centre: boolean | null;
  /** The associations the file says it serves (対象となる町会・自治会), as written. */
  serves: Generated<string>;
  /** Residents see it and may name it. */
  listed: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

declare module '../platform/db/schema.js' {
  interface Database {
    shelters: ShelterTable;
  }
}
