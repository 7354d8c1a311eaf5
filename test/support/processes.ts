import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Real processes for the fault tests: a PostgreSQL server and a Mosquitto broker of the
 * test's own (Debian's binaries, so they can be stopped and restarted without touching
 * anything another test file uses) and tonari instances (the built `main.js`, as
 * `npm start` runs it) that can be killed with SIGKILL.
 */

const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;
/** The checkout: two levels up from test/support, or three from its compiled copy in dist/ (the bench). */
const root = ((dir) => (existsSync(path.join(dir, 'package.json')) ? dir : path.resolve(dir, '..')))(path.resolve(import.meta.dirname, '../..'));

export const pgBinDir = (() => {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const version = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return version && existsSync(path.join(base, version, 'bin', 'initdb')) ? path.join(base, version, 'bin') : null;
})();
export const mosquittoBin = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p)) ?? null;

/**
 * Fault tests run in CI's services run (real PostgreSQL and Mosquitto installed from
 * Debian), where DATABASE_URL is set; on a developer's embedded defaults they are skipped
 * unless FAULT_TESTS=1.
 */
export const faultTestsEnabled =
  !!pgBinDir && !!mosquittoBin && existsSync(path.join(root, 'dist/server/src/main.js')) && (!!process.env.DATABASE_URL || process.env.FAULT_TESTS === '1');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A directory the `postgres` and `mosquitto` system users can use when the test runs as root. */
async function workDir(prefix: string, owner?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  if (asRoot && owner) {
    const { stdout } = await run('id', ['-u', owner]);
    const { stdout: gid } = await run('id', ['-g', owner]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  return dir;
}

function asUser(user: string, command: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
}

/** A server process of a test's own, on a free port: started, stopped and restarted by the test. */
interface ServerProcess {
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** stop(), then start(). */
  restart(): Promise<void>;
  /** Stops it whatever its state and removes its files. */
  destroy(): Promise<void>;
}

async function restartProcess(server: Pick<ServerProcess, 'start' | 'stop'>) {
  await server.stop();
  await server.start();
}

export interface PostgresServer extends ServerProcess {
  url(database?: string): string;
  /** A clean stop (fast mode: sessions are cut, as in a restart by an operator). */
  stop(): Promise<void>;
}

/** A PostgreSQL server of this test's own, from Debian's binaries, on a free port. */
export async function startPostgres(): Promise<PostgresServer> {
  if (!pgBinDir) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const dir = await workDir('tonari-fault-pg-', 'postgres');
  const data = path.join(dir, 'data');
  const port = await freePort();
  await run(...asUser('postgres', path.join(pgBinDir, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']));
  const ctl = (args: string[]) => run(...asUser('postgres', path.join(pgBinDir, 'pg_ctl'), ['-D', data, ...args]));
  const server: PostgresServer = {
    port,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await ctl(['-l', path.join(dir, 'postgres.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start']);
    },
    async stop() {
      await ctl(['-m', 'fast', '-w', '-t', '60', 'stop']);
    },
    restart: () => restartProcess(server),
    async destroy() {
      await ctl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

export interface MosquittoServer extends ServerProcess {
  /** tonari's URL: the dynamic-security admin login, as docs/operations.md sets it up. */
  adminUrl: string;
  /** Where devices connect. */
  deviceUrl: string;
  /** SIGTERM: Mosquitto saves its persistence file and exits, as on `systemctl restart`. */
  stop(): Promise<void>;
  log(): Promise<string>;
}

/**
 * Mosquitto from Debian with the deploy configuration as it is (deploy/mosquitto/), paths
 * moved to a throw-away directory and the listener on loopback: the same set-up as CI's
 * services run and as docs/operations.md describes for production.
 */
export async function startMosquitto(): Promise<MosquittoServer> {
  if (!mosquittoBin) throw new Error('mosquitto not found');
  const dir = await workDir('tonari-fault-mqtt-');
  const port = await freePort();
  const conf = (await readFile(path.join(root, 'deploy/mosquitto/mosquitto.conf'), 'utf8'))
    .replaceAll('/var/lib/mosquitto/', `${dir}/`)
    .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`);
  if (!conf.includes(`listener ${port} 127.0.0.1`)) throw new Error('deploy/mosquitto/mosquitto.conf has no `listener 1883` line to move');
  const confPath = path.join(dir, 'mosquitto.conf');
  await writeFile(confPath, conf);
  const password = randomBytes(12).toString('hex');
  await run('sh', [path.join(root, 'deploy/mosquitto/init-dynsec.sh'), path.join(dir, 'dynamic-security.json'), 'tonari-admin'], {
    env: { ...process.env, MQTT_ADMIN_PASSWORD: password },
  });
  if (asRoot) await run('chown', ['-R', 'mosquitto', dir]);
  let child: ChildProcess | undefined;
  let output = '';
  const server: MosquittoServer = {
    port,
    adminUrl: `mqtt://tonari-admin:${password}@127.0.0.1:${port}`,
    deviceUrl: `mqtt://127.0.0.1:${port}`,
    async start() {
      child = spawn(mosquittoBin!, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      await waitFor('mosquitto to listen', () => portOpen(port), 10_000, 50);
    },
    async stop() {
      const exiting = child;
      if (!exiting || exiting.exitCode !== null) return;
      const exited = new Promise((resolve) => exiting.once('exit', resolve));
      exiting.kill('SIGTERM');
      await exited;
      child = undefined;
    },
    restart: () => restartProcess(server),
    async destroy() {
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
    log: async () => output,
  };
  await server.start();
  return server;
}

export interface Instance {
  name: string;
  port: number;
  baseUrl: string;
  process: ChildProcess;
  /** Everything it printed (pino JSON lines and the banner). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * One tonari instance: the built main.js, on a port of its own. Its MQTT client id comes
 * from the host name and the port, so an instance restarted on the same port resumes its
 * persistent session, as a supervisor's restart would.
 */
export async function startInstance(options: { name: string; port: number; env: Record<string, string>; nodeArgs?: string[] }): Promise<Instance> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const child = spawn(process.execPath, ['--enable-source-maps', ...(options.nodeArgs ?? []), 'dist/server/src/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const instance: Instance = {
    name: options.name,
    port: options.port,
    baseUrl,
    process: child,
    output: () => output,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
  try {
    await waitFor(`${options.name} to start`, async () => {
      if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}:\n${output.slice(-3000)}`);
      return output.includes('tonari is running');
    }, 60_000, 50);
  } catch (error) {
    await instance.kill();
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`);
  }
  return instance;
}

/** Lines of an instance's pino output at level error (50) or fatal (60), for assertions. */
export function errorLines(instance: Instance): string[] {
  return instance
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return false;
      }
    });
}
