import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { runningBots } from '../store/lease.js';
import { openDatabaseFile } from '../store/open.js';
import { isMissingTable } from '../store/sql/dialect.js';
import { unreachable } from '../store/sql/open.js';
import { SqliteSql } from '../store/sql/sqlite.js';
import type { SqlQueries } from '../store/sql/types.js';

/** One thing `paperbot doctor` checked: fine, worth knowing, or wrong (with how to fix it). */
export type Finding = { check: string; status: 'ok' | 'note' | 'problem'; detail: string; fix?: string };

export const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail });
export const note = (check: string, detail: string): Finding => ({ check, status: 'note', detail });
export const problem = (check: string, detail: string, fix?: string): Finding => ({ check, status: 'problem', detail, fix });

/** A failure while checking: a ConfigError already says what to do; anything else is reported as is. */
export function problemFrom(check: string, error: unknown): Finding {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^paperbot: /, '');
  return problem(check, error instanceof ConfigError ? message : `check failed: ${message}`);
}

/** The report, one finding a line (its fix indented below), and a last line with the verdict. */
export function formatFindings(findings: Finding[]): string {
  const mark = { ok: 'ok     ', note: 'note   ', problem: 'PROBLEM' } as const;
  const lines = findings.flatMap((f) => [`${mark[f.status]} ${f.check}: ${f.detail}`, ...(f.fix ? [`        fix: ${f.fix}`] : [])]);
  const problems = findings.filter((f) => f.status === 'problem').length;
  lines.push(problems === 0 ? 'No problems found.' : `${problems} problem(s) found.`);
  return lines.join('\n');
}

/**
 * The SQLite file: there or creatable, SQLite, writable, intact, and how its schema compares with
 * `knownVersions` (every migration; with PostgreSQL beside it, the SQLite-only ones). Opens nothing
 * for writing beyond a rolled-back probe and creates no file. `adapterVersions`, among the known
 * ones, are applied when their adapter first starts: never pending.
 */
export async function checkDatabase(dbPath: string, knownVersions: number[], adapterVersions: number[] = []): Promise<Finding[]> {
  const check = 'database';
  const full = resolve(dbPath);
  if (dbPath === ':memory:') return [note(check, 'PAPERBOT_DB=:memory:: state is lost at every stop')];
  if (!existsSync(full)) {
    const folder = nearestExisting(dirname(full));
    return [note(check, `${full} does not exist yet; the first start creates it (in ${folder})`)];
  }
  let db: Database.Database;
  try {
    db = openDatabaseFile(dbPath);
  } catch (error) {
    return [problemFrom(check, error)];
  }
  const sql = new SqliteSql(db, dbPath, true);
  try {
    const findings: Finding[] = [];
    const integrity = db.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') findings.push(problem(check, `${full} is damaged (${String(integrity)})`, 'restore the latest backup: paperbot restore <file>'));
    const hasSchema = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    const applied = hasSchema ? (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]) : [];
    findings.push(schemaFinding(check, full, applied, knownVersions, adapterVersions, ', after an automatic backup beside it'));
    findings.push(...(await inUse(check, sql)));
    return findings;
  } finally {
    await sql.close();
  }
}

/**
 * The PostgreSQL database of DATABASE_URL: reachable, and how its schema (the portable migrations,
 * recorded in its own schema_migrations) compares with this code's; who runs on it.
 */
export async function checkPostgres(databaseUrl: string, knownVersions: number[], adapterVersions: number[] = []): Promise<Finding[]> {
  const check = 'PostgreSQL';
  const { PostgresSql } = await import('../store/sql/postgres.js');
  const sql = new PostgresSql(databaseUrl, { poolSize: 1 });
  try {
    let applied: number[];
    try {
      applied = (await sql.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version);
    } catch (error) {
      if (!isMissingTable(error)) return [problemFrom(check, unreachable(databaseUrl, error))];
      return [note(check, `${sql.where} has no paperbot schema yet; the first start creates it (or copy a SQLite database in: paperbot migrate-to-postgres)`)];
    }
    return [schemaFinding(check, sql.where, applied, knownVersions, adapterVersions), ...(await inUse(check, sql))];
  } finally {
    await sql.close();
  }
}

function schemaFinding(check: string, where: string, applied: number[], knownVersions: number[], adapterVersions: number[], beforeMigrating = ''): Finding {
  const pending = knownVersions.filter((v) => !applied.includes(v) && !adapterVersions.includes(v));
  const unknown = applied.filter((v) => !knownVersions.includes(v));
  if (unknown.length > 0) {
    return problem(check, `${where} has schema versions this paperbot does not know (${unknown.join(', ')}): it was used by a newer paperbot`, 'upgrade paperbot (see README, Upgrading)');
  }
  if (pending.length > 0) return note(check, `${where}: ${pending.length} migration(s) will run at the next start (${pending.join(', ')})${beforeMigrating}`);
  return ok(check, `${where} (schema up to date, ${applied.length} migrations)`);
}

async function inUse(check: string, sql: SqlQueries): Promise<Finding[]> {
  const running = await runningBots(sql);
  return running.length > 0 ? [note(check, `in use by ${running.map((b) => `pid ${b.pid} on ${b.host}`).join(', ')}`)] : [];
}

function nearestExisting(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
