#!/usr/bin/env node
/**
 * Builds what changed, and only that: `npm run build`, `npm start` and `npm test` run it.
 *
 * Plain JavaScript because it runs before the build it decides on. Whether a build is current
 * is decided by a hash of the CONTENT of its inputs (paths and bytes), never by modification
 * times, so a `git checkout` that brings back older files, or a copy that keeps their times,
 * still counts as a change. After a successful build the hash is written next to the output
 * (a stamp); the next run that computes the same hash skips the build. A failed build writes
 * no stamp, so it is tried again next time.
 *
 *   server  tsc -p tsconfig.build.json → dist/. Inputs: every file under server/src,
 *           devices/src and migrations but their specs (what tsconfig.build.json includes), the tsconfigs,
 *           package-lock.json and this script. A stale build is rebuilt incrementally
 *           (tsc --incremental, its build info in dist/), seconds rather than a full compile.
 *   web     vite build → web/dist/. Inputs: every module the last bundle was made of (recorded
 *           by the build itself, so the contracts it imports from server/src count, and a file
 *           nothing imports does not), web/index.html, web/public, web/vite.config.ts,
 *           package-lock.json and this script.
 *
 *   node server/scripts/build.mjs [server] [web] [--force] [--quiet]
 *     no target: both; --force: build even when current; --quiet: no line when nothing was built.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const self = path.relative(root, fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const SERVER_STAMP = 'dist/.tonari-build.json';
const WEB_STAMP = 'web/dist/.tonari-build.json';
const SERVER_DIRS = ['server/src', 'devices/src', 'migrations'];
const SERVER_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', self];
const WEB_FILES = ['web/index.html', 'web/vite.config.ts', 'package.json', 'package-lock.json', self];
const WEB_DIRS = ['web/public'];
const TS_BUILD_INFO = 'dist/.tsbuildinfo';

/** Specs run from source under vitest; the build leaves them out (tsconfig.build.json), so may their helpers in test/. */
const isSpec = (file) => /\.spec\.tsx?$/.test(file);

/** Every file under `dir` (relative to the checkout), sorted. */
async function filesUnder(dir) {
  const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true }).catch((error) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** Each file's sha256 (null when it is missing: a missing input is a change too). */
async function digests(files) {
  const contents = await Promise.all(files.map((file) => readFile(path.join(root, file)).catch(() => null)));
  return new Map(files.map((file, i) => [file, contents[i] && createHash('sha256').update(contents[i]).digest('hex')]));
}

/** One sha256 over the files' paths and digests (`known` first, then read now). */
async function hashFiles(files, known = new Map()) {
  const fresh = await digests(files.filter((file) => !known.has(file)));
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0${(known.has(file) ? known.get(file) : fresh.get(file)) ?? 'missing'}\n`);
  return hash.digest('hex');
}

async function readStamp(file) {
  try {
    return JSON.parse(await readFile(path.join(root, file), 'utf8'));
  } catch {
    return null;
  }
}

async function writeStamp(file, stamp) {
  const target = path.join(root, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(`${target}.tmp`, `${JSON.stringify(stamp)}\n`);
  await rename(`${target}.tmp`, target);
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? command)} ${signal ?? `exited with ${code}`}`))));
  });
}

const targets = {
  server: {
    async inputs() {
      return [...(await Promise.all(SERVER_DIRS.map(filesUnder))).flat().filter((file) => !isSpec(file)), ...SERVER_FILES];
    },
    async check() {
      const hash = await hashFiles(await this.inputs());
      const stamp = await readStamp(SERVER_STAMP);
      const current = stamp?.hash === hash && existsSync(path.join(root, 'dist/server/src/main.js'));
      return { current, hash, stamp };
    },
    async build({ stamp, hash }) {
      // The build info says what tsc emitted; without a stamp (a first build, or an output of
      // unknown origin) it cannot be trusted to know what is on disk, so tsc starts afresh.
      // The same goes when the inputs are unchanged but the output is not there (deleted by
      // hand): tsc --incremental trusts its build info and would emit nothing.
      if (!stamp || stamp.hash === hash || !existsSync(path.join(root, 'dist/server/src/main.js'))) await rm(path.join(root, TS_BUILD_INFO), { force: true });
      // `hash` is of the inputs as they were before tsc read them: a file edited during the
      // build makes the next check differ and rebuild, never a stale output counted current.
      await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', TS_BUILD_INFO]);
      await writeStamp(SERVER_STAMP, { hash });
    },
  },
  web: {
    async inputs(modules) {
      return [...new Set([...modules, ...(await Promise.all(WEB_DIRS.map(filesUnder))).flat(), ...WEB_FILES])].sort();
    },
    async check() {
      const stamp = await readStamp(WEB_STAMP);
      if (!Array.isArray(stamp?.modules) || !existsSync(path.join(root, 'web/dist/index.html'))) return { current: false, stamp: null };
      const hash = await hashFiles(await this.inputs(stamp.modules));
      return { current: stamp.hash === hash, hash, stamp };
    },
    async build() {
      // Vite runs in a child (this script with --vite), so `npm start` does not keep the
      // bundler in the server's memory; the child records the modules the bundle was made of.
      await run(process.execPath, [fileURLToPath(import.meta.url), '--vite']);
    },
  },
};

/** In the child: vite build with a plugin that records the bundle's own source files. */
async function viteBuild() {
  const { build } = await import('vite');
  // The inputs as they are before the build reads them (see the server's build).
  const before = await digests([...new Set([...(await Promise.all(['web', 'server/src'].map(filesUnder))).flat(), ...WEB_FILES])].filter((f) => !f.startsWith('web/dist/')));
  let modules = [];
  await build({
    configFile: path.join(root, 'web/vite.config.ts'),
    logLevel: 'warn',
    plugins: [
      {
        name: 'tonari-build-inputs',
        generateBundle() {
          modules = [...this.getModuleIds()]
            .filter((id) => !id.startsWith('\0') && path.isAbsolute(id))
            .map((id) => path.relative(root, id.split('?')[0]))
            .filter((file) => !file.startsWith('..') && !file.split(path.sep).includes('node_modules'));
        },
      },
    ],
  });
  const inputs = await targets.web.inputs(modules);
  await writeStamp(WEB_STAMP, { hash: await hashFiles(inputs, before), modules: [...new Set(modules)].sort() });
}

/**
 * Builds the stale ones of `names` (both when they are; in parallel). Returns what it did and
 * how long the check took, for the start line and the bench.
 */
export async function ensureBuilt({ names = ['server', 'web'], force = false } = {}) {
  const started = performance.now();
  const checks = await Promise.all(names.map(async (name) => [name, await targets[name].check()]));
  const checkMs = performance.now() - started;
  const stale = checks.filter(([, check]) => force || !check.current);
  await Promise.all(stale.map(([name, check]) => targets[name].build(check)));
  return { checkMs, built: stale.map(([name]) => name), buildMs: performance.now() - started - checkMs };
}

export function describeBuild({ checkMs, built, buildMs }, names = ['server', 'web']) {
  const current = names.filter((n) => !built.includes(n));
  const parts = [];
  if (built.length) parts.push(`built ${built.join(' and ')} in ${(buildMs / 1000).toFixed(1)} s`);
  if (current.length) parts.push(`${current.join(' and ')} current`);
  return `build: ${parts.join(', ')} (check ${Math.round(checkMs)} ms)`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--vite')) {
      await viteBuild();
    } else {
      const names = args.filter((a) => !a.startsWith('--'));
      const unknown = names.filter((n) => !(n in targets));
      if (unknown.length) throw new Error(`unknown build target ${unknown.join(', ')}: server or web`);
      const chosen = names.length ? names : ['server', 'web'];
      const result = await ensureBuilt({ names: chosen, force: args.includes('--force') });
      if (result.built.length || !args.includes('--quiet')) console.error(describeBuild(result, chosen));
    }
  } catch (error) {
    console.error(`build failed: ${error.message}`);
    process.exit(1);
  }
}
