import { sql, type Kysely } from 'kysely';

/**
 * Safety confirmation (安否確認), for drills and real events alike: the drill, one target row
 * per household in scope (written in one statement at the start, with its risk), and the
 * history of every answer. Escalation state lives on the target row, so handing 30,000
 * silent households to their captains at the deadline is one UPDATE.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table drills (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      kind text not null check (kind in ('drill', 'real')),
      status text not null default 'active' check (status in ('active', 'ended')),
      title text not null,
      message text not null default '',
      announced boolean not null default true,
      target_block_ids uuid[],
      started_at timestamptz not null default now(),
      deadline_at timestamptz not null,
      volunteers_after_minutes integer not null default 15,
      officers_after_minutes integer not null default 30,
      started_by uuid references people(id) on delete set null,
      ended_at timestamptz,
      ended_by uuid references people(id) on delete set null,
      report jsonb,
      unique (id, association_id)
    );
    create index drills_association_idx on drills (association_id, started_at desc);

    create table drill_targets (
      drill_id uuid not null,
      household_id uuid not null,
      association_id uuid not null,
      block_id uuid not null,
      channels text[] not null,
      risk text[] not null default '{}',
      risk_score integer not null default 0,
      status text check (status in ('safe', 'needs_help', 'injured')),
      location text check (location in ('home', 'evacuated', 'away')),
      note text not null default '',
      first_answered_at timestamptz,
      answered_at timestamptz,
      channel text check (channel in ('app', 'speaker', 'proxy', 'visit')),
      accounted_at timestamptz,
      tier text not null default 'none' check (tier in ('none', 'captain', 'volunteers', 'officers')),
      escalated_at timestamptz,
      taken_by uuid references people(id) on delete set null,
      taken_at timestamptz,
      visit_outcome text check (visit_outcome in ('safe', 'needs_help', 'injured', 'absent')),
      primary key (drill_id, household_id),
      foreign key (drill_id, association_id) references drills(id, association_id) on delete cascade,
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade
    );
    -- Each dashboard figure is a walk of one of these, not a scan of the drill's targets.
    create index drill_targets_block_idx on drill_targets (drill_id, block_id) include (status, accounted_at);
    create index drill_targets_open_idx on drill_targets (drill_id, risk_score desc, household_id) where accounted_at is null;
    create index drill_targets_answered_idx on drill_targets (drill_id, first_answered_at) where first_answered_at is not null;
    create index drill_targets_accounted_idx on drill_targets (drill_id, accounted_at) where accounted_at is not null;
    create index drill_targets_follow_up_idx on drill_targets (drill_id) where status in ('needs_help', 'injured');
    create index drill_targets_household_idx on drill_targets (household_id);

    create table drill_answers (
      id bigserial primary key,
      drill_id uuid not null references drills(id) on delete cascade,
      household_id uuid not null references households(id) on delete cascade,
      status text not null check (status in ('safe', 'needs_help', 'injured', 'absent')),
      location text,
      note text not null default '',
      channel text not null check (channel in ('app', 'speaker', 'proxy', 'visit')),
      recorded_by uuid references people(id) on delete set null,
      at timestamptz not null default now()
    );
    create index drill_answers_idx on drill_answers (drill_id, household_id, at);

    create table drill_events (
      id bigserial primary key,
      drill_id uuid not null references drills(id) on delete cascade,
      at timestamptz not null default now(),
      what text not null,
      unique (drill_id, what)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table drill_events, drill_answers, drill_targets, drills`.execute(db);
}
