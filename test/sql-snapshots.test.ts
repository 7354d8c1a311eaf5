import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotSql, type SqlExample } from '../server/src/platform/db/sql-snapshot.js';

/**
 * The SQL of every repository, committed under server/sql/ so that a change to a query is
 * seen in review. `npm run sql:snapshots` rewrites the files; this test fails when one is out
 * of date, and when a repository function has no example (so none can be left out).
 */
const repositories = import.meta.glob<Record<string, unknown> & { sqlExamples?: SqlExample[] }>('../server/src/**/*.repository.ts', { eager: true });
const update = process.env.SQL_SNAPSHOTS === 'update';
const outDir = path.resolve('server/sql');

describe('SQL snapshots', () => {
  for (const [file, exports] of Object.entries(repositories)) {
    const name = path.basename(file, '.ts');
    it(`${name}: the committed SQL is what its functions send`, async () => {
      const examples = exports.sqlExamples ?? [];
      const functions = Object.entries(exports).filter(([, value]) => typeof value === 'function').map(([key]) => key);
      const missing = functions.filter((fn) => !examples.some((example) => example.name === fn || example.name.startsWith(`${fn} `)));
      expect(missing, `${name}.ts: add sqlExamples for these functions`).toEqual([]);
      const text = await snapshotSql(`${name}.ts`, examples);
      const target = path.join(outDir, `${name}.sql`);
      if (update) {
        mkdirSync(outDir, { recursive: true });
        writeFileSync(target, text);
      }
      let committed = '';
      try {
        committed = readFileSync(target, 'utf8');
      } catch {
        // missing: fails below with the whole text as the difference
      }
      expect(committed, `server/sql/${name}.sql is out of date: run npm run sql:snapshots and commit it`).toBe(text);
    });
  }
});
