/** The city's own entries and its editors' city (migrations/20261208T0400_directory_city_owner.ts), merged into the directory's tables. */
declare module './directory.tables.js' {
  interface DirectoryServiceTable {
    /** The city (an area of kind 'city') that keeps this entry; null for an association's (created_by_association_id) or an unowned national line. */
    owner_area_id: import('kysely').Generated<string | null>;
  }
  interface DirectoryOrganisationTable {
    owner_area_id: import('kysely').Generated<string | null>;
  }
}
declare module './directory-accounts.tables.js' {
  interface DirectoryAccountTable {
    /** A city editor's city (an area of kind 'city'): their review, entries and imports are it and the areas under it. Null: not yet scoped (refused). */
    area_id: import('kysely').Generated<string | null>;
  }
}

export {};
