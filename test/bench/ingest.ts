import type { Bench } from './harness.js';

export const ingestBench: Bench = {
  name: 'ingest',
  describe: 'not written yet',
  flags: {},
  async run(ctx) {
    ctx.report('bench ingest: not measured yet');
  },
};
