import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, migrateToLatest } from '../../../server/src/platform/db/database.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../../server/src/platform/db/embedded-postgres.js';
import { parseTownArgs, TownArgsError, townHelp, type TownOptions } from './town-options.js';
import { householdLines, householdsCsv, report } from './town-report.js';
import { runTown } from './town-run.js';

/**
 * `npm run town`: a seeded town of 1,200 households on a PostgreSQL of its own (embedded,
 * in a temporary directory, removed afterwards), tonari in this process, and a drill on an
 * accelerated clock. See docs/town.md.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  let options: TownOptions | null;
  try {
    options = parseTownArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof TownArgsError)) throw error;
    console.error(`town: ${error.message}\nRun with --help for the options.`);
    process.exit(2);
  }
  if (!options) {
    console.log(townHelp);
    return;
  }
  const say = (line: string) => console.log(line);
  say(
    `town: seed ${options.seed} · ${options.households} households in ${options.associations} associations · ×${options.speed} ` +
      `(${options.minutes} simulated min ≈ ${((options.minutes * 60) / options.speed / 60).toFixed(1)} real min)`,
  );
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tonari-town-'));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  // Interrupted: stop PostgreSQL and remove its directory before leaving.
  const interrupted = () => {
    void postgres.stop().catch(() => undefined).then(() => rm(dataDir, { recursive: true, force: true })).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await ensureDatabase(postgres.url('postgres'), 'town');
    const url = postgres.url('town');
    const db = createDatabase(url);
    try {
      await migrateToLatest(db);
      const result = await runTown({ db, url }, options, say);
      await mkdir(path.dirname(path.resolve(options.csv)), { recursive: true });
      await writeFile(options.csv, householdsCsv(result));
      if (options.verbose) for (const line of householdLines(result)) say(line);
      for (const line of report(result, options.csv)) say(line);
    } finally {
      await db.destroy();
    }
  } finally {
    await postgres.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('town: the simulation failed:', error);
    process.exit(1);
  },
);
