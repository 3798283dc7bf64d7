import type { TestProject } from 'vitest/node';
import { postgresBinDir, startTestPostgres } from '../helpers/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the engine-parameterised tests use; null when none can run here. */
    postgresUrl: string | null;
  }
}

/**
 * vitest's globalSetup: the tests that run on both engines need a PostgreSQL server. CI starts one
 * (`.ci/run`) and passes PAPERBOT_TEST_DATABASE_URL; otherwise one is started here for this run and
 * stopped after it. Only a machine without PostgreSQL skips those tests, loudly, and never on CI.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.PAPERBOT_TEST_DATABASE_URL?.trim();
  if (given) {
    project.provide('postgresUrl', given);
    return undefined;
  }
  if (!postgresBinDir()) {
    if (process.env.CI) throw new Error('CI: PostgreSQL is required for the tests (apt-get install -y postgresql) or PAPERBOT_TEST_DATABASE_URL must be set.');
    console.warn(
      '\n!!! PostgreSQL is not installed here: the PostgreSQL half of the store tests is SKIPPED.\n' +
        '!!! Install it (apt-get install -y postgresql) or set PAPERBOT_TEST_DATABASE_URL to run them.\n',
    );
    project.provide('postgresUrl', null);
    return undefined;
  }
  const server = await startTestPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
