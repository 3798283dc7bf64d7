import type Database from 'better-sqlite3';
import { ConfigError } from '../../errors.js';
import { maskUrlCredentials, type Logger } from '../../log.js';
import type { Migration } from '../migrations.js';
import { openDatabaseFile } from '../open.js';
import { isCreatedEmpty, markCreatedEmpty, snapshotBeforeMigrations } from '../snapshot.js';
import { migrateSql } from './migrate.js';
import { SqliteSql } from './sqlite.js';
import type { DatabaseBounds, SqlDatabase } from './types.js';

export type SqlSettings = {
  /** The SQLite file (PAPERBOT_DB), used when there is no PostgreSQL URL. */
  dbPath: string;
  /** DATABASE_URL: PostgreSQL when set. */
  databaseUrl?: string;
  /** Connections per replica (PostgreSQL). */
  poolSize?: number;
  /** How long the running bot waits on PostgreSQL (the DATABASE_*_TIMEOUT_SECONDS settings); none when unset. */
  databaseBounds?: DatabaseBounds;
};

/**
 * Opens the store interface and applies the portable migrations: PostgreSQL when DATABASE_URL is
 * set, the SQLite file otherwise. On SQLite it is a second connection to the file the synchronous
 * handle (`legacy`) has open, so its transactions are SQLite's own and never take in a statement
 * of the synchronous code; an in-memory database cannot be opened twice, so there it shares
 * `legacy` (one process, no one else to exclude).
 */
export async function openSqlStore(settings: SqlSettings, legacy: Database.Database, migrations: readonly Migration[], log?: Logger): Promise<SqlDatabase> {
  if (settings.databaseUrl) {
    // pg loads only when PostgreSQL is configured: a SQLite bot does not pay for it at start.
    const { PostgresSql } = await import('./postgres.js');
    // Migrations run on a connection of their own without the bounds: rebuilding a large table, or
    // waiting for the schema lock while another replica does, may take longer than any statement
    // of the running bot should.
    const migrator = new PostgresSql(settings.databaseUrl, { poolSize: 1, log });
    try {
      await migrateSql(migrator, migrations, { log });
    } catch (error) {
      throw unreachable(settings.databaseUrl, error);
    } finally {
      await migrator.close();
    }
    const store = new PostgresSql(settings.databaseUrl, { poolSize: settings.poolSize, log, bounds: settings.databaseBounds });
    log?.info(`database: the store interface's state on PostgreSQL ${store.where}`);
    return store;
  }
  const shared = settings.dbPath === ':memory:';
  const handle = shared ? legacy : openDatabaseFile(settings.dbPath);
  if (!shared) {
    handle.pragma('foreign_keys = ON');
    handle.pragma('synchronous = NORMAL');
    // As openDb after start-up: a statement blocks the event loop at most this long, and
    // retryWhileBusy waits the rest with timers. Here from the start, because the lock may be held
    // by this very process (the synchronous handle, or another store on the file), which a blocked
    // event loop would keep from ever letting go.
    handle.pragma('busy_timeout = 50');
  }
  const store = new SqliteSql(handle, settings.dbPath, !shared);
  // The file is one database whichever connection migrates it: new to `legacy`, new to this one.
  if (isCreatedEmpty(legacy)) markCreatedEmpty(handle);
  try {
    await migrateSql(store, migrations, { log, beforeApplying: (versions) => snapshotBeforeMigrations(handle, versions) });
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** A server that cannot be reached or refuses us is a setting to fix; other errors stand as they are. */
export function unreachable(url: string, error: unknown): Error {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const where = maskUrlCredentials(url);
  const message = error instanceof Error ? error.message : String(error);
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)$/.test(code)) {
    return new ConfigError(`DATABASE_URL=${where} cannot be reached (${code}). Start PostgreSQL or fix the host and port; unset DATABASE_URL to keep state in SQLite (PAPERBOT_DB).`);
  }
  if (/^(28P01|28000|3D000|42501)$/.test(code)) {
    return new ConfigError(`DATABASE_URL=${where} was refused (${message}). Check the user, password and database name in the URL, and that the user may create tables in it.`);
  }
  return error instanceof Error ? error : new Error(message);
}
