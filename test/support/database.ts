import { inject } from 'vitest';
import { createDatabase, type Db } from '../../server/src/platform/db/database.js';
import { cloneTemplate, dropDatabase } from './test-postgres.js';

export interface TestDatabase {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, cloned from the migrated template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const { name, url } = await cloneTemplate(adminUrl, inject('templateDatabase'));
  const db = createDatabase(url, { max: 5 });
  return {
    db,
    url,
    async drop() {
      await db.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}
