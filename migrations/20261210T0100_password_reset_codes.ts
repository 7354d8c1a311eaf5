import { sql, type Kysely } from 'kysely';

/**
 * One-time password reset codes: an officer issues one for a person who has forgotten their
 * password, on paper or on screen; the person sets a new password with it. Only the code's
 * hash is stored. A code is spent once (used_at), expires (expires_at; issuing a new one
 * moves the person's older unused codes' expiry to now), and belongs to one person of one
 * association: the composite foreign key keeps person and association together.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table password_reset_codes (
      id uuid primary key default gen_random_uuid(),
      association_id uuid not null,
      person_id uuid not null,
      code_hash text not null unique,
      issued_by uuid references people(id) on delete set null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      foreign key (person_id, association_id) references people(id, association_id) on delete cascade
    );
    -- Issuing voids the person's unused codes: found by this.
    create index password_reset_codes_person_unused_idx on password_reset_codes (person_id) where used_at is null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table password_reset_codes`.execute(db);
}
