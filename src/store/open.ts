import Database from 'better-sqlite3';
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Opens the SQLite file named by PAPERBOT_DB (in a folder that exists: openDb creates it first) and proves it usable (it is SQLite, it can be written),
 * or throws a one-line ConfigError that names the setting, the problem and the fix. The usual ways
 * to get it wrong (a folder, some other file, a read-only place, a path that cannot exist) are
 * found here, before a migration would fail on them with a bare SQLite code.
 */
export function openDatabaseFile(path: string, setting = 'PAPERBOT_DB'): Database.Database {
  if (path === ':memory:') return new Database(path);
  const where = `${setting}=${path}`;
  const full = resolve(path);
  const existing = statOrNull(full);
  if (existing?.isDirectory()) {
    throw new ConfigError(`${where} is a folder, not a database file. Set ${setting} to a file inside it, e.g. ${setting}=${full.replace(/\/$/, '')}/paperbot.db.`);
  }
  let db: Database.Database;
  try {
    db = new Database(full);
  } catch (error) {
    throw explain(error, where, setting, full);
  }
  try {
    // Reading the schema proves the file is SQLite; a write that is rolled back proves the file and
    // its folder (where the journal goes) can be written. SQLite quietly opens a read-only file read-only.
    // Another bot may hold the write lock this moment: wait for it like openDb's start-up does.
    db.pragma('busy_timeout = 5000');
    db.pragma('schema_version');
    db.exec('BEGIN IMMEDIATE; CREATE TABLE paperbot_write_probe (x); ROLLBACK');
    return db;
  } catch (error) {
    db.close();
    throw explain(error, where, setting, full);
  }
}

function explain(error: unknown, where: string, setting: string, full: string): Error {
  const code = codeOf(error);
  if (code === 'SQLITE_NOTADB') {
    return new ConfigError(`${where} is not a SQLite database. Point ${setting} at paperbot's database, or move that file away to start a new one there.`);
  }
  if (code === 'SQLITE_CORRUPT') {
    return new ConfigError(`${where} is damaged (${code}). Restore the latest backup with \`paperbot restore <file>\`, or move it away to start a new one.`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_IOERR_ACCESS') {
    const writable = canWrite(full) && canWrite(dirname(full));
    const detail = writable ? `cannot be opened (${code})` : `is read-only for this user (${whoami()})`;
    return new ConfigError(
      `${where} ${detail}. The file and its folder must be writable (SQLite adds -wal and -shm files beside it): fix the permissions or set ${setting} to a writable place.`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch (error) {
    return codeOf(error) === 'ENOENT';
  }
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? (error instanceof Error ? error.message : error));
}

function whoami(): string {
  const uid = process.getuid?.();
  return uid === undefined ? 'the current user' : `uid ${uid}`;
}
