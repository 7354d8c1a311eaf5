import type { Bench } from './harness.js';

export const startBench: Bench = {
  name: 'start',
  describe: 'not written yet',
  flags: {},
  async run(ctx) {
    ctx.report('bench start: not measured yet');
  },
};
