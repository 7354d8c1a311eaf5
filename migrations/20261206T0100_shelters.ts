import { sql, type Kysely } from 'kysely';

/**
 * Shelters (docs/architecture.md, "Shelters"): each association's designated evacuation sites,
 * imported from the GSI 指定緊急避難場所データ CSV or a municipality's 自治体標準オープンデータセット
 * (re-imported by the source's id: updated, never duplicated). `listed` is the officers' choice
 * of the sites residents see and name. A drill answer "evacuated" may name one: the target
 * keeps the latest (for the dashboard's headcount per shelter), the answer history each.
 *
 * No foreign key from drill_targets: their inserts are the drill start's hot path (foreign keys
 * there were replaced by statement-level checks, 20261203T0610), and a key would queue a check
 * per row. The answer service checks the id (a listed shelter of the drill's association); a
 * shelter deleted later reads as "not named". The partial index holds only the evacuated
 * targets: the dashboard's headcount reads those, not the drill's 100,000 rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table shelters (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      source_id text not null,
      name text not null,
      kana text not null default '',
      address text not null default '',
      latitude double precision not null check (latitude between -90 and 90),
      longitude double precision not null check (longitude between -180 and 180),
      capacity integer check (capacity >= 0),
      hazards text[] not null default '{}',
      also_evacuation_centre boolean,
      serves text not null default '',
      listed boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (association_id, source_id)
    );
    alter table drill_targets add column shelter_id uuid, add constraint drill_targets_shelter_evacuated check (shelter_id is null or location = 'evacuated');
    alter table drill_answers add column shelter_id uuid;
    create index drill_targets_evacuated_idx on drill_targets (drill_id, shelter_id) where location = 'evacuated';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index drill_targets_evacuated_idx;
    alter table drill_answers drop column shelter_id;
    alter table drill_targets drop constraint drill_targets_shelter_evacuated, drop column shelter_id;
    drop table shelters;
  `.execute(db);
}
