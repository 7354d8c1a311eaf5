import { defineConfig } from 'vitest/config';

/** `npm run bench`: the speed and scale measurements, apart from the tests. */
export default defineConfig({
  test: {
    include: ['test/bench/**/*.bench.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
