import type { Bench } from './harness.js';

export const drillBench: Bench = {
  name: 'drill',
  describe: 'not written yet',
  flags: {},
  async run(ctx) {
    ctx.report('bench drill: not measured yet');
  },
};
