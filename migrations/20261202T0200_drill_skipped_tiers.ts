import { sql, type Kysely } from 'kysely';

/**
 * Why a drill's household went past a tier: the tiers it skipped because nobody in them
 * could be reached (a 班長 without a login or push, no volunteer who can be reached). The
 * visit lists and the dashboard say it ("2班: no 班長 with a way in → volunteers").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table drill_targets add column skipped text[] not null default '{}'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table drill_targets drop column skipped`.execute(db);
}
