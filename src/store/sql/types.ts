import type { Dialect } from './dialect.js';
import type { DatabaseOutage } from './outage.js';

/**
 * The asynchronous store interface every capability moves to (issue 15): one API over SQLite
 * (better-sqlite3, embedded, the default) and PostgreSQL (node-postgres, pooled, for several
 * replicas). SQL is written once, in the subset both engines share, with `?` placeholders (translated
 * once per statement for PostgreSQL). What both return the same way: TEXT as strings, INTEGER as
 * numbers, NULL as null; PostgreSQL returns BIGINT (COUNT(*), SUM) as a string, so counts are written
 * `CAST(COUNT(*) AS INTEGER)`, and keys are INTEGER, never BIGINT.
 */
/** Bytes (a Buffer) only for a column of `dialect.bytesColumn`: BLOB on SQLite, BYTEA on PostgreSQL. */
export type SqlValue = string | number | null | Buffer;
export type SqlParams = readonly SqlValue[];

export type SqlResult<T> = { rows: T[]; changes: number };

export interface SqlQueries {
  /** Rows and the number of rows changed (for INSERT … RETURNING, the rows returned). */
  query<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<SqlResult<T>>;
  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]>;
  /** The first row, or null. */
  one<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T | null>;
  /** How many rows the statement changed. */
  run(sql: string, params?: SqlParams): Promise<number>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlTransaction extends SqlQueries {
  /**
   * Holds a lock named `key` until the transaction ends, for what has no row to lock yet (the
   * first poll of a channel, a migration). PostgreSQL: a transaction-level advisory lock on a hash
   * of the key. SQLite: nothing to do, the transaction already holds the database's write lock.
   */
  lock(key: string): Promise<void>;
}

export type TransactionOptions = {
  /**
   * PostgreSQL's isolation level (SQLite's write transactions are always serialisable). The
   * default, read committed with explicit row locks, is what the claims here are written for;
   * `serializable` transactions are retried on a serialisation failure.
   */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
};

export interface SqlDatabase extends SqlQueries {
  readonly dialect: Dialect;
  /** A label for logs: the SQLite file, or the PostgreSQL URL without its password. */
  readonly where: string;
  readonly closed: boolean;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. On SQLite
   * it takes the write lock first (BEGIN IMMEDIATE) and waits for it without blocking the event loop;
   * on PostgreSQL it holds one pooled connection. A deadlock or serialisation failure rolls back
   * and runs `fn` again, so `fn` must do nothing but database work.
   */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
  /** A server that can stop answering (PostgreSQL) keeps its current outage here, for the log (`logFailure`). */
  readonly outage?: DatabaseOutage;
}

/**
 * How long the bot waits for PostgreSQL, so a server that hangs or is gone costs a command a
 * short apology rather than silence. Why these and not lock_timeout: docs in README (PostgreSQL
 * bounds) and `loadConfig`.
 */
export type DatabaseBounds = {
  /** Waiting for a pooled connection, or for a new one to open (node-postgres `connectionTimeoutMillis`). */
  connectTimeoutMs: number;
  /** The server cancels a statement running longer, lock waits included (`statement_timeout`). */
  statementTimeoutMs: number;
  /** The client gives up on an answer after this, and drops the connection (node-postgres `query_timeout`). */
  queryTimeoutMs: number;
  /** The server ends a session idle this long inside a transaction, freeing its locks (`idle_in_transaction_session_timeout`). */
  idleInTransactionMs: number;
};

/** all/one/run/exec from `query`, for both engines and their transactions. */
export abstract class QueryHelpers implements SqlQueries {
  abstract query<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<SqlResult<T>>;
  abstract exec(sql: string): Promise<void>;

  async all<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await this.query<T>(sql, params)).rows;
  }

  async one<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T | null> {
    return (await this.query<T>(sql, params)).rows[0] ?? null;
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    return (await this.query(sql, params)).changes;
  }
}
