import { defineConfig } from 'vitest/config';
import { isDatabaseUnavailable } from './server/src/platform/outage.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/src/**/*.spec.ts', 'devices/src/**/*.spec.ts', 'web/src/**/*.spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each file gets its own database, so files run in parallel; two workers for two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // pg-boss 10 completes or fails a job without awaiting it (timgit/pg-boss#577): when a test
    // stops PostgreSQL under an in-process server, that call rejects with nobody to catch it.
    // main.ts survives exactly this in production (the job stays active and is retried), so
    // the suite does too; any other unhandled error still fails the run.
    onUnhandledError(error) {
      if (isDatabaseUnavailable(error) && /pg-boss[\\/]src[\\/]manager\.js/.test(error.stack ?? '')) return false;
    },
    reporters: ['default', 'json'],
    outputFile: { json: process.env.TEST_REPORT ?? 'test-results/vitest.json' },
  },
});
