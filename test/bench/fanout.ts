import type { Bench } from './harness.js';

export const fanoutBench: Bench = {
  name: 'fanout',
  describe: 'not written yet',
  flags: {},
  async run(ctx) {
    ctx.report('bench fanout: not measured yet');
  },
};
