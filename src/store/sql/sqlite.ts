import type Database from 'better-sqlite3';
import { retryWhileBusy } from '../busy.js';
import { sqliteDialect } from './dialect.js';
import { QueryHelpers, type SqlDatabase, type SqlParams, type SqlResult, type SqlTransaction } from './types.js';

/**
 * The store interface over one better-sqlite3 connection. better-sqlite3 is synchronous, so the
 * promises resolve at once; what makes this safe under concurrency is the turn: one transaction (or
 * one statement outside any) at a time on the connection, so a transaction's statements never mix
 * with another task's while it awaits. Other processes on the same file are kept out by SQLite's
 * write lock, taken first (BEGIN IMMEDIATE) and waited for with timers (retryWhileBusy), never by
 * blocking the event loop.
 */
export class SqliteSql extends QueryHelpers implements SqlDatabase {
  readonly dialect = sqliteDialect;
  private readonly statements = new Map<string, Database.Statement>();
  private turn: Promise<unknown> = Promise.resolve();

  /** `owned`: this store opened the handle and closes it (a shared `:memory:` handle is not closed). */
  constructor(
    readonly handle: Database.Database,
    readonly where: string,
    private readonly owned: boolean,
  ) {
    super();
  }

  get closed(): boolean {
    return !this.handle.open;
  }

  /** Runs one statement now (the caller holds the turn). */
  execute<T>(sql: string, params: SqlParams): SqlResult<T> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.handle.prepare(sql);
      this.statements.set(sql, statement);
    }
    if (statement.reader) {
      const rows = statement.all(...params) as T[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: statement.run(...params).changes };
  }

  /** Waits for the connection's turn, then runs `fn` alone on it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.turn.then(fn, fn);
    this.turn = next.catch(() => undefined);
    return next;
  }

  query<T = Record<string, unknown>>(sql: string, params: SqlParams = []): Promise<SqlResult<T>> {
    return this.exclusive(() => retryWhileBusy(this.handle, async () => this.execute<T>(sql, params)));
  }

  exec(sql: string): Promise<void> {
    return this.exclusive(() => retryWhileBusy(this.handle, async () => void this.handle.exec(sql)));
  }

  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // Nothing is written before BEGIN succeeds, so a busy BEGIN is always safe to try again.
      await retryWhileBusy(this.handle, async () => void this.handle.exec('BEGIN IMMEDIATE'));
      const tx = new SqliteTransaction(this);
      try {
        const result = await fn(tx);
        this.handle.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.handle.inTransaction) this.handle.exec('ROLLBACK');
        throw error;
      } finally {
        tx.open = false;
      }
    });
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.owned && this.handle.open) this.handle.close();
  }
}

class SqliteTransaction extends QueryHelpers implements SqlTransaction {
  open = true;

  constructor(private readonly store: SqliteSql) {
    super();
  }

  private check(): void {
    if (!this.open) throw new Error('SQL transaction used after it ended');
  }

  async query<T = Record<string, unknown>>(sql: string, params: SqlParams = []): Promise<SqlResult<T>> {
    this.check();
    return this.store.execute<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.check();
    this.store.handle.exec(sql);
  }

  async lock(): Promise<void> {
    // BEGIN IMMEDIATE holds the database's only write lock already.
    this.check();
  }
}
