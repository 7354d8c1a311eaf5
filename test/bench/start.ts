import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { alternate, killGroup, median, quiet, ratio, spread, type Bench, type BenchContext } from './harness.js';
import { freePort } from '../support/processes.js';

/**
 * `npm start` to ready against the embedded PostgreSQL's own start, on a data directory that
 * is already initialised (a second start) and a current build:
 *   A  the command line `npm start` runs (package.json's start script), spawned, until
 *      /healthz answers 200;
 *   B  the embedded PostgreSQL alone (startEmbeddedPostgres in a process of its own,
 *      start-postgres.ts) until it accepts connections: initdb + start in a new directory (the
 *      issue's anchor, "embedded postgres alone"), and a second start on tonari's own data
 *      directory ("warm postgres alone", the like-for-like floor, reported beside it);
 * alternating A B A B; after each A, main.js alone (`node dist/server/src/main.js`, what the
 * Dockerfile runs) to /healthz. The build check is server/scripts/build.mjs finding the build current.
 * Everything runs in a temporary DATA_DIR on free ports and is stopped and removed at the end.
 */
const root = ((dir) => (existsSync(path.join(dir, 'package.json')) ? dir : path.resolve(dir, '..')))(path.resolve(import.meta.dirname, '../..'));
const run = promisify(execFile);

export const startBench: Bench = {
  name: 'start',
  describe: 'npm start (build current, data initialised) to /healthz ok vs the embedded PostgreSQL alone (initdb + start, and a second start)',
  flags: {},
  async run(ctx) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tonari-bench-start-'));
    ctx.defer(() => rm(dataDir, { recursive: true, force: true }));
    const ports = { PORT: await freePort(), MQTT_PORT: await freePort(), EMBEDDED_PG_PORT: await freePort() };
    const env = instanceEnv(dataDir, ports);

    const check = await run(process.execPath, ['server/scripts/build.mjs'], { cwd: root });
    const checkMs = Number(/check (\d+) ms/.exec(check.stderr)?.[1]);
    if (!/server and web current/.test(check.stderr)) throw new Error(`the build is not current: ${check.stderr.trim()}`);

    // The first start initialises the data directory and seeds the demo: not what is measured.
    ctx.log('first start (initdb, migrations, demo seed)');
    const first = await startToReady(ctx, process.execPath, ['dist/server/src/main.js'], env, ports.PORT);
    await first.stop();
    ctx.log(`first start ${Math.round(first.ms)} ms`);

    const startScript = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    const [command, ...args] = startScript.split(' ');
    if (command !== 'node') throw new Error(`package.json's start script is not a node command line: ${startScript}`);

    const mainJs: number[] = [];
    const warm: number[] = [];
    const phases: Record<string, number>[] = [];
    const loads: number[] = [];
    const { a: ready, b: postgres } = await alternate(
      ctx.pairs,
      async (i) => {
        loads.push(await quiet(1.5, 15_000));
        const npmStart = await startToReady(ctx, process.execPath, args, env, ports.PORT);
        await npmStart.stop();
        const main = await startToReady(ctx, process.execPath, ['--enable-source-maps', 'dist/server/src/main.js'], env, ports.PORT);
        await main.stop();
        mainJs.push(main.ms);
        const started = /"phases":(\{[^}]*\})/.exec(main.output())?.[1];
        if (started) phases.push(JSON.parse(started) as Record<string, number>);
        ctx.log(`pair ${i + 1}: npm start ${Math.round(npmStart.ms)} ms, main.js ${Math.round(main.ms)} ms (load ${loads.at(-1)!.toFixed(2)})`);
        return npmStart.ms;
      },
      async (i) => {
        const fresh = await mkdtemp(path.join(tmpdir(), 'tonari-bench-pg-'));
        ctx.defer(() => rm(fresh, { recursive: true, force: true }));
        const cold = await startToReady(ctx, process.execPath, ['dist/test/bench/start-postgres.js', fresh, String(ports.EMBEDDED_PG_PORT)], env, null);
        await cold.stop();
        await rm(fresh, { recursive: true, force: true });
        const alone = await startToReady(ctx, process.execPath, ['dist/test/bench/start-postgres.js', dataDir, String(ports.EMBEDDED_PG_PORT)], env, null);
        await alone.stop();
        warm.push(alone.ms);
        ctx.log(`pair ${i + 1}: embedded postgres alone: initdb + start ${Math.round(cold.ms)} ms, a second start ${Math.round(alone.ms)} ms`);
        return cold.ms;
      },
    );

    for (const name of Object.keys(phases[0] ?? {})) ctx.log(`main.js ${name} at ${spread(phases.map((p) => p[name]!))} ms`);
    ctx.log(`load average ${spread(loads, 2)} before the pairs, ${loadavg()[0]!.toFixed(2)} at the end`);
    const [r, p, m, w] = [median(ready), median(postgres), median(mainJs), median(warm)];
    ctx.report(
      `bench start: ready ${Math.round(r)} ms, embedded postgres alone ${Math.round(p)} ms, ratio ${ratio(r, p)}, main.js ${Math.round(m)} ms, main.js ratio ${ratio(m, p)}, ` +
        `warm postgres alone ${Math.round(w)} ms, warm ratio ${ratio(r, w)}, build check ${Number.isFinite(checkMs) ? checkMs : 'n/a'} ms`,
      { 'start npm-start ms': ready, 'start postgres-alone (initdb + start) ms': postgres, 'start main.js ms': mainJs, 'start postgres-alone (second start) ms': warm },
    );
  },
};

function instanceEnv(dataDir: string, ports: Record<string, number>): NodeJS.ProcessEnv {
  // Embedded defaults, whatever the caller's environment says.
  const { DATABASE_URL: _d, MQTT_URL: _m, MQTT_DYNSEC: _s, ...env } = process.env;
  return { ...env, DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
}

/**
 * Spawns a command and times it until it is ready: /healthz 200 on `port`, or (port null) a
 * `ready` line on stdout. `stop()` sends SIGTERM and waits for a clean exit (PostgreSQL must shut
 * down cleanly for the next start on the same data directory), killing the group after 30 s.
 */
async function startToReady(ctx: BenchContext, command: string, args: string[], env: NodeJS.ProcessEnv, port: number | null) {
  const started = performance.now();
  // `env` is whole: instanceEnv took out DATABASE_URL and MQTT_URL so that tonari uses its embedded ones.
  const child: ChildProcess = ctx.spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (d) => {
    output += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${args.join(' ')} exited before it was ready:\n${output.slice(-2000)}`);
    if (performance.now() - started > 120_000) throw new Error(`${args.join(' ')} not ready after 120 s:\n${output.slice(-2000)}`);
    const ready = port === null ? /^ready$/m.test(stdout) : await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - started;
  return {
    ms,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') await killGroup(child);
    },
  };
}
