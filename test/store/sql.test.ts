import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { openDb } from '../../src/store/db.js';
import type { Migration } from '../../src/store/migrations.js';
import { numberedPlaceholders } from '../../src/store/sql/dialect.js';
import { migrateSql } from '../../src/store/sql/migrate.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';
import type Database from 'better-sqlite3';
import { engineMissing, engines, freshDatabase, type FreshDatabase } from '../helpers/engines.js';

const counters: Migration = {
  version: 9001,
  name: 'test-counters',
  portable: (d) => `
CREATE TABLE test_counters (id ${d.autoIdColumn}, name TEXT NOT NULL UNIQUE, n INTEGER NOT NULL DEFAULT 0);
CREATE TABLE test_claims (item TEXT PRIMARY KEY, claimed_by TEXT NOT NULL);`,
};
const later: Migration = { version: 9002, name: 'test-later', portable: () => `ALTER TABLE test_counters ADD COLUMN note TEXT NOT NULL DEFAULT 'x';` };

describe('placeholders', () => {
  it('GIVEN ? inside quotes, quoted names and comments THEN only real placeholders are numbered', () => {
    expect(numberedPlaceholders(`SELECT '?', "a?b", x -- why?\nFROM t WHERE a = ? AND b = 'it''s ?' AND c = ?`)).toBe(
      `SELECT '?', "a?b", x -- why?\nFROM t WHERE a = $1 AND b = 'it''s ?' AND c = $2`,
    );
  });
});

describe.each(engines)('the store interface on %s', (engine) => {
  let fresh: FreshDatabase;
  const open: { close(): unknown }[] = [];

  async function store(migrations: Migration[] = [counters]): Promise<SqlDatabase> {
    const legacy: Database.Database = openDb(fresh.dbPath, []);
    const sql = await openSqlStore(fresh, legacy, migrations);
    open.push(sql, legacy);
    return sql;
  }

  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    await fresh?.cleanup();
  });

  it.skipIf(engineMissing(engine))('GIVEN rows written THEN one, all, run and RETURNING answer the same on both engines, counts as numbers', async () => {
    fresh = await freshDatabase(engine);
    const sql = await store();
    expect(sql.dialect.name).toBe(engine);
    const first = await sql.one<{ id: number }>('INSERT INTO test_counters (name) VALUES (?) RETURNING id', ['a']);
    const second = await sql.one<{ id: number }>('INSERT INTO test_counters (name, n) VALUES (?, ?) RETURNING id', ['b', 5]);
    expect(typeof first?.id).toBe('number');
    expect(second!.id).toBeGreaterThan(first!.id);
    expect(await sql.run('UPDATE test_counters SET n = n + 1 WHERE name IN (?, ?)', ['a', 'b'])).toBe(2);
    expect(await sql.run('INSERT INTO test_counters (name) VALUES (?) ON CONFLICT DO NOTHING', ['a'])).toBe(0);
    expect(await sql.all('SELECT name, n FROM test_counters ORDER BY name')).toEqual([
      { name: 'a', n: 1 },
      { name: 'b', n: 6 },
    ]);
    expect(await sql.one('SELECT CAST(COUNT(*) AS INTEGER) AS c FROM test_counters')).toEqual({ c: 2 });
    expect(await sql.one('SELECT name FROM test_counters WHERE name = ?', ['none'])).toBeNull();
  });

  it.skipIf(engineMissing(engine))('GIVEN a transaction that throws THEN nothing of it stays; one that resolves is committed', async () => {
    fresh = await freshDatabase(engine);
    const sql = await store();
    await expect(
      sql.transaction(async (tx) => {
        await tx.run('INSERT INTO test_counters (name) VALUES (?)', ['gone']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const id = await sql.transaction(async (tx) => (await tx.one<{ id: number }>('INSERT INTO test_counters (name) VALUES (?) RETURNING id', ['kept']))!.id);
    expect(await sql.all('SELECT id, name FROM test_counters')).toEqual([{ id, name: 'kept' }]);
  });

  it.skipIf(engineMissing(engine))('GIVEN two replicas incrementing one row at once THEN no increment is lost and each claim is taken once', async () => {
    fresh = await freshDatabase(engine);
    const [a, b] = [await store(), await store()];
    await a.run('INSERT INTO test_counters (name) VALUES (?)', ['shared']);
    const bump = (sql: SqlDatabase) =>
      sql.transaction(async (tx) => {
        const row = await tx.one<{ n: number }>(`SELECT n FROM test_counters WHERE name = ?${sql.dialect.forUpdate}`, ['shared']);
        await tx.run('UPDATE test_counters SET n = ? WHERE name = ?', [row!.n + 1, 'shared']);
      });
    const claim = (sql: SqlDatabase, who: string, item: string) =>
      sql.run('INSERT INTO test_claims (item, claimed_by) VALUES (?, ?) ON CONFLICT DO NOTHING', [item, who]);
    const items = Array.from({ length: 20 }, (_, i) => `item-${i}`);
    const [, claims] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? a : b))),
      Promise.all(items.flatMap((item) => [claim(a, 'a', item), claim(b, 'b', item)])),
    ]);
    expect(await a.one('SELECT n FROM test_counters WHERE name = ?', ['shared'])).toEqual({ n: 40 });
    expect(claims.reduce((sum, n) => sum + n, 0)).toBe(items.length);
    expect(await b.one('SELECT CAST(COUNT(*) AS INTEGER) AS c FROM test_claims')).toEqual({ c: items.length });
  });

  it.skipIf(engineMissing(engine))('GIVEN the same migration list THEN it is applied once, recorded, and a later one is added on the next start', async () => {
    fresh = await freshDatabase(engine);
    // Two replicas starting together.
    const [a, b] = await Promise.all([store(), store()]);
    expect(await migrateSql(b, [counters])).toEqual([]);
    expect(await a.all('SELECT version, name FROM schema_migrations WHERE version > 9000')).toEqual([{ version: 9001, name: 'test-counters' }]);
    expect(await migrateSql(a, [counters, later])).toEqual([9002]);
    await a.run('INSERT INTO test_counters (name) VALUES (?)', ['with-note']);
    expect(await b.one('SELECT note FROM test_counters')).toEqual({ note: 'x' });
  });
});

describe('choosing the engine', () => {
  it('GIVEN DATABASE_URL that is not a PostgreSQL URL THEN the settings fail with the fix, the password masked', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://bot:hunter2@db/paperbot' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://bot:hunter2@db/paperbot' })).toThrow(/postgres:\/\/.*Unset it to keep state in SQLite/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://bot:hunter2@db/paperbot' })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ DATABASE_URL: 'paperbot.db' })).toThrow(/DATABASE_URL must be a PostgreSQL URL/);
    expect(loadConfig({ DATABASE_URL: 'postgresql://bot:pw@db.example.org/paperbot' }).databaseUrl).toBe('postgresql://bot:pw@db.example.org/paperbot');
    expect(loadConfig({}).databaseUrl).toBeUndefined();
  });

  it('GIVEN DATABASE_URL naming a server that does not answer THEN opening fails with a ConfigError that says what to do', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const legacy = openDb(':memory:', []);
    try {
      const opening = openSqlStore({ dbPath: ':memory:', databaseUrl: `postgres://bot:secret@127.0.0.1:${port}/paperbot` }, legacy, []);
      await expect(opening).rejects.toThrow(ConfigError);
      await expect(opening).rejects.toThrow(/cannot be reached \(ECONNREFUSED\)\. Start PostgreSQL/);
      await expect(opening).rejects.not.toThrow(/secret/);
    } finally {
      legacy.close();
    }
  });

  it('GIVEN no DATABASE_URL THEN the store interface is SQLite on the PAPERBOT_DB file', async () => {
    const fresh = await freshDatabase('sqlite');
    const legacy = openDb(fresh.dbPath, []);
    const sql = await openSqlStore(loadConfig({ PAPERBOT_DB: fresh.dbPath }), legacy, [counters]);
    await sql.run('INSERT INTO test_counters (name) VALUES (?)', ['seen-by-both']);
    expect(legacy.prepare('SELECT name FROM test_counters').pluck().all()).toEqual(['seen-by-both']);
    await sql.close();
    legacy.close();
    await fresh.cleanup();
  });
});
