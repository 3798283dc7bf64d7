import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDb } from '../../src/store/db.js';
import { migrations } from '../../src/capabilities/index.js';
import { isSqliteOnly } from '../../src/store/migrations.js';
import { openSqlStore } from '../../src/store/sql/open.js';

const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'paperbot-db-')), 'nested', 'state.db');

describe('the state database', () => {
  it('GIVEN a new path THEN it is created with every migration applied once', async () => {
    const path = tmpDb();
    const db = openDb(path, migrations);
    const versions = () => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    // openDb applies the SQLite-only migrations, the store interface the portable ones.
    expect(versions()).toEqual(migrations.filter(isSqliteOnly).map((m) => m.version).sort((a, b) => a - b));
    await (await openSqlStore({ dbPath: path }, db, migrations)).close();
    expect(versions()).toEqual(migrations.map((m) => m.version).sort((a, b) => a - b));
    db.close();
    // Opening again changes nothing and keeps the data.
    const again = openDb(path, migrations);
    again.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run();
    again.close();
    const third = openDb(path, migrations);
    expect(third.prepare("SELECT value FROM meta WHERE key = 'k'").pluck().get()).toBe('v');
    expect(third.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(migrations.length);
    expect(migrations.filter(isSqliteOnly).length).toBeLessThan(migrations.length);
    third.close();
  });

  it('GIVEN a migration added below one that already ran THEN it is still applied, never skipped', () => {
    const db = openDb(':memory:', [{ version: 3, name: 'later', sql: 'CREATE TABLE later (x INTEGER);' }]);
    migrate(db, [
      { version: 2, name: 'earlier', sql: 'CREATE TABLE earlier (x INTEGER);' },
      { version: 3, name: 'later', sql: 'CREATE TABLE later (x INTEGER);' },
    ]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['earlier', 'later']));
    db.close();
  });

  it('GIVEN a migration that fails THEN nothing of it is kept and it is not marked applied', () => {
    const db = openDb(':memory:', []);
    expect(() => migrate(db, [{ version: 1, name: 'broken', sql: 'CREATE TABLE half (x); NOT SQL;' }])).toThrow();
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(0);
    db.close();
  });
});
