import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase, migrateToLatest } from '../server/src/platform/db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../server/src/platform/db/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL on the test server with the right to create databases. */
    adminDatabaseUrl: string;
    /** A migrated database each test file clones its own database from. */
    templateDatabase: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * One real PostgreSQL for the run: DATABASE_URL's when set (CI's Debian server), else an
 * embedded one in a temporary directory. Migrations are applied once to a template.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgresHandle | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tonari-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    adminUrl = embedded.url('postgres');
  }
  const template = `tonari_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const db = createDatabase(templateUrl.toString(), { max: 1 });
  await migrateToLatest(db);
  await db.destroy();

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    // Drop what this run made; on a shared server (CI) nothing else is touched.
    const leftovers = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`t_${process.pid}_%`]);
    for (const { datname } of leftovers.rows) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`).catch(() => undefined);
    await admin.query(`drop database if exists ${template} with (force)`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
