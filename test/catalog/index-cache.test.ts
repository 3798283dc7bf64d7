import v8 from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { storedIndexCache } from '../../src/catalog/index-cache.js';
import { LiveCatalog } from '../../src/catalog/live.js';
import type { Paper } from '../../src/catalog/paper.js';
import { CatalogStore } from '../../src/catalog/store.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import { ManualClock } from '../../src/clock.js';
import { createSearch, type PaperIndex } from '../../src/search/index.js';
import type { IndexState } from '../../src/search/paper-index.js';
import { openDb } from '../../src/store/db.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import { migrations } from '../../src/capabilities/index.js';
import { syntheticPapers } from '../../scripts/synthetic-catalog.js';
import { freshDatabase, testedEngines, type Engine, type FreshDatabase } from '../helpers/engines.js';

const vocabulary = bundledVocabulary();
const clock = new ManualClock('2026-12-01T12:00:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const LIST = syntheticPapers(400).map((p): Paper => ({ ...p, origin: 'bundled' }));
const QUERIES = ['lung nodule', 'segmentation -brain', 'mri OR ct liver', 'cnn teeth', '"image segmentation"', 'year:2017 gan', 'retina', '肺结节', 'segmentaton heart', 'is there work on fetal ultrasound'];

let processes = 0;

/**
 * A process on the database: its own connections, store and live catalog (with the snapshot cache).
 * On PostgreSQL each is another machine (its own SQLite file beside), sharing the catalog and its snapshot.
 */
async function startProcess(database: FreshDatabase, list: Paper[] = LIST) {
  const dbPath = database.databaseUrl ? `${database.dbPath}.${++processes}` : database.dbPath;
  const db = openDb(dbPath, migrations);
  const sql = await openSqlStore({ dbPath, databaseUrl: database.databaseUrl }, db, migrations);
  cleanups.push(async () => {
    await sql.close();
    db.close();
  });
  const store = new CatalogStore(sql, vocabulary, clock);
  await store.seed(list);
  let builds = 0;
  const live = await LiveCatalog.open(
    store,
    (papers) => {
      builds++;
      return createSearch({ papers, vocabulary });
    },
    storedIndexCache(sql, vocabulary, 0),
  );
  return { sql, store, live, builds };
}

/** What a search answers, comparable across processes. */
function answers(search: { search: LiveCatalog['search'] }): unknown[] {
  return QUERIES.map((q) => {
    const r = search.search(q, { limit: 20 });
    return [q, r.total, r.related, r.hits.map((h) => [h.paper.id, h.score, h.missing])];
  });
}

/** Answers of an index built from scratch over what the store shows now: what a restored index must equal. */
const rebuilt = async (store: CatalogStore) => answers(createSearch({ papers: await store.all(), vocabulary }));

type SnapshotRow = { format: string; seq: number; data: Buffer };

async function rewriteSnapshot(database: FreshDatabase, change: (row: SnapshotRow) => Partial<SnapshotRow>) {
  const { sql } = await startProcess(database);
  const row = (await sql.one<SnapshotRow>('SELECT format, seq, data FROM catalog_index_snapshot WHERE id = 1')) as SnapshotRow;
  const next = { ...row, ...change({ ...row, data: Buffer.from(row.data) }) };
  await sql.run('UPDATE catalog_index_snapshot SET format = ?, seq = ?, data = ? WHERE id = 1', [next.format, Number(next.seq), next.data]);
}

describe.each(testedEngines())('the search index snapshot on %s', (engine: Engine) => {
  const fresh = async () => {
    const database = await freshDatabase(engine);
    cleanups.push(() => database.cleanup());
    return database;
  };

  it('GIVEN a second start on the same database THEN the index is restored, not rebuilt, and answers exactly as a fresh build', async () => {
    const path = await fresh();
    const first = await startProcess(path);
    expect(first.builds).toBe(1);
    const second = await startProcess(path);
    expect(second.builds).toBe(0);
    expect(second.live.size).toBe(LIST.length);
    expect(answers(second.live)).toEqual(await rebuilt(second.store));
    // Records are read from the snapshot as they are asked for, and are the stored ones.
    expect(second.live.papers()).toEqual(await first.store.all());
  });

  it('GIVEN papers added, changed and removed by another process after the snapshot THEN the next start sees all of it', async () => {
    const path = await fresh();
    await startProcess(path);
    const other = await startProcess(path);
    const added = await other.store.add({ ...LIST[0]!, id: 'teeth-x', title: 'Dental caries detection in panoramic radiographs', doi: '10.5555/teeth', origin: 'added' }, 'added', 'U1');
    const changed = { ...LIST[1]!, title: `${LIST[1]!.title} revisited with transformers`, techniques: ['Transformer'] };
    await other.store.update(changed);
    await other.store.hide(LIST[2]!.id);
    const next = await startProcess(path);
    expect(next.builds).toBe(0);
    expect(next.live.get(added.paper.id)?.title).toBe(added.paper.title);
    expect(next.live.search('dental caries').hits[0]?.paper.id).toBe(added.paper.id);
    expect(next.live.get(changed.id)?.title).toBe(changed.title);
    expect(next.live.get(LIST[2]!.id)).toBeNull();
    expect(answers(next.live)).toEqual(await rebuilt(next.store));
  });

  it('GIVEN a snapshot made by other code or a vocabulary THEN it is not used: the index is rebuilt', async () => {
    const path = await fresh();
    await startProcess(path);
    await rewriteSnapshot(path, () => ({ format: 'made-by-an-older-version' }));
    const next = await startProcess(path);
    expect(next.builds).toBe(1);
    expect(answers(next.live)).toEqual(await rebuilt(next.store));
  });

  it('GIVEN stored postings that disagree with what the running code computes THEN the snapshot is refused', async () => {
    const path = await fresh();
    await startProcess(path);
    await rewriteSnapshot(path, ({ data }) => {
      const state = v8.deserialize(data) as IndexState;
      state.postings.weights.fill(0.5);
      return { data: v8.serialize(state) };
    });
    const next = await startProcess(path);
    expect(next.builds).toBe(1);
    expect(answers(next.live)).toEqual(await rebuilt(next.store));
  });

  it('GIVEN an unreadable snapshot, or one ahead of the catalog (a database restored from a backup) THEN the index is rebuilt', async () => {
    const path = await fresh();
    await startProcess(path);
    await rewriteSnapshot(path, ({ data }) => ({ data: data.subarray(0, 100) }));
    expect((await startProcess(path)).builds).toBe(1);
    await rewriteSnapshot(path, ({ seq }) => ({ seq: seq + 5 }));
    expect((await startProcess(path)).builds).toBe(1);
  });

  it('GIVEN a new bundled list that drops a paper THEN the snapshot of the old list is not used and the paper is gone', async () => {
    const path = await fresh();
    await startProcess(path);
    const dropped = LIST[3]!;
    const next = await startProcess(
      path,
      LIST.filter((p) => p.id !== dropped.id),
    );
    expect(next.builds).toBe(1);
    expect(next.live.get(dropped.id)).toBeNull();
    expect(answers(next.live)).toEqual(await rebuilt(next.store));
  });

  it('GIVEN a restored index THEN papers added, changed and removed afterwards give the answers of a fresh build', async () => {
    const path = await fresh();
    await startProcess(path);
    const next = await startProcess(path);
    expect(next.builds).toBe(0);
    const index = (next.live as unknown as { engine: { index: PaperIndex } }).engine.index;
    expect(index.size).toBe(LIST.length);
    next.live.upsert({ ...LIST[5]!, title: 'Liver lesion segmentation in CT with a cascaded network' });
    next.live.remove(LIST[6]!.id);
    next.live.upsert({ ...LIST[7]!, id: 'another-one', title: 'Prostate MRI segmentation' });
    const expected = answers(createSearch({ papers: next.live.papers(), vocabulary }));
    expect(answers(next.live)).toEqual(expected);
  });
});
