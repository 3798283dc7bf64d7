import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Migration } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the state database and brings its schema up to date. WAL and a busy
 * timeout let two bot processes share one file; every write that must happen once goes through a
 * unique key, so concurrency never depends on timing. `migrations` is the whole schema (see
 * `src/capabilities/index.ts`).
 */
export function openDb(path: string, migrations: Migration[]): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  migrate(db, migrations);
  return db;
}

/**
 * Applies every migration not yet recorded, in version order. Applied versions are recorded one by
 * one (not as a single high-water mark), so a migration added below one that already ran is still
 * applied rather than skipped.
 */
export function migrate(db: Db, migrations: Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = () => new Set((db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]));
  const done = applied();
  const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => !done.has(m.version));
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
