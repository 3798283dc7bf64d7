import Database from 'better-sqlite3';
import type { Db } from './db.js';

/**
 * How long a command keeps retrying. Past 2 s the adapters have already answered Slack and Discord
 * (an empty ack, a deferral) and send the reply when it is ready, so the wait only has to stay far
 * inside their follow-up windows (30 min, 15 min); it is long enough for three processes voting
 * at full speed on a loaded machine.
 */
export const LOCK_WAIT_BUDGET_MS = 8000;
const FIRST_DELAY_MS = 10;
/** Short, and jittered, so a waiting process gets its turn between the others' transactions. */
const MAX_DELAY_MS = 100;

export function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(error.code);
}

/** Rows this connection has changed since it opened; unchanged means an attempt wrote nothing. */
function totalChanges(db: Db): number {
  return db.prepare('SELECT total_changes()').pluck().get() as number;
}

/**
 * Runs `attempt` again while it fails on a lock held elsewhere, for at most `budgetMs`. Only an
 * attempt that wrote nothing before it failed is repeated (a transaction that could not begin, the
 * usual case), so nothing is ever applied twice; otherwise, or past the budget, the error stands.
 */
export async function retryWhileBusy<T>(db: Db, attempt: () => Promise<T>, budgetMs: number = LOCK_WAIT_BUDGET_MS): Promise<T> {
  const deadline = Date.now() + budgetMs;
  let delay = FIRST_DELAY_MS;
  for (;;) {
    const before = totalChanges(db);
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error) || totalChanges(db) !== before || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
