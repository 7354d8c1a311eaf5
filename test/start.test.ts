import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/http-client.js';
import { connectDevice } from './support/server.js';
import { demo } from '../server/src/demo/seed.js';
import { loadConfig } from '../server/src/platform/config.js';
import { topics } from '../devices/src/protocol.js';
import { promisify } from 'node:util';

/**
 * `npm start` as a person runs it: the built server on embedded defaults (its own
 * PostgreSQL and broker), demo data, logins and a demo speaker, then SIGTERM.
 */
const main = path.resolve('dist/server/src/main.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>) {
  const baseEnv = { ...process.env };
  delete baseEnv.DATABASE_URL;
  delete baseEnv.MQTT_URL;
  delete baseEnv.MQTT_DYNSEC;
  const child = spawn(process.execPath, [main], { env: { ...baseEnv, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (text: string, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`did not see "${text}"; output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

describe('npm start on embedded defaults', () => {
  it('has a built server to start (npm test builds it first)', () => {
    expect(existsSync(main)).toBe(true);
  });

  it('starts PostgreSQL and the broker, seeds the demo, lets the demo people and speaker in, and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tonari-start-'));
    dirs.push(dataDir);
    const [port, mqttPort, pgPort] = [await freePort(), await freePort(), await freePort()];
    const server = run({ DATA_DIR: dataDir, PORT: String(port), MQTT_PORT: String(mqttPort), EMBEDDED_PG_PORT: String(pgPort), HOST: '127.0.0.1' });
    await server.waitFor('tonari (隣) is running');
    expect(server.output()).toContain(`http://localhost:${port}`);
    expect(server.output()).toContain('officer@demo.tonari.jp');
    expect(server.output()).toContain(demo.device.password);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', database: true, broker: true, ingest: true });
    const officer = new ApiClient(`http://127.0.0.1:${port}`);
    const session = await officer.login('officer@demo.tonari.jp', demo.password);
    expect(session.roles.officer).toBe(true);
    const households = await officer.get('/api/households?limit=500');
    expect(households.body.total).toBe(100);
    const household = new ApiClient(`http://127.0.0.1:${port}`);
    expect((await household.login('household@demo.tonari.jp', demo.password)).roles.household).not.toBeNull();
    const page = await fetch(`http://127.0.0.1:${port}/login`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');

    const speaker = await connectDevice(`mqtt://127.0.0.1:${mqttPort}`, { username: demo.device.id, password: demo.device.password });
    await speaker.publishAsync(
      topics.uplink(demo.associationId, demo.device.id, 'heartbeat'),
      JSON.stringify({ bootId: 'b1', seq: 1, ts: new Date().toISOString(), uptimeSeconds: 5, power: 'mains', battery: null, signal: -50, firmware: 'demo' }),
      { qos: 1 },
    );
    await speaker.endAsync();
    await expect(connectDevice(`mqtt://127.0.0.1:${mqttPort}`, { username: demo.device.id, password: 'wrong' })).rejects.toThrow();

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    // A second start finds its data: no second seeding, same logins.
    const again = run({ DATA_DIR: dataDir, PORT: String(port), MQTT_PORT: String(mqttPort), EMBEDDED_PG_PORT: String(pgPort), HOST: '127.0.0.1' });
    await again.waitFor('tonari (隣) is running');
    expect(again.output()).not.toContain('just created');
    const relogin = new ApiClient(`http://127.0.0.1:${port}`);
    await relogin.login('officer@demo.tonari.jp', demo.password);
    const devices = await relogin.get('/api/devices');
    expect(devices.body.items.find((d: { id: string }) => d.id === demo.device.id).lastSeenAt).not.toBeNull();
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 180_000);

  it('stops at once with one line naming a bad setting', async () => {
    const server = run({ PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toBe('Invalid environment variable PORT: must be a port number from 0 to 65535');
  });
});

describe('npm start builds what changed, and only that', () => {
  const execNode = promisify(execFile);
  /** A copy of the checkout with its current build (npm test built it), sharing node_modules. */
  async function checkoutCopy(): Promise<string> {
    const copy = await mkdtemp(path.join(tmpdir(), 'tonari-build-'));
    dirs.push(copy);
    for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'server', 'devices', 'migrations', 'web', 'dist']) {
      await cp(path.resolve(entry), path.join(copy, entry), { recursive: true, preserveTimestamps: true });
    }
    await symlink(path.resolve('node_modules'), path.join(copy, 'node_modules'));
    return copy;
  }
  const start = async (cwd: string) => {
    // PORT=eighty: main.js stops at once with a line from config.ts, the code under test.
    const child = spawn(process.execPath, ['server/scripts/start.mjs'], { cwd, env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, output };
  };

  it('skips a current build, and rebuilds a changed source even when its modification time is old, then runs the new code', async () => {
    const copy = await checkoutCopy();
    const { stderr } = await execNode(process.execPath, ['server/scripts/build.mjs'], { cwd: copy });
    expect(stderr).toMatch(/^build: server and web current \(check \d+ ms\)$/m);

    // As a `git checkout` can: new content, an old modification time (older than the build).
    const config = path.join(copy, 'server/src/platform/config.ts');
    const { mtime } = await stat(config);
    const source = await readFile(config, 'utf8');
    expect(source).toContain("'must be a port number from 0 to 65535'");
    await writeFile(config, source.replace("'must be a port number from 0 to 65535'", "'must be a port number from 0 to 65535 (changed)'"));
    await utimes(config, new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect((await stat(config)).mtime < mtime).toBe(true);

    const rebuilt = await start(copy);
    expect(rebuilt.output).toMatch(/^build: built server in [\d.]+ s, web current/m);
    expect(rebuilt.output).toContain('Invalid environment variable PORT: must be a port number from 0 to 65535 (changed)');
    expect(rebuilt.code).toBe(1);

    const again = await start(copy);
    expect(again.output).toMatch(/^build: server and web current/m);
    expect(again.output).toContain('(changed)');
  }, 240_000);
});

describe('configuration', () => {
  it('names the variable and the problem', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow('Invalid environment variable DATABASE_URL: must start with postgres:// or postgresql://');
    expect(() => loadConfig({ MQTT_DYNSEC: 'yes' })).toThrow('Invalid environment variable MQTT_DYNSEC: must be true or false');
    expect(() => loadConfig({ PUBLIC_URL: 'localhost' })).toThrow(/PUBLIC_URL: must be an absolute URL/);
  });
  it('defaults to embedded PostgreSQL and broker, and uses the external ones when given', () => {
    expect(loadConfig({}).embedded).toEqual({ database: true, broker: true });
    const external = loadConfig({ DATABASE_URL: 'postgres://u:p@db/tonari', MQTT_URL: 'mqtt://broker:1883', PUBLIC_URL: 'https://tonari.example.jp/' });
    expect(external.embedded).toEqual({ database: false, broker: false });
    expect(external.publicUrl).toBe('https://tonari.example.jp');
  });
});
