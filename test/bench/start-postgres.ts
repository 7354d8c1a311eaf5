import { startEmbeddedPostgres } from '../../server/src/platform/db/embedded-postgres.js';

/**
 * The start bench's anchor, as a process of its own (as tonari's start is): the embedded
 * PostgreSQL that main.js starts, on the same data directory, and nothing else. Prints
 * `ready` once it accepts connections; stops it cleanly on SIGTERM.
 *
 *   node dist/test/bench/start-postgres.js <data dir> <port>
 */
const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) {
  console.error('usage: start-postgres.js <data dir> <port>');
  process.exit(2);
}
const postgres = await startEmbeddedPostgres({ dataDir, port: Number(port) });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void postgres.stop().finally(() => process.exit(0));
});
