import { type AddressInfo, createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { isDatabaseUnavailable, logFailure } from '../../src/store/sql/outage.js';
import { PostgresSql } from '../../src/store/sql/postgres.js';
import { postgresBinDir, startTestPostgres, type TestPostgres } from '../helpers/postgres-server.js';

/**
 * The bounds on every wait for PostgreSQL (src/store/sql/postgres.ts), on a real server of its own:
 * a statement stuck on a lock is cancelled by the server and its connection reused; a server that
 * hangs (SIGSTOP) fails every query, transaction and connection wait after the bounds, and once it
 * goes on the pool works again with no broken connection left in it.
 */

const BOUNDS = { connectTimeoutMs: 1000, statementTimeoutMs: 1000, queryTimeoutMs: 1500, idleInTransactionMs: 3000 };
const POOL_SIZE = 3;

describe('telling a database outage from other failures', () => {
  it('GIVEN a refused connection that did not come from the store (a feed host, a paper source) THEN it is no database outage', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect((refused as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(false);
  });
});

describe.skipIf(!postgresBinDir())('PostgreSQL with bounded waits', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 120_000);
  afterAll(async () => {
    server?.thaw();
    await server?.stop();
  });

  /** A store with the bounds and its log lines. */
  async function boundedStore() {
    const lines: string[] = [];
    const log = createLogger('debug', [], (line) => lines.push(line));
    const sql = new PostgresSql(server.url, { poolSize: POOL_SIZE, bounds: BOUNDS, log });
    await sql.exec('CREATE TABLE IF NOT EXISTS bounded (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await sql.run('INSERT INTO bounded (id, n) VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0');
    return { sql, log, lines };
  }

  it('GIVEN another session holding a row lock WHEN a transaction waits for it THEN a short wait succeeds, one past the statement timeout is cancelled by the server, rolled back, and its connection stays in the pool', async () => {
    const { sql } = await boundedStore();
    const holder = new pg.Client({ connectionString: server.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT n FROM bounded WHERE id = 1 FOR UPDATE');
      // Let go after half the statement timeout: the waiting transaction goes on.
      const releasing = new Promise((r) => setTimeout(r, BOUNDS.statementTimeoutMs / 2)).then(() => holder.query('COMMIT'));
      await sql.transaction(async (tx) => {
        await tx.one('SELECT n FROM bounded WHERE id = 1 FOR UPDATE');
        await tx.run('UPDATE bounded SET n = n + 1 WHERE id = 1');
      });
      await releasing;

      await holder.query('BEGIN');
      await holder.query('SELECT n FROM bounded WHERE id = 1 FOR UPDATE');
      const cancelled = await sql
        .transaction(async (tx) => {
          await tx.run('UPDATE bounded SET n = n + 100 WHERE id = 1');
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect((cancelled as { code?: string }).code).toBe('57014');
      // A slow statement on a live server is no outage.
      expect(isDatabaseUnavailable(cancelled)).toBe(false);
      await holder.query('COMMIT');
      expect((await sql.one<{ n: number }>('SELECT n FROM bounded WHERE id = 1'))?.n).toBe(1);
      expect(sql.connections.total).toBeGreaterThan(0);
      expect(sql.connections.total).toBeLessThanOrEqual(POOL_SIZE);
    } finally {
      await holder.end();
      await sql.close();
    }
  }, 60_000);

  it('GIVEN a server that hangs (SIGSTOP) WHEN queries, transactions and more work than the pool holds are asked of it THEN each fails while the server is still stopped, as an outage, logged once with its stack; once it goes on, the next query and transaction work, the pool holds no broken connection, and the log says the database answered again', async () => {
    const { sql, log, lines } = await boundedStore();
    try {
      // Connections open and idle in the pool before the hang.
      await Promise.all(Array.from({ length: POOL_SIZE }, () => sql.transaction((tx) => tx.one('SELECT pg_sleep(0.05)'))));
      expect(sql.connections.idle).toBe(POOL_SIZE);

      server.freeze();
      try {
        const asked = [
          ...Array.from({ length: POOL_SIZE }, (_, i) => sql.one('SELECT n + ? AS n FROM bounded WHERE id = 1', [i])),
          sql.transaction(async (tx) => {
            await tx.run('UPDATE bounded SET n = n + 1000 WHERE id = 1');
          }),
          sql.transaction((tx) => tx.lock('bounded')),
          sql.run('UPDATE bounded SET n = n + 1000 WHERE id = 1'),
        ];
        const outcomes = await Promise.allSettled(asked);
        // Still stopped: every one of them was answered by the bounds, not by the server.
        const errors = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error) : null));
        // Each says what the driver said (a client-side timeout, or no connection in time).
        expect(errors.map((e) => e?.message)).toEqual(errors.map(() => expect.stringMatching(/^(Query read timeout|timeout exceeded when trying to connect)$/)));
        expect(errors.map((e) => e?.message ?? 'answered')).not.toContain('answered');
        expect(errors.map((e) => isDatabaseUnavailable(e))).toEqual(errors.map(() => true));
        for (const [i, error] of errors.entries()) logFailure(log, sql, `work ${i} failed`, error);
        expect(sql.connections.waiting).toBe(0);
      } finally {
        server.thaw();
      }

      // The server goes on: the next work is answered, on connections that work.
      expect((await sql.one<{ n: number }>('SELECT n FROM bounded WHERE id = 1'))?.n).toBe(0);
      await sql.transaction(async (tx) => {
        await tx.run('UPDATE bounded SET n = n + 1 WHERE id = 1');
      });
      await Promise.all(Array.from({ length: POOL_SIZE * 2 }, () => sql.one('SELECT pg_sleep(0.02)')));
      expect(sql.connections.total).toBeLessThanOrEqual(POOL_SIZE);
      expect(sql.connections.waiting).toBe(0);
      // None of the timed-out updates was applied: their connections ended without a commit.
      expect((await sql.one<{ n: number }>('SELECT n FROM bounded WHERE id = 1'))?.n).toBe(1);

      const warnings = lines.filter((l) => / WARN /.test(l));
      expect(warnings[0]).toMatch(/WARN database not answering \(.+\); until it does, further failures are one line each: work 0 failed/);
      // The first failure carries its stack, the others are one line each.
      expect(warnings[0].split('\n').length).toBeGreaterThan(1);
      const later = warnings.filter((l) => l.includes('database still not answering'));
      expect(later).toHaveLength(POOL_SIZE + 2);
      for (const line of later) expect(line.split('\n')).toHaveLength(1);
      expect(warnings.at(-1)).toMatch(new RegExp(`database answered again after \\d+\\.\\d s, ${POOL_SIZE + 3} failures meanwhile`));
    } finally {
      await sql.close();
    }
  }, 60_000);
});
