import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // Integration and e2e suites start real processes; two cores do not like a crowd.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
