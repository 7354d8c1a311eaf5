import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { createContext, type Bench } from './harness.js';
import { ingestBench } from './ingest.js';
import { fanoutBench } from './fanout.js';
import { drillBench } from './drill.js';
import { startBench } from './start.js';

/**
 * `npm run bench [-- --only ingest,drill --pairs 3 --<size> n]`: tonari's speed against an
 * anchor measured in the same run, alternating. stdout holds one `bench <name>: …` line per
 * metric, then the medians and spreads of every series; progress goes to stderr.
 */
const benches: Bench[] = [ingestBench, fanoutBench, drillBench, startBench];

const { values } = parseArgs({
  allowPositionals: false,
  strict: false,
  options: { only: { type: 'string' }, pairs: { type: 'string' }, help: { type: 'boolean' } },
});

if (values.help) {
  console.log('npm run bench -- [--only ingest,fanout,drill,start] [--pairs 3] [size flags]');
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

const lines: string[] = [];
const series: string[] = [];
const { ctx, close } = createContext(values as Record<string, string | boolean | undefined>, (line, samples) => {
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
