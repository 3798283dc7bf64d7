import Database from 'better-sqlite3';
import type { Db } from './db.js';

/** How long a command keeps retrying: inside Slack's 3 s and Discord's 3 s before the first answer. */
export const LOCK_WAIT_BUDGET_MS = 2000;
const FIRST_DELAY_MS = 20;
const MAX_DELAY_MS = 250;

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
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
