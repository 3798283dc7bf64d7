import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A PostgreSQL server for the tests that run on both engines (CI passes its own; see the file).
    globalSetup: ['test/setup/postgres.ts'],
    // Generous on purpose: a timeout only catches a hang; speed is measured in `npm run bench`, and
    // the property tests and the adapter suites run slowly on a shared two-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: the adapter suites start servers, so files run in a couple of forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
