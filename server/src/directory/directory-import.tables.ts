import type { Generated } from 'kysely';

/** The directory's CSV columns (migrations/20261207T0400_directory_import.ts), merged into its services' table. */
declare module './directory.tables.js' {
  interface DirectoryServiceTable {
    /** What a city's list or an export calls the entry: deployment-wide unique; random for an entry added in the app. */
    external_id: Generated<string>;
  }
}

export {};
