import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../../server/src/auth/password.js';

export const OFFICER = { identifier: 'fanout-officer@example.jp', password: 'fanout bench officer' };

/**
 * The fan-out bench's town, written straight into the database (set-based, in seconds): one
 * association, 班 of 100 households, `households` households with one member each, and a live
 * session per member (as if each had logged in: the cookie values are returned), plus an
 * officer who logs in through the API and publishes.
 */
export async function seedFanoutTown(url: string, households: number): Promise<{ cookies: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const hash = await hashPassword(OFFICER.password);
    await client.query('begin');
    const { rows: [association] } = await client.query<{ id: string }>(`insert into associations (name, slug) values ('ベンチ自治会', 'bench-fanout') returning id`);
    const a = association!.id;
    await client.query(`insert into blocks (association_id, name, sort_order) select $1, g || '班', g from generate_series(1, $2::int) g`, [a, Math.ceil(households / 100)]);
    await client.query(
      `insert into households (association_id, block_id, household_number, name, address, channels)
       select $1, b.ids[1 + (g - 1) / 100], g::text, 'ベンチ家 ' || g, '京田辺市 ' || g, '{app}'
         from generate_series(1, $2::int) g,
              (select array_agg(id order by sort_order) as ids from blocks where association_id = $1) b`,
      [a, households],
    );
    const { rows: people } = await client.query<{ id: string }>(
      `insert into people (association_id, household_id, name, email, password_hash)
       select $1, h.id, 'ベンチ 住民 ' || h.household_number, 'fanout-' || h.household_number || '@example.jp', $2
         from households h where h.association_id = $1
       returning id`,
      [a, hash],
    );
    const { rows: [officer] } = await client.query<{ id: string }>(
      `insert into people (association_id, name, email, password_hash) values ($1, 'ベンチ 役員', $2, $3) returning id`,
      [a, OFFICER.identifier, hash],
    );
    await client.query(`insert into role_assignments (association_id, person_id, role) values ($1, $2, 'officer')`, [a, officer!.id]);
    const tokens = people.map(() => randomBytes(32).toString('base64url'));
    await client.query(
      `insert into sessions (id, person_id, association_id, csrf_token, expires_at)
       select s.id, s.person_id, $1, 'bench', now() + interval '1 day' from unnest($2::text[], $3::uuid[]) as s(id, person_id)`,
      [a, tokens.map((t) => createHash('sha256').update(t).digest('hex')), people.map((p) => p.id)],
    );
    await client.query('commit');
    await client.query('analyze');
    return { cookies: tokens.map((t) => `tonari_session=${t}`) };
  } finally {
    await client.end();
  }
}
