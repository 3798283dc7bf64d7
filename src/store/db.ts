import type Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { openDatabaseFile } from './open.js';
import { markCreatedEmpty, snapshotBeforeMigrations } from './snapshot.js';
import { isSqliteOnly, SCHEMA_MIGRATIONS_DDL, type Migration } from './migrations.js';

export type Db = Database.Database;

/**
 * better-sqlite3 is synchronous: while SQLite waits for another process's write lock, the whole
 * event loop waits with it. After start-up a statement waits at most this long; retryWhileBusy
 * (busy.ts) does the rest of the waiting between attempts, with timers.
 */
const BUSY_TIMEOUT_MS = 50;

/**
 * Opens (creating if needed) the state database and brings its schema up to date. WAL and a short
 * busy timeout with asynchronous retries (busy.ts) let two bot processes share one file; every
 * write that must happen once goes through a unique key, so concurrency never depends on timing.
 * `migrations` is the whole schema (see `src/capabilities/index.ts`).
 */
export function openDb(path: string, migrations: Migration[], log?: Logger): Db {
  if (path !== ':memory:') ensureFolder(path);
  // A folder, another kind of file, a read-only place: one line that says how to fix it.
  const db = openDatabaseFile(path);
  db.pragma('journal_mode = WAL');
  // Start-up may wait for another process's migration; nothing else is being served yet.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  migrate(db, migrations, log);
  // From here on a statement blocks the event loop for at most this long; retryWhileBusy waits the rest.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

/**
 * Creates the database's folder one level at a time from the nearest folder that exists. Node's
 * recursive mkdir spins forever under /proc (`/proc/nope/x.db`), and a parent that is a file gives an
 * error that does not say which setting to fix; both become a ConfigError at once.
 */
function ensureFolder(path: string): void {
  const missing: string[] = [];
  let folder = resolve(dirname(path));
  for (;;) {
    let found: ReturnType<typeof statSync> | undefined;
    try {
      found = statSync(folder, { throwIfNoEntry: false });
    } catch (error) {
      throw unusable(path, `cannot look at ${folder} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (found) {
      if (!found.isDirectory()) throw unusable(path, `${folder} is not a folder`);
      break;
    }
    missing.unshift(folder);
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw unusable(path, `cannot create the folder ${dir} (${code ?? String(error)})`);
    }
  }
}

function unusable(path: string, why: string): ConfigError {
  return new ConfigError(`PAPERBOT_DB "${path}" cannot hold the state database: ${why}. Set PAPERBOT_DB to a file in a folder paperbot may write to, such as ./paperbot.db.`);
}

/**
 * Applies every migration not yet recorded, in version order. Applied versions are recorded one by
 * one (not as a single high-water mark), so a migration added below one that already ran is still
 * applied rather than skipped. Portable migrations are left to migrateSql.
 */
export function migrate(db: Db, migrations: Migration[], log?: Logger): void {
  db.exec(SCHEMA_MIGRATIONS_DDL);
  const applied = () => new Set((db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]));
  const done = applied();
  if (done.size === 0) markCreatedEmpty(db);
  // Portable migrations are migrateSql's (sql/migrate.ts), on the store interface's connection.
  const pending = migrations
    .filter(isSqliteOnly)
    .sort((a, b) => a.version - b.version)
    .filter((m) => !done.has(m.version));
  const copy = snapshotBeforeMigrations(db, pending.map((m) => m.version));
  if (copy) log?.info(`database: copied to ${copy} before applying ${pending.length} migration(s)`);
  for (const m of pending) {
    // IMMEDIATE takes the write lock first, so two processes starting together apply it once.
    db.transaction(() => {
      if (applied().has(m.version)) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      db.pragma(`user_version = ${Math.max(m.version, db.pragma('user_version', { simple: true }) as number)}`);
    }).immediate();
  }
}
