import v8 from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteIndexCache } from '../../src/catalog/index-cache.js';
import { LiveCatalog } from '../../src/catalog/live.js';
import type { Paper } from '../../src/catalog/paper.js';
import { CatalogStore } from '../../src/catalog/store.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import { ManualClock } from '../../src/clock.js';
import { createSearch, type PaperIndex } from '../../src/search/index.js';
import type { IndexState } from '../../src/search/paper-index.js';
import { openDb } from '../../src/store/db.js';
import { migrations } from '../../src/capabilities/index.js';
import { syntheticPapers } from '../../scripts/synthetic-catalog.js';
import { tempDbPath } from '../helpers/temp-db.js';

const vocabulary = bundledVocabulary();
const clock = new ManualClock('2026-12-01T12:00:00Z');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const LIST = syntheticPapers(400).map((p): Paper => ({ ...p, origin: 'bundled' }));
const QUERIES = ['lung nodule', 'segmentation -brain', 'mri OR ct liver', 'cnn teeth', '"image segmentation"', 'year:2017 gan', 'retina', '肺结节', 'segmentaton heart', 'is there work on fetal ultrasound'];

/** A process on the database: its own connection, store and live catalog (with the snapshot cache). */
function startProcess(dbPath: string, list: Paper[] = LIST) {
  const db = openDb(dbPath, migrations);
  cleanups.push(() => db.close());
  const store = new CatalogStore(db, vocabulary, clock);
  store.seed(list);
  let builds = 0;
  const live = new LiveCatalog(
    store,
    (papers) => {
      builds++;
      return createSearch({ papers, vocabulary });
    },
    sqliteIndexCache(db, store, vocabulary, 0),
  );
  return { db, store, live, builds };
}

/** What a search answers, comparable across processes. */
function answers(search: { search: LiveCatalog['search'] }): unknown[] {
  return QUERIES.map((q) => {
    const r = search.search(q, { limit: 20 });
    return [q, r.total, r.related, r.hits.map((h) => [h.paper.id, h.score, h.missing])];
  });
}

/** Answers of an index built from scratch over what the store shows now: what a restored index must equal. */
const rebuilt = (store: CatalogStore) => answers(createSearch({ papers: store.all(), vocabulary }));

function tempDb() {
  const tmp = tempDbPath();
  cleanups.push(tmp.cleanup);
  return tmp.dbPath;
}

function rewriteSnapshot(dbPath: string, change: (row: { format: string; seq: number; data: Buffer }) => Partial<{ format: string; seq: number; data: Buffer }>) {
  const db = openDb(dbPath, migrations);
  const row = db.prepare('SELECT format, seq, data FROM catalog_index_snapshot WHERE id = 1').get() as { format: string; seq: number; data: Buffer };
  const next = { ...row, ...change(row) };
  db.prepare('UPDATE catalog_index_snapshot SET format = ?, seq = ?, data = ? WHERE id = 1').run(next.format, next.seq, next.data);
  db.close();
}

describe('the search index snapshot', () => {
  it('GIVEN a second start on the same database THEN the index is restored, not rebuilt, and answers exactly as a fresh build', () => {
    const path = tempDb();
    const first = startProcess(path);
    expect(first.builds).toBe(1);
    const second = startProcess(path);
    expect(second.builds).toBe(0);
    expect(second.live.size).toBe(LIST.length);
    expect(answers(second.live)).toEqual(rebuilt(second.store));
    // Records are read from the snapshot as they are asked for, and are the stored ones.
    expect(second.live.papers()).toEqual(first.store.all());
  });

  it('GIVEN papers added, changed and removed by another process after the snapshot THEN the next start sees all of it', () => {
    const path = tempDb();
    startProcess(path);
    const other = startProcess(path);
    const added = other.store.add({ ...LIST[0]!, id: 'teeth-x', title: 'Dental caries detection in panoramic radiographs', doi: '10.5555/teeth', origin: 'added' }, 'added', 'U1');
    const changed = { ...LIST[1]!, title: `${LIST[1]!.title} revisited with transformers`, techniques: ['Transformer'] };
    other.store.update(changed);
    other.store.hide(LIST[2]!.id);
    const next = startProcess(path);
    expect(next.builds).toBe(0);
    expect(next.live.get(added.paper.id)?.title).toBe(added.paper.title);
    expect(next.live.search('dental caries').hits[0]?.paper.id).toBe(added.paper.id);
    expect(next.live.get(changed.id)?.title).toBe(changed.title);
    expect(next.live.get(LIST[2]!.id)).toBeNull();
    expect(answers(next.live)).toEqual(rebuilt(next.store));
  });

  it('GIVEN a snapshot made by other code or a vocabulary THEN it is not used: the index is rebuilt', () => {
    const path = tempDb();
    startProcess(path);
    rewriteSnapshot(path, () => ({ format: 'made-by-an-older-version' }));
    const next = startProcess(path);
    expect(next.builds).toBe(1);
    expect(answers(next.live)).toEqual(rebuilt(next.store));
  });

  it('GIVEN stored postings that disagree with what the running code computes THEN the snapshot is refused', () => {
    const path = tempDb();
    startProcess(path);
    rewriteSnapshot(path, ({ data }) => {
      const state = v8.deserialize(data) as IndexState;
      state.postings.weights.fill(0.5);
      return { data: v8.serialize(state) };
    });
    const next = startProcess(path);
    expect(next.builds).toBe(1);
    expect(answers(next.live)).toEqual(rebuilt(next.store));
  });

  it('GIVEN an unreadable snapshot, or one ahead of the catalog (a database restored from a backup) THEN the index is rebuilt', () => {
    const path = tempDb();
    startProcess(path);
    rewriteSnapshot(path, ({ data }) => ({ data: data.subarray(0, 100) }));
    expect(startProcess(path).builds).toBe(1);
    rewriteSnapshot(path, ({ seq }) => ({ seq: seq + 5 }));
    expect(startProcess(path).builds).toBe(1);
  });

  it('GIVEN a new bundled list that drops a paper THEN the snapshot of the old list is not used and the paper is gone', () => {
    const path = tempDb();
    startProcess(path);
    const dropped = LIST[3]!;
    const next = startProcess(
      path,
      LIST.filter((p) => p.id !== dropped.id),
    );
    expect(next.builds).toBe(1);
    expect(next.live.get(dropped.id)).toBeNull();
    expect(answers(next.live)).toEqual(rebuilt(next.store));
  });

  it('GIVEN a restored index THEN papers added, changed and removed afterwards give the answers of a fresh build', () => {
    const path = tempDb();
    startProcess(path);
    const next = startProcess(path);
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
