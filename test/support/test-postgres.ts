import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, migrateToLatest } from '../../server/src/platform/db/database.js';
import { startEmbeddedPostgres } from '../../server/src/platform/db/embedded-postgres.js';
import { freePort } from './processes.js';

/** A PostgreSQL server for a test or bench run, with a migrated template database to clone from. */
export interface TestPostgres {
  /** A URL with the right to create databases. */
  adminUrl: string;
  template: string;
  /** Drops this run's databases and template, and stops the embedded server if one was started. */
  stop(): Promise<void>;
}

/**
 * DATABASE_URL's server when set (CI's Debian PostgreSQL), else an embedded one in a temporary
 * directory. Migrations are applied once to a template named after this process.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  let dataDir: string | undefined;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
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
  const db = createDatabase(databaseUrl(adminUrl, template), { max: 1 });
  await migrateToLatest(db);
  await db.destroy();
  return {
    adminUrl,
    template,
    async stop() {
      // Drop what this run made; on a shared server (CI) nothing else is touched.
      const leftovers = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`t_${process.pid}_%`]);
      for (const { datname } of leftovers.rows) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`).catch(() => undefined);
      await admin.query(`drop database if exists ${template} with (force)`).catch(() => undefined);
      await admin.end();
      await embedded?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The URL of `database` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new database cloned from the migrated template in milliseconds; returns its name and URL. */
export async function cloneTemplate(adminUrl: string, template: string): Promise<{ name: string; url: string }> {
  const name = `t_${template.split('_').pop()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Two files cloning the template at the same instant can collide; the second retries.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${template}`);
        break;
      } catch (error) {
        if (attempt >= 20 || !String(error).includes('being accessed by other users')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return { name, url: databaseUrl(adminUrl, name) };
}

/** Drops a database made by cloneTemplate, closing whatever is still connected to it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
        return;
      } catch (error) {
        // PostgreSQL before 16 refuses a non-superuser (CI's services run) to end an autovacuum
        // worker that happens to be in the database (42501, "must be a member of the role whose
        // process is being terminated"): the worker is done in moments; try again.
        if ((error as { code?: string }).code !== '42501' || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await client.end();
  }
}
