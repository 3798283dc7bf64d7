import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';

/**
 * Which bots are running on a database, for `paperbot restore` to refuse while one is. Each running
 * bot keeps a row in `meta` (key `running:<id>`) and renews its heartbeat; a clean stop deletes it.
 *
 * Why a heartbeat in the database rather than a pid file: the database is the one thing every bot
 * on it shares (two containers on one volume, a host and a container), and pids are not: in a
 * container the bot is always pid 1, so a pid file left by a crash would name a live process
 * forever. A crashed bot's row simply stops being renewed and is ignored once it is older than
 * STALE_AFTER_MS; on the same host a row whose pid no longer exists is ignored at once.
 */
const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;
const PREFIX = 'running:';

export type RunningBot = { id: string; pid: number; host: string; startedAt: string; heartbeatAt: string };

export type RunningLease = { readonly id: string; release(): void };

/** Records this process as running on `db` and keeps the record fresh until `release()`. */
export function holdRunningLease(db: Database.Database, now: () => number = Date.now): RunningLease {
  const id = randomUUID();
  const startedAt = new Date(now()).toISOString();
  const write = () => {
    const row: RunningBot = { id, pid: process.pid, host: hostname(), startedAt, heartbeatAt: new Date(now()).toISOString() };
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(PREFIX + id, JSON.stringify(row));
  };
  write();
  const timer = setInterval(() => {
    try {
      write();
    } catch {
      // A busy or closing database misses one beat; the next one, or the stop, settles it.
    }
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    id,
    release() {
      clearInterval(timer);
      if (db.open) db.prepare('DELETE FROM meta WHERE key = ?').run(PREFIX + id);
    },
  };
}

/** The bots whose record is fresh: heartbeat within STALE_AFTER_MS, and on this host a live pid. */
export function runningBots(db: Database.Database, now: number = Date.now()): RunningBot[] {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return [];
  const rows = db.prepare('SELECT value FROM meta WHERE key LIKE ?').pluck().all(`${PREFIX}%`) as string[];
  return rows
    .map((value) => JSON.parse(value) as RunningBot)
    .filter((bot) => now - Date.parse(bot.heartbeatAt) < STALE_AFTER_MS && !(bot.host === hostname() && !processExists(bot.pid)));
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
