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
// Taken before the start: a SIGTERM that came while PostgreSQL was starting would otherwise end
// this process and leave the server running, holding the port and the data directory.
let stopping = false;
const starting = startEmbeddedPostgres({ dataDir, port: Number(port) });
process.once('SIGTERM', () => {
  stopping = true;
  void starting.then((postgres) => postgres.stop()).finally(() => process.exit(0));
});
await starting;
if (!stopping) process.stdout.write('ready\n');
