import { sql, type Kysely } from 'kysely';

/**
 * Cities in the earthquake trigger (JMA 地震情報／市町村等 codes, each in one of the chosen areas),
 * and, per decision, which reading decided it (the areas' or the cities') and their names.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table quake_settings add column city_codes text[] not null default '{}'`.execute(db);
  await sql`alter table quake_decisions add column basis text check (basis in ('area', 'city')), add column places text[] not null default '{}'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table quake_decisions drop column basis, drop column places`.execute(db);
  await sql`alter table quake_settings drop column city_codes`.execute(db);
}
