import Database from 'better-sqlite3';
import { existsSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase, restoreDatabase } from '../../src/store/backup.js';
import { openDb } from '../../src/store/db.js';
import { holdRunningLease, runningBots, STALE_AFTER_MS } from '../../src/store/lease.js';
import { migrations } from '../../src/capabilities/index.js';
import { isSqliteOnly } from '../../src/store/migrations.js';
import { SqliteSql } from '../../src/store/sql/sqlite.js';

const dir = () => mkdtempSync(join(tmpdir(), 'paperbot-backup-'));
const versions = migrations.map((m) => m.version);
const opened: Database.Database[] = [];
const open = (path: string) => {
  const db = openDb(path, migrations);
  opened.push(db);
  return db;
};
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

describe('backup and restore', () => {
  it('GIVEN a bot writing to the database THEN the backup is one consistent state that restores', async () => {
    const d = dir();
    const dbPath = join(d, 'state.db');
    const db = open(dbPath);
    const insert = db.prepare("INSERT INTO meta (key, value) VALUES (?, 'x')");
    for (let i = 0; i < 500; i++) insert.run(`before-${i}`);
    // Writes keep landing while the backup runs (in WAL, some still only in the -wal file).
    let writes = 0;
    const writer = setInterval(() => db.transaction(() => { for (let i = 0; i < 50; i++) insert.run(`during-${writes++}`); })(), 1);
    const result = await backupDatabase(dbPath, join(d, 'backups', 'copy.db'));
    clearInterval(writer);
    expect(result.bytes).toBeGreaterThan(0);
    const copy = new Database(result.file, { readonly: true });
    const count = copy.prepare("SELECT count(*) FROM meta WHERE key LIKE 'before-%'").pluck().get();
    const during = copy.prepare("SELECT count(*) FROM meta WHERE key LIKE 'during-%'").pluck().get() as number;
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    copy.close();
    expect(count).toBe(500);
    expect(during % 50).toBe(0); // whole transactions only
    db.close();

    // Restore over a database that has moved on: the old state comes back, the replaced one is kept.
    const later = open(dbPath);
    later.prepare("DELETE FROM meta WHERE key LIKE 'before-%'").run();
    later.close();
    const restored = await restoreDatabase(dbPath, result.file, versions);
    expect(restored.previous && existsSync(restored.previous)).toBe(true);
    const back = open(dbPath);
    expect(back.prepare("SELECT count(*) FROM meta WHERE key LIKE 'before-%'").pluck().get()).toBe(500);
  });

  it('GIVEN a bot running on the database THEN restore refuses, and accepts once it stopped', async () => {
    const d = dir();
    const dbPath = join(d, 'state.db');
    const db = open(dbPath);
    const { file } = await backupDatabase(dbPath, join(d, 'copy.db'));
    const sql = new SqliteSql(db, dbPath, false);
    const lease = await holdRunningLease(sql);
    await expect(restoreDatabase(dbPath, file, versions)).rejects.toThrow(/a bot is running on .*pid \d+.*Stop it first/);
    await lease.release();
    expect(await runningBots(sql)).toEqual([]);
    db.close();
    await expect(restoreDatabase(dbPath, file, versions)).resolves.toMatchObject({ file: dbPath });
  });

  it('GIVEN a crashed bot whose heartbeat stopped THEN its record no longer counts as running', async () => {
    const path = join(dir(), 'state.db');
    const sql = new SqliteSql(open(path), path, false);
    const start = Date.now();
    const lease = await holdRunningLease(sql, () => start);
    expect(await runningBots(sql, start + 1000)).toHaveLength(1);
    expect(await runningBots(sql, start + STALE_AFTER_MS + 1)).toHaveLength(0);
    await lease.release();
  });

  it('GIVEN a file that is not a paperbot backup THEN restore refuses and leaves the database alone', async () => {
    const d = dir();
    const dbPath = join(d, 'state.db');
    open(dbPath).close();
    writeFileSync(join(d, 'notes.txt'), 'not a database at all, just some text that is long enough to look like a file');
    await expect(restoreDatabase(dbPath, join(d, 'notes.txt'), versions)).rejects.toThrow(/not a SQLite database|cannot be opened/);
    const other = new Database(join(d, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    await expect(restoreDatabase(dbPath, join(d, 'other.db'), versions)).rejects.toThrow(/not a paperbot database/);
    await expect(restoreDatabase(dbPath, join(d, 'copy.db'), versions)).rejects.toThrow(/does not exist/);
    const newer = open(join(d, 'newer.db'));
    newer.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')").run();
    newer.close();
    await expect(restoreDatabase(dbPath, join(d, 'newer.db'), versions)).rejects.toThrow(/newer paperbot/);
    expect(existsSync(dbPath)).toBe(true);
  });
});

describe('migrations on a database that holds state', () => {
  it('GIVEN pending migrations THEN a copy of the database as it was is kept beside it first; a new database gets none', async () => {
    const d = dir();
    const dbPath = join(d, 'state.db');
    const early = openDb(dbPath, migrations.slice(0, 1));
    early.prepare("INSERT INTO meta (key, value) VALUES ('lab', 'before the upgrade')").run();
    early.close();
    const logged: string[] = [];
    const { createLogger } = await import('../../src/log.js');
    const { openState } = await import('../../src/app.js');
    const { loadConfig } = await import('../../src/config.js');
    // Every migration after the first is the store interface's now (the catalog's moved too): the
    // copy is made before them, on its connection, the same way.
    const upgraded = await openState(loadConfig({ PAPERBOT_DB: dbPath }), createLogger('info', [], (line) => logged.push(line)));
    upgraded.db.close();
    await upgraded.sql.close();
    const pending = migrations.filter((m) => m.version !== 1);
    const latest = Math.max(...pending.map((m) => m.version));
    const copy = `${dbPath}.before-v${latest}.bak`;
    expect(logged.join('\n')).toContain(`database: copied to ${copy} before applying ${pending.length} migration(s)`);
    const before = new Database(copy, { readonly: true });
    expect(before.prepare("SELECT value FROM meta WHERE key = 'lab'").pluck().get()).toBe('before the upgrade');
    expect(before.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(1);
    before.close();
    const fresh = join(d, 'fresh.db');
    openDb(fresh, migrations).close();
    expect(existsSync(`${fresh}.before-v${latest}.bak`)).toBe(false);
    // Nor when the store interface's portable migrations follow on the same new file (a first start).
    const state = await openState(loadConfig({ PAPERBOT_DB: join(d, 'first-start.db') }));
    state.db.close();
    await state.sql.close();
    expect(readdirSync(d).filter((f) => f.startsWith('first-start.db.before'))).toEqual([]);
  });
});
