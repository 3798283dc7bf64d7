import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: the adapter suites start servers, so files run in a couple of forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
