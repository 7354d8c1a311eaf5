import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './support/test-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL on the test server with the right to create databases. */
    adminDatabaseUrl: string;
    /** A migrated database each test file clones its own database from. */
    templateDatabase: string;
  }
}

/**
 * One real PostgreSQL for the run: DATABASE_URL's when set (CI's Debian server), else an
 * embedded one in a temporary directory. Migrations are applied once to a template.
 */
export default async function setup(project: TestProject) {
  const postgres = await startTestPostgres();
  project.provide('adminDatabaseUrl', postgres.adminUrl);
  project.provide('templateDatabase', postgres.template);
  return () => postgres.stop();
}
