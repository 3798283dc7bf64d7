import pg from 'pg';
import { maskUrlCredentials, type Logger } from '../../log.js';
import { numberedPlaceholders, postgresDialect } from './dialect.js';
import { DatabaseOutage, isDatabaseUnavailable, storeError } from './outage.js';
import {
  type DatabaseBounds,
  QueryHelpers,
  type SqlDatabase,
  type SqlParams,
  type SqlResult,
  type SqlTransaction,
  type SqlValue,
  type TransactionOptions,
} from './types.js';

/** How often a transaction that lost a deadlock or a serialisation check is run again. */
const MAX_ATTEMPTS = 5;
/** PostgreSQL's codes for "rolled back, nothing applied, try again". */
const RETRYABLE = new Set(['40001', '40P01']);

export type PostgresOptions = {
  poolSize?: number;
  log?: Logger;
  /** The bot's waits on the server; none for the operator's tools (migrations, backup, restore, copy), whose statements may run long. */
  bounds?: DatabaseBounds;
};

/**
 * The store interface over a node-postgres pool. Each replica holds its own pool; statements outside
 * a transaction take any free connection, a transaction keeps one until it ends. When the server
 * goes away the pool reports the lost idle connections (logged) and opens new ones on demand, so the
 * bot recovers by itself once the server is back; what ran meanwhile failed with an error.
 *
 * With `bounds`, a server that hangs (stopped, partitioned) fails a statement after the query
 * timeout instead of holding it forever. node-postgres leaves such a connection mid-query (its next
 * statement would queue behind the unanswered one), so a connection that timed out or broke is
 * never used again: `pool.query` hands it back with the error, which makes the pool end it, and a
 * transaction does the same instead of sending a ROLLBACK that would wait as long again; the server
 * rolls the transaction back when the connection closes.
 */
export class PostgresSql extends QueryHelpers implements SqlDatabase {
  readonly dialect = postgresDialect;
  readonly where: string;
  closed = false;
  readonly outage?: DatabaseOutage;
  private readonly pool: pg.Pool;
  private readonly texts = new Map<string, string>();

  constructor(url: string, options: PostgresOptions = {}) {
    super();
    this.where = maskUrlCredentials(url);
    const bounds = options.bounds;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: 'paperbot',
      ...(bounds && {
        connectionTimeoutMillis: bounds.connectTimeoutMs,
        query_timeout: bounds.queryTimeoutMs,
        statement_timeout: bounds.statementTimeoutMs,
        idle_in_transaction_session_timeout: bounds.idleInTransactionMs,
      }),
    });
    if (options.log) this.outage = new DatabaseOutage(options.log);
    // Without a listener, an idle connection dropped by the server (restart, failover) ends the process.
    this.pool.on('error', (error) => options.log?.warn(`database: lost an idle PostgreSQL connection (${error.message})`));
  }

  /** The statement with `$n` placeholders, translated once. */
  text(sql: string): string {
    let text = this.texts.get(sql);
    if (text === undefined) {
      text = numberedPlaceholders(sql);
      this.texts.set(sql, text);
    }
    return text;
  }

  async query<T = Record<string, unknown>>(sql: string, params: SqlParams = []): Promise<SqlResult<T>> {
    const result = await driver(this.pool.query(this.text(sql), parameters(params)));
    this.outage?.answered();
    return toResult<T>(result);
  }

  async exec(sql: string): Promise<void> {
    await driver(this.pool.query(sql));
    this.outage?.answered();
  }

  /** Connections open and idle in this replica's pool (for tests and diagnostics). */
  get connections(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const isolation = (options.isolation ?? 'read committed').toUpperCase();
    for (let attempt = 1; ; attempt++) {
      const client = await driver(this.pool.connect());
      let broken: Error | undefined;
      const tx = new PostgresTransaction(client, this);
      try {
        await driver(client.query(`BEGIN ISOLATION LEVEL ${isolation}`));
        const result = await fn(tx);
        await driver(client.query('COMMIT'));
        this.outage?.answered();
        return result;
      } catch (error) {
        // A connection that broke or went silent is dropped unasked (see the class's comment).
        if (isDatabaseUnavailable(error)) broken = error as Error;
        else {
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        }
        if (!broken && attempt < MAX_ATTEMPTS && RETRYABLE.has(String((error as { code?: unknown }).code))) continue;
        throw error;
      } finally {
        tx.open = false;
        // A connection whose rollback failed, or that broke, is in an unknown state: the pool drops it.
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

class PostgresTransaction extends QueryHelpers implements SqlTransaction {
  open = true;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly store: PostgresSql,
  ) {
    super();
  }

  private check(): void {
    if (!this.open) throw new Error('SQL transaction used after it ended');
  }

  async query<T = Record<string, unknown>>(sql: string, params: SqlParams = []): Promise<SqlResult<T>> {
    this.check();
    return toResult<T>(await driver(this.client.query(this.store.text(sql), parameters(params))));
  }

  async exec(sql: string): Promise<void> {
    this.check();
    await driver(this.client.query(sql));
  }

  async lock(key: string): Promise<void> {
    this.check();
    await driver(this.client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]));
  }
}

/** The driver's answer, or its failure as the store reports it (a DatabaseUnavailable when the server did not answer). */
async function driver<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw storeError(error);
  }
}

/**
 * PostgreSQL's text cannot hold U+0000, which SQLite stores as is; it only ever arrives in
 * untrusted text (a topic, a feed title), so it becomes U+FFFD rather than failing the statement.
 */
function parameters(params: SqlParams): SqlValue[] {
  return params.map((p) => (typeof p === 'string' && p.includes('\u0000') ? p.replaceAll('\u0000', '\uFFFD') : p));
}

function toResult<T>(result: pg.QueryResult): SqlResult<T> {
  return { rows: result.rows as T[], changes: result.rowCount ?? 0 };
}
