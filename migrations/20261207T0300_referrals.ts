import { sql, type Kysely } from 'kysely';

/**
 * Referrals (issue 14 item 4): a 班長, volunteer or officer who found a household needing
 * help (a watch alert resolved "needs help", a drill visit "needs help" or "injured") records
 * which directory service they pointed it to, for which worries (taxonomy codes only, no free
 * text) and that the household consented. `block_id` is the household's 班 at that moment (the
 * counts are per 班 and stay so when it moves). One referral per source and service.
 * Circulars gain their links to the directory: services and a worry search.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table referrals (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      household_id uuid not null,
      block_id uuid not null,
      source text not null check (source in ('watch_alert', 'drill_visit')),
      watch_alert_id uuid references watch_alerts(id) on delete cascade,
      drill_id uuid references drills(id) on delete cascade,
      service_id uuid not null references directory_services(id) on delete restrict,
      worries text[] not null check (cardinality(worries) between 1 and 20),
      consent boolean not null check (consent),
      referred_by uuid references people(id) on delete set null,
      created_at timestamptz not null default now(),
      check ((source = 'watch_alert') = (watch_alert_id is not null and drill_id is null)),
      check ((source = 'drill_visit') = (drill_id is not null and watch_alert_id is null)),
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade,
      foreign key (block_id, association_id) references blocks(id, association_id) on delete cascade
    );
    create unique index referrals_watch_once on referrals (watch_alert_id, service_id) where watch_alert_id is not null;
    create unique index referrals_drill_once on referrals (drill_id, household_id, service_id) where drill_id is not null;
    create index referrals_household_idx on referrals (household_id, created_at);
    create index referrals_counts_idx on referrals (association_id, created_at);

    -- A circular links directory services and a worry search (/help?worries=…).
    alter table circulars
      add column help_service_ids uuid[] not null default '{}' check (cardinality(help_service_ids) <= 10),
      add column help_worries text[] not null default '{}' check (cardinality(help_worries) <= 20);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table circulars drop column help_service_ids, drop column help_worries; drop table referrals`.execute(db);
}
