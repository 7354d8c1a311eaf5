import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { loadavg } from 'node:os';
import { cloneTemplate, dropDatabase, startTestPostgres, type TestPostgres } from '../support/test-postgres.js';

/**
 * What every bench shares: alternating runs of tonari and its anchor, medians and spreads,
 * the report lines, and the clean-up that leaves no process or database behind, even when a
 * run fails or is interrupted.
 */

export type Flags = Record<string, string | boolean | undefined>;

export interface BenchContext {
  /** A/B pairs to run (`--pairs`, at least 3 by default). */
  pairs: number;
  /** The command line's flags (`npm run bench -- --messages 20000`). */
  flags: Flags;
  /** A numeric flag or its default. */
  number(name: string, fallback: number): number;
  /** Runs `dispose` when the bench ends (in reverse order of registration), whatever happens. */
  defer(dispose: () => Promise<unknown> | unknown): void;
  /** A child process killed (its whole process group) when the bench ends. */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** A PostgreSQL server for the run (DATABASE_URL's, else embedded), started on first use. */
  postgres(): Promise<TestPostgres>;
  /** A fresh migrated database, dropped when the bench ends. */
  database(): Promise<{ name: string; url: string; drop(): Promise<void> }>;
  /** Progress for the person watching (stderr, so stdout holds only results). */
  log(message: string): void;
  /** The metric's one machine-readable line (`bench <name>: …`), and its samples for the summary. */
  report(line: string, samples?: Record<string, number[]>): void;
}

export interface Bench {
  name: string;
  /** One line on what it measures, for --help. */
  describe: string;
  /** The flags it reads, with their defaults, for --help. */
  flags: Record<string, string>;
  run(ctx: BenchContext): Promise<void>;
}

/** Runs tonari (a) and its anchor (b) alternately, A B A B …, `pairs` times; returns both series. */
export async function alternate<T>(pairs: number, a: (i: number) => Promise<T>, b: (i: number) => Promise<T>): Promise<{ a: T[]; b: T[] }> {
  const result = { a: [] as T[], b: [] as T[] };
  for (let i = 0; i < pairs; i++) {
    result.a.push(await a(i));
    result.b.push(await b(i));
  }
  return result;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0–100), nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** "median 1234 (min 1200, max 1300, n 3)". */
export function spread(values: number[], digits = 0): string {
  const f = (v: number) => v.toFixed(digits);
  return `median ${f(median(values))} (min ${f(Math.min(...values))}, max ${f(Math.max(...values))}, n ${values.length})`;
}

/** A ratio for a report line, or "n/a" when the anchor could not be measured. */
export function ratio(tonari: number, anchor: number | null, digits = 2): string {
  return anchor === null || !Number.isFinite(anchor) || anchor === 0 ? 'n/a' : (tonari / anchor).toFixed(digits);
}

/**
 * Waits (up to `maxWaitMs`) until the 1-minute load average is at most `maxLoad`, so that a
 * sample does not start while the previous one's processes are still winding down. Returns
 * the load average it started at.
 */
export async function quiet(maxLoad = 1.5, maxWaitMs = 30_000): Promise<number> {
  const end = Date.now() + maxWaitMs;
  while (loadavg()[0]! > maxLoad && Date.now() < end) await new Promise((r) => setTimeout(r, 1000));
  return loadavg()[0]!;
}

/**
 * Builds a BenchContext. `release()` disposes of what a bench made (its processes, databases,
 * directories), so that the next bench is not measured beside them; `close()` also stops the
 * PostgreSQL server the run shares.
 */
export function createContext(flags: Flags, onReport: (line: string, samples: Record<string, number[]>) => void) {
  const disposers: (() => Promise<unknown> | unknown)[] = [];
  const runDisposers: (() => Promise<unknown> | unknown)[] = [];
  let postgres: Promise<TestPostgres> | undefined;
  const ctx: BenchContext = {
    pairs: Math.max(1, Number(flags.pairs ?? 3)),
    flags,
    number(name, fallback) {
      const value = flags[name];
      if (value === undefined || value === true) return fallback;
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${String(value)}`);
      return n;
    },
    defer: (dispose) => void disposers.push(dispose),
    spawn(command, args, options = {}) {
      // Its own process group, so that what it starts goes with it.
      const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options, detached: true });
      disposers.push(() => killGroup(child));
      return child;
    },
    postgres() {
      postgres ??= startTestPostgres().then((pg) => {
        runDisposers.push(() => pg.stop());
        return pg;
      });
      return postgres;
    },
    async database() {
      const pg = await ctx.postgres();
      const { name, url } = await cloneTemplate(pg.adminUrl, pg.template);
      let dropped = false;
      const drop = async () => {
        if (dropped) return;
        dropped = true;
        await dropDatabase(pg.adminUrl, name);
      };
      disposers.push(drop);
      return { name, url, drop };
    },
    log: (message) => void process.stderr.write(`  ${message}\n`),
    report: (line, samples = {}) => onReport(line, samples),
  };
  const disposeAll = async (list: (() => Promise<unknown> | unknown)[]) => {
    while (list.length) {
      const dispose = list.pop()!;
      try {
        await dispose();
      } catch (error) {
        process.stderr.write(`  clean-up: ${(error as Error).message}\n`);
      }
    }
  };
  return {
    ctx,
    release: () => disposeAll(disposers),
    async close() {
      await disposeAll(disposers);
      await disposeAll(runDisposers);
    },
  };
}

/** SIGKILLs a detached child's process group and waits for it to exit. */
export async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
  await exited;
}
