import { afterEach, describe, expect, it, vi } from 'vitest';
import { enteredBetween } from '../../src/capabilities/digest/store.js';
import { LiveCatalog } from '../../src/catalog/live.js';
import { CatalogStore } from '../../src/catalog/store.js';
import { correctTags, readTag, tagsOf } from '../../src/catalog/tags.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import { paperFromWork } from '../../src/catalog/merge.js';
import type { ResolvedWork } from '../../src/catalog/sources/work.js';
import { ManualClock } from '../../src/clock.js';
import { createSearch } from '../../src/search/index.js';
import { migrate, openDb } from '../../src/store/db.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import { migrations } from '../../src/capabilities/index.js';
import { freshDatabase, testedEngines, type Engine, type FreshDatabase } from '../helpers/engines.js';
import { makePaper } from '../helpers/papers.js';
import { tempDbPath } from '../helpers/temp-db.js';

const vocabulary = bundledVocabulary();
const clock = new ManualClock('2026-12-01T12:00:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A catalog store on the database `fresh` names, with its own connection (on PostgreSQL its own pool,
 * and its own SQLite file beside: another machine): two of them on one database are two replicas.
 */
async function storeOn(fresh: FreshDatabase, dbPath = fresh.dbPath) {
  const db = openDb(dbPath, migrations);
  const sql = await openSqlStore({ dbPath, databaseUrl: fresh.databaseUrl }, db, migrations);
  cleanups.push(async () => {
    await sql.close();
    db.close();
  });
  return { db, sql, store: new CatalogStore(sql, vocabulary, clock) };
}

async function fresh(engine: Engine): Promise<FreshDatabase> {
  const database = await freshDatabase(engine);
  cleanups.push(() => database.cleanup());
  return database;
}

function work(fields: Partial<ResolvedWork>): ResolvedWork {
  return { title: 'A title', authors: [], year: 2020, venue: '', abstract: '', url: '', subjects: [], sameAs: [], source: 'arxiv', ...fields };
}

const add = (store: CatalogStore, w: ResolvedWork, sameAs: string[] = []) => store.add(paperFromWork(w, 'added', vocabulary), 'added', 'U1', sameAs);

const UNET = makePaper('u-net-convolutional-networks-for-biomedical-image-segmentation-2015', {
  title: 'U-Net: Convolutional Networks for Biomedical Image Segmentation',
  url: 'https://arxiv.org/abs/1505.04597',
  year: 2015,
  authors: [],
});

describe('the catalog migrations', () => {
  it('keep every row of a database from before them, and a SQLite file keeps its records\' order', async () => {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const database: FreshDatabase = { dbPath: tmp.dbPath, env: {}, cleanup: async () => {} };
    const early = migrations.filter((m) => m.version < 4);
    const before = openDb(tmp.dbPath, early);
    const beforeSql = await openSqlStore({ dbPath: tmp.dbPath }, before, early);
    const tables = before.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'").pluck().all() as string[];
    before.prepare("INSERT INTO meta (key, value) VALUES ('kept', 'yes')").run();
    const counts = Object.fromEntries(tables.map((t) => [t, before.prepare(`SELECT count(*) FROM ${t}`).pluck().get()]));
    await beforeSql.close();
    before.close();
    // Up to the catalog as it was before its order column: records written in an order their ids do not sort in.
    const middle = openDb(tmp.dbPath, migrations.filter((m) => m.version < 81));
    const middleSql = await openSqlStore({ dbPath: tmp.dbPath }, middle, migrations.filter((m) => m.version < 81));
    for (const id of ['zeta', 'alpha', 'mu']) {
      middle.prepare("INSERT INTO catalog_papers (id, record, origin, title_key, seq, added_at, updated_at) VALUES (?, ?, 'added', ?, 1, 'x', 'x')").run(id, JSON.stringify(makePaper(id)), id);
    }
    await middleSql.close();
    middle.close();
    const { db: after, store } = await storeOn(database);
    // Tables later migrations rebuilt under another name (the tenant keys) are theirs to check.
    const kept = tables.filter((t) => after.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t));
    expect(kept).toContain('meta');
    for (const t of kept) expect(after.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(counts[t]);
    expect(after.prepare("SELECT value FROM meta WHERE key = 'kept'").pluck().get()).toBe('yes');
    expect((await store.all()).map((p) => p.id)).toEqual(['zeta', 'alpha', 'mu']);
    migrate(after, migrations);
  });
});

describe.each(testedEngines())('CatalogStore on %s', (engine) => {
  it('seeds the bundled list once, and shows a paper dropped from the list no more', async () => {
    const { store } = await storeOn(await fresh(engine));
    const other = makePaper('other-2018');
    expect(await store.seed([UNET, other])).toEqual({ inserted: 2, updated: 0 });
    expect(await store.seed([UNET, other])).toEqual({ inserted: 0, updated: 0 });
    await store.seed([UNET]);
    expect((await store.all()).map((p) => p.id)).toEqual([UNET.id]);
  });

  it('merges a preprint found through its arXiv id into the bundled record and fills what it lacked', async () => {
    const { store } = await storeOn(await fresh(engine));
    await store.seed([UNET]);
    const outcome = await add(store, work({ title: 'U-Net: Convolutional Networks for Biomedical Image Segmentation', arxivId: '1505.04597', arxivVersion: 1, authors: ['Ronneberger, Olaf'], year: 2015, abstract: 'There is large consent…' }));
    expect(outcome.merged).toBe(true);
    expect(outcome.paper.id).toBe(UNET.id);
    expect(outcome.paper.authors).toEqual(['Ronneberger, Olaf']);
    expect(outcome.changed).toEqual(expect.arrayContaining(['arxivId', 'authors', 'abstract']));
    expect(await store.all()).toHaveLength(1);
  });

  it('one paper, one record: preprint, DOI, PubMed id and title all reach the same record', async () => {
    const { store } = await storeOn(await fresh(engine));
    const first = await add(store, work({ title: 'Deep lung nodule detection in CT', arxivId: '2101.00001', arxivVersion: 1, doi: '10.1000/journal.1', authors: ['Li, Wei'] }));
    expect(first.merged).toBe(false);
    // Crossref's record of the journal version, with its preprint relation.
    const byDoi = await add(store, work({ title: 'Deep Lung Nodule Detection in CT.', doi: '10.1000/journal.1', venue: 'IEEE Transactions on Medical Imaging', source: 'crossref' }));
    expect(byDoi.paper.id).toBe(first.paper.id);
    expect(byDoi.paper.venue).toBe('IEEE-TMI');
    const byPmid = await add(store, work({ title: 'Deep lung nodule detection in CT', pmid: '123', doi: '10.1000/journal.1', source: 'pubmed' }));
    expect(byPmid.paper.pmid).toBe('123');
    const byTitle = await add(store, work({ title: 'Deep lung nodule detection in CT', authors: ['Li, W.'], year: 2021, source: 'openalex' }));
    expect(byTitle.paper.id).toBe(first.paper.id);
    const bySameAs = await add(store, work({ title: 'Another title for it', doi: '10.1000/other' }), ['10.1000/journal.1']);
    expect(bySameAs.paper.id).toBe(first.paper.id);
    // A different paper with the same title but another first author and year stays apart.
    const different = await add(store, work({ title: 'Deep lung nodule detection in CT', authors: ['Smith, J'], year: 2010 }));
    expect(different.merged).toBe(false);
    expect(different.paper.id).not.toBe(first.paper.id);
    expect(await store.all()).toHaveLength(2);
  });

  it('a new arXiv version updates the record', async () => {
    const { store } = await storeOn(await fresh(engine));
    await add(store, work({ title: 'Liver segmentation v1 title', arxivId: '2201.00002', arxivVersion: 1, abstract: 'old' }));
    const v2 = await add(store, work({ title: 'Liver segmentation, revised title', arxivId: '2201.00002', arxivVersion: 2, abstract: 'new' }));
    expect(v2.paper.arxivVersion).toBe(2);
    expect(v2.paper.title).toBe('Liver segmentation, revised title');
    expect(v2.paper.abstract).toBe('new');
    const older = await add(store, work({ title: 'Liver segmentation v1 title', arxivId: '2201.00002', arxivVersion: 1 }));
    expect(older.paper.title).toBe('Liver segmentation, revised title');
  });

  it('infers tags from title and abstract in both languages, marked inferred; a person\'s tags are never overwritten', async () => {
    const { store } = await storeOn(await fresh(engine));
    const added = await add(store, work({ title: 'GAN-based lung nodule segmentation in CT', abstract: 'We segment pulmonary nodules.' }));
    expect(tagsOf(added.paper)).toEqual(expect.arrayContaining(['task:Segmentation', 'modality:CT']));
    expect(added.paper.inferred).toEqual(expect.arrayContaining(['task:Segmentation', 'modality:CT']));
    const zh = await add(store, work({ title: '基于深度学习的肺结节检测', year: 2019 }));
    expect(zh.paper.inferred!.length).toBeGreaterThan(0);

    const heart = readTag('region:heart', vocabulary)!;
    const corrected = correctTags(added.paper, { add: [heart], remove: [readTag('modality:CT', vocabulary)!] }, vocabulary);
    await store.update(corrected);
    expect(tagsOf(corrected)).toContain(`region:${heart.label}`);
    expect(tagsOf(corrected)).not.toContain('modality:CT');
    expect(corrected.inferred).not.toContain(`region:${heart.label}`);
    // The same work again (a new version): inference runs again, the person's choices stay.
    const again = await add(store, work({ title: 'GAN-based lung nodule segmentation in CT', abstract: 'CT CT CT', arxivId: undefined }));
    expect(again.paper.id).toBe(added.paper.id);
    expect(tagsOf(again.paper)).not.toContain('modality:CT');
    expect(tagsOf(again.paper)).toContain(`region:${heart.label}`);
  });

  it('hides a removed paper, and shows it again when someone adds it again', async () => {
    const { store } = await storeOn(await fresh(engine));
    await store.seed([UNET]);
    expect(await store.hide(UNET.id)).toBe(true);
    expect(await store.all()).toHaveLength(0);
    expect(await store.hide(UNET.id)).toBe(false);
    await add(store, work({ title: UNET.title, arxivId: '1505.04597', year: 2015 }));
    expect((await store.all()).map((p) => p.id)).toEqual([UNET.id]);
  });
});

describe.each(testedEngines())('two writers on one %s catalog', (engine) => {
  it("GIVEN another replica's add in flight, stamped inside the digest's window THEN the window's read waits for its commit and holds the paper", async () => {
    const database = await fresh(engine);
    const writer = await storeOn(database);
    const digest = await storeOn(database);
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let stamped!: () => void;
    const inserted = new Promise<void>((resolve) => (stamped = resolve));
    const writing = writer.store.writing(async (w) => {
      await w.add(paperFromWork(work({ title: 'Late commit', doi: '10.5555/late' }), 'added', vocabulary), 'added', 'U1');
      stamped();
      await committing;
    });
    await inserted;
    const window = enteredBetween(digest.sql, '', new Date(clock.now().getTime() + 60_000).toISOString());
    if (engine === 'postgres') {
      // The read is queued on the catalog's lock (not answered from before the commit) before the write ends.
      await vi.waitFor(async () => expect((await writer.sql.one<{ n: number }>("SELECT CAST(COUNT(*) AS INTEGER) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))?.n).toBe(1));
    }
    commit();
    await writing;
    expect((await window).map((e) => e.paper.title)).toEqual(['Late commit']);
  });

  it('a paper added by another process (or replica) is found after the next sync, a removed one is gone', async () => {
    const database = await fresh(engine);
    const a = await storeOn(database);
    // On PostgreSQL the other writer is another machine: its own pool and its own SQLite file.
    const b = await storeOn(database, engine === 'postgres' ? `${database.dbPath}.b` : database.dbPath);
    await a.store.seed([UNET]);
    const live = await LiveCatalog.open(a.store, (papers) => createSearch({ papers, vocabulary }));
    expect(live.search('pancreas').total).toBe(0);
    const added = await add(b.store, work({ title: 'Pancreas segmentation with attention gates', year: 2018 }));
    await live.sync();
    expect(live.search('pancreas').hits.map((h) => h.paper.id)).toEqual([added.paper.id]);
    await b.store.hide(added.paper.id);
    await live.sync();
    expect(live.search('pancreas').total).toBe(0);
    expect(live.get(UNET.id)?.title).toBe(UNET.title);
  });

  it('one paper, one record: both writers adding the same works at once end with one record each, and every seq is read in order', async () => {
    const database = await fresh(engine);
    const a = await storeOn(database);
    const b = await storeOn(database, engine === 'postgres' ? `${database.dbPath}.b` : database.dbPath);
    const works = Array.from({ length: 12 }, (_, i) =>
      work({ title: `Racing thyroid nodule paper ${i}`, arxivId: `2612.${String(20000 + i)}`, doi: `10.5555/race.${i}`, authors: [`Racer, ${i}`] }),
    );
    // Each writer adds every work, the one by its arXiv id, the other by its DOI (found through another key).
    const byDoi = works.map((w) => ({ ...w, arxivId: undefined }));
    const live = await LiveCatalog.open(a.store, (papers) => createSearch({ papers, vocabulary }));
    let syncing = true;
    const reader = (async () => {
      while (syncing) {
        await live.sync();
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const outcomes = await Promise.all([...works.map((w) => add(a.store, w)), ...byDoi.map((w) => add(b.store, w))]);
    syncing = false;
    await reader;
    await live.sync();
    expect(live.search('racing thyroid nodule paper', { limit: 50 }).total).toBe(works.length);
    expect(outcomes.filter((o) => !o.merged)).toHaveLength(works.length);
    const papers = await a.store.all();
    expect(papers).toHaveLength(works.length);
    for (const p of papers) expect(p.arxivId && p.doi).toBeTruthy();
  });
});
