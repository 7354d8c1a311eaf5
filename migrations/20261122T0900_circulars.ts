import { sql, type Kysely } from 'kysely';

/**
 * Circulars (電子回覧板): the circular, its recipients (one row per household in scope,
 * written in one statement at publish), per-member reads, the history of answers, captain
 * tasks, Web Push subscriptions and the deployment's own settings (VAPID keys).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table circulars (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      status text not null default 'draft' check (status in ('draft', 'scheduled', 'published', 'withdrawn')),
      category text not null check (category in ('notice', 'event', 'disaster', 'garbage', 'safety', 'other')),
      title text not null check (length(title) between 1 and 200),
      body_markdown text not null default '',
      body_html text not null default '',
      plain_text text not null default '',
      easy_japanese jsonb,
      english jsonb,
      target_block_ids uuid[],
      publish_at timestamptz,
      published_at timestamptz,
      due_at timestamptz,
      question jsonb,
      reminder_hours integer[] not null default '{24}',
      correction_note text,
      corrected_at timestamptz,
      withdrawal_reason text,
      withdrawn_at timestamptz,
      created_by uuid references people(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (id, association_id)
    );
    create index circulars_association_idx on circulars (association_id, coalesce(published_at, created_at) desc);
    -- Japanese has no spaces between words: search by trigram similarity over title and text.
    create index circulars_search_idx on circulars using gin ((title || ' ' || plain_text) gin_trgm_ops);

    create table circular_attachments (
      id uuid primary key default gen_random_uuid(),
      circular_id uuid not null,
      association_id uuid not null,
      filename text not null,
      content_type text not null,
      size integer not null,
      sha256 text not null,
      content bytea not null,
      created_at timestamptz not null default now(),
      foreign key (circular_id, association_id) references circulars(id, association_id) on delete cascade
    );
    create index circular_attachments_circular_idx on circular_attachments (circular_id);

    create table circular_recipients (
      circular_id uuid not null,
      household_id uuid not null,
      association_id uuid not null,
      block_id uuid not null,
      channels text[] not null,
      delivered_at timestamptz not null default now(),
      acknowledged_at timestamptz,
      acknowledged_by uuid references people(id) on delete set null,
      acknowledged_channel text check (acknowledged_channel in ('app', 'speaker', 'paper')),
      answer jsonb,
      answered_at timestamptz,
      reminders_sent integer not null default 0,
      primary key (circular_id, household_id),
      foreign key (circular_id, association_id) references circulars(id, association_id) on delete cascade,
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade
    );
    -- Progress per 班 is an aggregate over this index, not a scan of every acknowledgement.
    create index circular_recipients_progress_idx on circular_recipients (circular_id, block_id) include (acknowledged_at, acknowledged_channel, answered_at);
    create index circular_recipients_household_idx on circular_recipients (household_id, delivered_at desc);
    create index circular_recipients_unread_idx on circular_recipients (circular_id, block_id) where acknowledged_at is null;

    create table circular_reads (
      circular_id uuid not null references circulars(id) on delete cascade,
      person_id uuid not null references people(id) on delete cascade,
      read_at timestamptz not null default now(),
      primary key (circular_id, person_id)
    );

    create table circular_answers (
      id uuid primary key default gen_random_uuid(),
      circular_id uuid not null references circulars(id) on delete cascade,
      household_id uuid not null references households(id) on delete cascade,
      person_id uuid references people(id) on delete set null,
      channel text not null check (channel in ('app', 'speaker', 'paper')),
      answer jsonb not null,
      answered_at timestamptz not null default now()
    );
    create index circular_answers_idx on circular_answers (circular_id, household_id, answered_at);

    create table captain_tasks (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null,
      block_id uuid not null,
      household_id uuid not null,
      kind text not null check (kind in ('circular_unread')),
      circular_id uuid references circulars(id) on delete cascade,
      status text not null default 'open' check (status in ('open', 'done')),
      note text not null default '',
      created_at timestamptz not null default now(),
      resolved_at timestamptz,
      resolved_by uuid references people(id) on delete set null,
      foreign key (household_id, association_id) references households(id, association_id) on delete cascade,
      foreign key (block_id, association_id) references blocks(id, association_id) on delete cascade,
      unique (kind, circular_id, household_id)
    );
    create index captain_tasks_block_idx on captain_tasks (block_id, status, created_at);

    create table push_subscriptions (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null references associations(id) on delete cascade,
      person_id uuid not null references people(id) on delete cascade,
      endpoint text not null unique,
      p256dh text not null,
      auth text not null,
      created_at timestamptz not null default now()
    );
    create index push_subscriptions_person_idx on push_subscriptions (person_id);

    create table app_settings (
      key text primary key,
      value jsonb not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table app_settings, push_subscriptions, captain_tasks, circular_answers, circular_reads,
      circular_recipients, circular_attachments, circulars;
  `.execute(db);
}
