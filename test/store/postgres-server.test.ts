import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres-server.js';

const serverUrl = inject('postgresUrl');

describe.skipIf(!serverUrl)('the test PostgreSQL server', () => {
  it('GIVEN the server the run started THEN each test database is its own, and is gone after drop', async () => {
    const first = await createTestDatabase(serverUrl!);
    const second = await createTestDatabase(serverUrl!);
    const a = new pg.Client({ connectionString: first.url });
    const b = new pg.Client({ connectionString: second.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('CREATE TABLE t (x INTEGER)');
      await a.query('INSERT INTO t VALUES (1), (2)');
      expect((await a.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(2);
      await expect(b.query('SELECT * FROM t')).rejects.toThrow(/does not exist/);
      expect(new URL(first.url).hostname).toBe('127.0.0.1');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    await first.drop();
    await second.drop();
    const admin = new pg.Client({ connectionString: serverUrl! });
    await admin.connect();
    const left = await admin.query('SELECT datname FROM pg_database WHERE datname = $1 OR datname = $2', [
      new URL(first.url).pathname.slice(1),
      new URL(second.url).pathname.slice(1),
    ]);
    await admin.end();
    expect(left.rows).toEqual([]);
  });
});
