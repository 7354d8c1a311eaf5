import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrations } from '../../../../migrations/index.js';
import type { Database } from './schema.js';
import { PreparingClient } from './prepared.js';

// Bigint columns (device seq) fit in a JS number for any realistic device; dates stay Dates.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// `date` columns stay 'YYYY-MM-DD' strings: a calendar day has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Kysely<Database>;

/** How long a request waits for a connection before it is told the database is unavailable. */
export const CONNECTION_TIMEOUT_MS = 5_000;

export function createDatabase(connectionString: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    // Without a timeout a request waits forever for a database that is not there; with it,
    // the caller gets an error the HTTP layer turns into 503 + Retry-After.
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    // Notices a dead peer (a host gone without a FIN) on idle connections.
    keepAlive: true,
    // The hot statements marked PREPARED go as named statements (prepared.ts).
    Client: PreparingClient,
  });
  // An idle client losing its connection must not take the process down with it.
  pool.on('error', () => undefined);
  // Nor a checked-out one: pg-pool listens for errors only while a client is idle, and a
  // client Kysely holds between two queries of a transaction emits 'error' with nobody
  // listening when PostgreSQL restarts. The failing query reports it; the pool drops the
  // broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Applies every pending migration; the Migrator's advisory lock makes concurrent start-ups safe. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  // Almost every start finds nothing to do: one query says so, where the Migrator would take
  // its lock tables, its lock and about ten round trips. Anything else (a migration missing,
  // one the code does not know, no table yet) is the Migrator's to apply or to refuse.
  if (await allApplied(db)) return [];
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function allApplied(db: Kysely<any>): Promise<boolean> {
  const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db).then((r) => r.rows, () => null);
  if (!rows) return false;
  const applied = new Set(rows.map((r) => r.name));
  return applied.size === Object.keys(migrations).length && Object.keys(migrations).every((name) => applied.has(name));
}
