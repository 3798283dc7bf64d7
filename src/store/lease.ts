import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isMissingTable } from './sql/dialect.js';
import type { SqlDatabase, SqlQueries } from './sql/types.js';

/**
 * Which bots are running on a database, for `paperbot restore` to refuse while one is and for
 * `paperbot doctor` to say who uses it. Each running bot keeps a row in `meta` (key `running:<id>`)
 * on the store interface and renews its heartbeat; a clean stop deletes it. On PostgreSQL the rows
 * are in the one database every replica shares, so replicas on different machines see each other.
 *
 * Why a heartbeat in the database rather than a pid file: the database is the one thing every bot
 * on it shares (two containers on one volume, replicas on one PostgreSQL), and pids are not: in a
 * container the bot is always pid 1, so a pid file left by a crash would name a live process
 * forever. A crashed bot's row simply stops being renewed and is ignored once it is older than
 * STALE_AFTER_MS; on the same host a row whose pid no longer exists is ignored at once.
 */
const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;
const PREFIX = 'running:';

export type RunningBot = { id: string; pid: number; host: string; startedAt: string; heartbeatAt: string };

export type RunningLease = { readonly id: string; release(): Promise<void> };

/** Records this process as running on `sql` and keeps the record fresh until `release()`. */
export async function holdRunningLease(sql: SqlDatabase, now: () => number = Date.now): Promise<RunningLease> {
  const id = randomUUID();
  const startedAt = new Date(now()).toISOString();
  const write = async () => {
    const row: RunningBot = { id, pid: process.pid, host: hostname(), startedAt, heartbeatAt: new Date(now()).toISOString() };
    await sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [PREFIX + id, JSON.stringify(row)]);
  };
  await write();
  let beat: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    // A busy, unreachable or closing database misses one beat; the next one, or the stop, settles it.
    beat = write().catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    id,
    async release() {
      clearInterval(timer);
      await beat;
      if (!sql.closed) await sql.run('DELETE FROM meta WHERE key = ?', [PREFIX + id]);
    },
  };
}

/**
 * The bots whose record is fresh: heartbeat within STALE_AFTER_MS, and on this host a live pid.
 * None on a database that has no `meta` yet (never started).
 */
export async function runningBots(sql: SqlQueries, now: number = Date.now()): Promise<RunningBot[]> {
  let rows: { value: string }[];
  try {
    rows = await sql.all<{ value: string }>('SELECT value FROM meta WHERE key LIKE ?', [`${PREFIX}%`]);
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
  return rows
    .map((r) => JSON.parse(r.value) as RunningBot)
    .filter((bot) => now - Date.parse(bot.heartbeatAt) < STALE_AFTER_MS && !(bot.host === hostname() && !processExists(bot.pid)));
}

/** "pid 12 on host-a, last seen …; pid 7 on host-b, …", for refusals. */
export function describeRunning(running: RunningBot[]): string {
  return running.map((b) => `pid ${b.pid} on ${b.host}, last seen ${b.heartbeatAt}`).join('; ');
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
