import { loadavg } from 'node:os';
import { createContext, type Bench } from './harness.js';
import { ingestBench } from './ingest.js';
import { fanoutBench } from './fanout.js';
import { drillBench } from './drill.js';
import { startBench } from './start.js';
import { mqttParseBench } from './mqtt-parse.js';

/**
 * `npm run bench [-- --only ingest,drill,mqtt-parse --pairs 3 --<size> n]`: tonari's speed against an
 * anchor measured in the same run, alternating. stdout holds one `bench <name>: …` line per
 * metric, then the medians and spreads of every series; progress goes to stderr.
 */
const benches: Bench[] = [ingestBench, fanoutBench, drillBench, startBench, mqttParseBench];

/**
 * Every `--name value` or `--name=value` on the command line (each bench reads its own sizes),
 * `--name` alone as true. node:util's parseArgs cannot take flags it was not told about.
 */
function parseFlags(argv: string[]): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      console.error(`unexpected argument ${arg}: flags are --name value`);
      process.exit(2);
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[name] = argv[++i]!;
    else flags[name] = true;
  }
  return flags;
}
const values = parseFlags(process.argv.slice(2));

if (values.help) {
  console.log(`npm run bench -- [--only ${benches.map((b) => b.name).join(',')}] [--pairs 3] [size flags]`);
  for (const bench of benches) {
    console.log(`  ${bench.name}: ${bench.describe}`);
    for (const [flag, text] of Object.entries(bench.flags)) console.log(`    --${flag}  ${text}`);
  }
  process.exit(0);
}

const only = typeof values.only === 'string' ? values.only.split(',') : null;
const unknown = only?.filter((name) => !benches.some((b) => b.name === name)) ?? [];
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}: choose from ${benches.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

// A mistyped size would silently measure the default.
const known = new Set(['only', 'pairs', 'help', ...benches.flatMap((b) => Object.keys(b.flags))]);
const strange = Object.keys(values).filter((name) => !known.has(name));
if (strange.length) {
  console.error(`unknown flag ${strange.map((n) => `--${n}`).join(', ')}: see npm run bench -- --help`);
  process.exit(2);
}

const lines: string[] = [];
const series: string[] = [];
const { ctx, release, close } = createContext(values, (line, samples) => {
  lines.push(line);
  console.log(line);
  for (const [name, list] of Object.entries(samples)) if (list.length) series.push(`  ${name}: ${[...list].map((v) => Math.round(v * 100) / 100).join(', ')}`);
});

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\n${signal}: cleaning up\n`);
    void close().finally(() => process.exit(130));
  });
}

let failed = 0;
console.error(`bench: ${ctx.pairs} pairs, load average ${loadavg()[0]!.toFixed(2)} at the start`);
try {
  for (const bench of benches) {
    if (only && !only.includes(bench.name)) continue;
    if (interrupted) break;
    console.error(`bench ${bench.name}: ${bench.describe}`);
    try {
      await bench.run(ctx);
    } catch (error) {
      failed++;
      console.log(`bench ${bench.name}: failed: ${(error as Error).message}`);
      console.error((error as Error).stack);
    } finally {
      // Nothing of this bench runs on while the next one is measured.
      await release();
    }
  }
} finally {
  await close();
}
console.log('\nsummary');
for (const line of lines) console.log(line);
console.log('\nsamples (in run order, tonari and anchor alternating)');
for (const line of series) console.log(line);
process.exit(failed ? 1 : 0);
