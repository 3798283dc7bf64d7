import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { runningBots } from '../store/lease.js';
import { openDatabaseFile } from '../store/open.js';

/** One thing `paperbot doctor` checked: fine, worth knowing, or wrong (with how to fix it). */
export type Finding = { check: string; status: 'ok' | 'note' | 'problem'; detail: string; fix?: string };

export const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail });
const note = (check: string, detail: string): Finding => ({ check, status: 'note', detail });
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
 * The state database: there or creatable, SQLite, writable, intact, and how its schema compares with
 * this code's migrations. Opens nothing for writing beyond a rolled-back probe and creates no file.
 */
export function checkDatabase(dbPath: string, knownVersions: number[], optionalVersions: number[] = []): Finding[] {
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
  try {
    const findings: Finding[] = [];
    const integrity = db.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') findings.push(problem(check, `${full} is damaged (${String(integrity)})`, 'restore the latest backup: paperbot restore <file>'));
    const hasSchema = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    const applied = hasSchema ? (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]) : [];
    const pending = knownVersions.filter((v) => !applied.includes(v));
    // An adapter's own migrations (Discord's shard leases) are applied only where it uses them: known, never pending.
    const unknown = applied.filter((v) => !knownVersions.includes(v) && !optionalVersions.includes(v));
    if (unknown.length > 0) {
      findings.push(problem(check, `${full} has schema versions this paperbot does not know (${unknown.join(', ')}): it was used by a newer paperbot`, 'upgrade paperbot (see README, Upgrading)'));
    } else if (pending.length > 0) {
      findings.push(note(check, `${full}: ${pending.length} migration(s) will run at the next start, after an automatic backup beside it`));
    } else {
      findings.push(ok(check, `${full} (schema up to date, ${applied.length} migrations)`));
    }
    const running = runningBots(db);
    if (running.length > 0) findings.push(note(check, `in use by ${running.map((b) => `pid ${b.pid} on ${b.host}`).join(', ')}`));
    return findings;
  } finally {
    db.close();
  }
}

function nearestExisting(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
