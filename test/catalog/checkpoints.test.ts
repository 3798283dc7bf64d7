import { closeSync, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { paperFromWork } from '../../src/catalog/merge.js';
import { CatalogStore } from '../../src/catalog/store.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import { migrations } from '../../src/capabilities/index.js';
import { ManualClock } from '../../src/clock.js';
import { openDb } from '../../src/store/db.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import type { SqliteSql } from '../../src/store/sql/sqlite.js';
import { tempDbPath } from '../helpers/temp-db.js';

const vocabulary = bundledVocabulary();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The catalog writes on the store interface's own SQLite connection: the one whose log they grow. */
async function open(path: string) {
  const legacy = openDb(path, migrations);
  const sql = (await openSqlStore({ dbPath: path }, legacy, migrations)) as SqliteSql;
  cleanups.push(async () => {
    await sql.close();
    legacy.close();
  });
  return { db: sql.handle, sql };
}

/** The WAL header's salt changes each time a writer restarts the log from the beginning. */
function walSalt(dbPath: string): number {
  const header = Buffer.alloc(32);
  const fd = openSync(`${dbPath}-wal`, 'r');
  try {
    readSync(fd, header, 0, 32, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(16);
}

describe('WAL checkpoints off the write path', () => {
  it('a worker copies the log back, so a later add restarts it without the connection checkpointing', async () => {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const { db, sql } = await open(tmp.dbPath);
    const store = new CatalogStore(sql, vocabulary, new ManualClock('2026-12-01T12:00:00Z'));
    // No thread until the first checkpoint is due: SQLite's own checkpoint stands until then.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const add = (i: number) =>
      store.add(
        paperFromWork({ title: `Checkpointed paper ${i}`, authors: ['Doe, Jane'], year: 2026, venue: '', abstract: '', url: '', subjects: [], sameAs: [], source: 'arxiv' }, 'added', vocabulary),
        'added',
        null,
      );
    for (let i = 0; i < 40; i++) await add(i);
    // Then the connection's own checkpoint is only a safety net far above what these adds write.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    const before = walSalt(tmp.dbPath);
    let restarted = false;
    // Waits for the worker (on another thread); each round's add restarts the log once it is copied.
    for (let round = 0; round < 200 && !restarted; round++) {
      await sleep(25);
      await add(1000 + round);
      restarted = walSalt(tmp.dbPath) !== before;
    }
    expect(restarted).toBe(true);
    expect(db.prepare('SELECT count(*) FROM catalog_papers').pluck().get()).toBeGreaterThan(40);
  });

  it('leaves an in-memory database as it is', async () => {
    const { db, sql } = await open(':memory:');
    new CatalogStore(sql, vocabulary, new ManualClock('2026-12-01T12:00:00Z'));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
