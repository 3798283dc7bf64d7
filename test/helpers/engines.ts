import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createTestDatabase } from './postgres-server.js';

/** The engines the store interface runs on; tests that use it run once on each (`describe.each(engines)`). */
export const engines = ['sqlite', 'postgres'] as const;
export type Engine = (typeof engines)[number];

/** PostgreSQL is skipped only where the run has no server (test/setup/postgres.ts said so, loudly). */
export function engineMissing(engine: Engine): boolean {
  return engine === 'postgres' && inject('postgresUrl') === null;
}

export type FreshDatabase = {
  /** The SQLite file: the whole state on SQLite, the synchronous capabilities' state beside PostgreSQL. */
  dbPath: string;
  databaseUrl?: string;
  /** The settings as environment variables, for loadConfig and child processes. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
};

/** An empty database on `engine`, with a folder for the SQLite file. */
export async function freshDatabase(engine: Engine): Promise<FreshDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `paperbot-${engine}-`));
  const dbPath = join(dir, 'state.db');
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  if (engine === 'sqlite') {
    return { dbPath, env: { PAPERBOT_DB: dbPath }, cleanup: async () => removeDir() };
  }
  const server = inject('postgresUrl');
  if (!server) throw new Error('no PostgreSQL server for this run');
  const database = await createTestDatabase(server);
  return {
    dbPath,
    databaseUrl: database.url,
    env: { PAPERBOT_DB: dbPath, DATABASE_URL: database.url },
    async cleanup() {
      await database.drop();
      removeDir();
    },
  };
}

/** The engines this run can test: both, unless the machine has no PostgreSQL (warned at start-up, never on CI). */
export function testedEngines(): Engine[] {
  return engines.filter((engine) => !engineMissing(engine));
}
