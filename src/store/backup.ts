import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, UserError } from '../errors.js';
import { describeRunning, runningBots, type RunningBot } from './lease.js';
import { SqliteSql } from './sql/sqlite.js';

export type BackupResult = { file: string; bytes: number; pages: number };

/**
 * A consistent copy of the database while bots may be writing to it: SQLite's online backup API
 * (better-sqlite3's `backup()`), which copies page by page and starts over if another connection
 * writes in between, so the copy is always one committed state. A file copy could catch a write
 * half done or miss what is still in the -wal file. The copy goes to a temporary name first, so a
 * failed backup never leaves a file that looks complete.
 */
export async function backupDatabase(dbPath: string, file: string): Promise<BackupResult> {
  const source = resolve(dbPath);
  const target = resolve(file);
  if (!existsSync(source)) throw new ConfigError(`PAPERBOT_DB=${dbPath} does not exist yet: there is nothing to back up.`);
  if (target === source) throw new UserError('backup-onto-itself', { en: 'the backup file must not be the database itself; name another file.' });
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.partial-${process.pid}`;
  const db = new Database(source, { fileMustExist: true });
  try {
    const { totalPages } = await db.backup(temp);
    checkCopy(temp);
    renameSync(temp, target);
    return { file: target, bytes: statSync(target).size, pages: totalPages };
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

export type RestoreResult = { file: string; previous: string | null };

/**
 * Puts a backup in place of the database. Refused while a bot runs on it (see lease.ts); the copy
 * is checked first (SQLite, intact, paperbot's schema, not from a newer paperbot), and the database
 * it replaces is kept beside it as `<db>.before-restore-<time>`.
 */
export async function restoreDatabase(dbPath: string, file: string, knownVersions: number[], now = new Date()): Promise<RestoreResult> {
  const target = resolve(dbPath);
  const backup = resolve(file);
  if (!existsSync(backup)) throw new UserError('no-backup-file', { en: `${file} does not exist.` });
  const backupVersions = checkCopy(backup);
  const unknown = backupVersions.filter((v) => !knownVersions.includes(v));
  if (unknown.length > 0) {
    throw new UserError('backup-too-new', {
      en: `${file} was made by a newer paperbot (schema version ${Math.max(...unknown)}); upgrade paperbot before restoring it.`,
    });
  }
  if (existsSync(target)) {
    const current = new Database(target, { fileMustExist: true });
    try {
      refuseWhileRunning(await runningBots(new SqliteSql(current, dbPath, false)), dbPath);
    } finally {
      current.close();
    }
  }
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.restoring-${process.pid}`;
  const source = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    await source.backup(temp);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    source.close();
  }
  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
  }
  // The replaced database's write-ahead log and index belong to it, not to the restored copy.
  for (const suffix of ['-wal', '-shm']) {
    if (previous && existsSync(target + suffix)) renameSync(target + suffix, previous + suffix);
    else rmSync(target + suffix, { force: true });
  }
  renameSync(temp, target);
  return { file: target, previous };
}

/** Throws unless `file` is an intact paperbot database; returns its applied schema versions. */
function checkCopy(file: string): number[] {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new UserError('bad-backup', { en: `${file} cannot be opened as a SQLite database (${(error as Error).message}).` });
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new UserError('bad-backup', { en: `${file} is damaged: ${String(check)}.` });
    const hasSchema = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!hasSchema) throw new UserError('bad-backup', { en: `${file} is a SQLite file but not a paperbot database (no schema_migrations table).` });
    return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError('bad-backup', { en: `${file} is not a SQLite database (${(error as Error).message}).` });
  } finally {
    db.close();
  }
}

/** Restoring under a running bot would pull its state from under it: stop it first. */
export function refuseWhileRunning(running: RunningBot[], where: string): void {
  if (running.length === 0) return;
  throw new UserError('bot-running', {
    en: `a bot is running on ${where} (${describeRunning(running)}). Stop it first (e.g. \`systemctl stop paperbot\`), then restore.`,
  });
}
