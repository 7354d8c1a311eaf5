import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/src/**/*.spec.ts', 'devices/src/**/*.spec.ts', 'web/src/**/*.spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each file gets its own database, so files run in parallel; two workers for two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: process.env.TEST_REPORT ?? 'test-results/vitest.json' },
  },
});
