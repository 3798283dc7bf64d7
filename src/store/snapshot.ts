import type Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * Databases this process found empty: the SQLite-only migrations fill them first, and the portable
 * ones that follow on the store interface must not take that for state worth a copy.
 */
const createdEmpty = new WeakSet<Database.Database>();

export function markCreatedEmpty(db: Database.Database): void {
  createdEmpty.add(db);
}

export function isCreatedEmpty(db: Database.Database): boolean {
  return createdEmpty.has(db);
}

/**
 * Before migrations change a database that already holds state, a copy of it beside the file:
 * `<db>.before-v<highest pending version>.bak`, so an upgrade that goes wrong can be undone with
 * `paperbot restore`. `VACUUM INTO` writes one consistent, compacted copy in a single synchronous
 * statement, which suits the start-up path (opening the database is synchronous); the online
 * backup API behind `paperbot backup` is asynchronous. A new, empty database gets no copy.
 * Returns the copy's path, or null when none was needed.
 */
export function snapshotBeforeMigrations(db: Database.Database, pendingVersions: number[]): string | null {
  if (db.memory || pendingVersions.length === 0 || isCreatedEmpty(db)) return null;
  const applied = db.prepare('SELECT count(*) FROM schema_migrations').pluck().get() as number;
  if (applied === 0) return null;
  const target = `${db.name}.before-v${Math.max(...pendingVersions)}.bak`;
  // Left by an earlier attempt at the same upgrade (whose migrations then failed and rolled back):
  // the state to keep is the one now.
  if (existsSync(target)) rmSync(target);
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } catch (error) {
    // Two bots starting together: the other one made the same copy a moment ago.
    if (existsSync(target)) return target;
    throw new ConfigError(
      `could not copy ${db.name} to ${target} before migrating it (${(error as Error).message}). Free some space or make the folder writable, then start again.`,
    );
  }
  return target;
}
