import { afterEach, describe, expect, it } from 'vitest';
import { LiveCatalog } from '../../src/catalog/live.js';
import { CatalogStore } from '../../src/catalog/store.js';
import { correctTags, readTag, tagsOf } from '../../src/catalog/tags.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import { paperFromWork } from '../../src/catalog/merge.js';
import type { ResolvedWork } from '../../src/catalog/sources/work.js';
import { ManualClock } from '../../src/clock.js';
import { createSearch } from '../../src/search/index.js';
import { migrate, openDb } from '../../src/store/db.js';
import { migrations } from '../../src/capabilities/index.js';
import { makePaper } from '../helpers/papers.js';
import { tempDbPath } from '../helpers/temp-db.js';

const vocabulary = bundledVocabulary();
const clock = new ManualClock('2026-12-01T12:00:00Z');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function freshStore(path = ':memory:') {
  const db = openDb(path, migrations);
  cleanups.push(() => db.close());
  return { db, store: new CatalogStore(db, vocabulary, clock) };
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

describe('the catalog migration', () => {
  it('keeps every spotlight, poll and history row of a database from before it', () => {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const before = openDb(tmp.dbPath, migrations.filter((m) => m.version < 4));
    const tables = before.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'").pluck().all() as string[];
    before.prepare("INSERT INTO meta (key, value) VALUES ('kept', 'yes')").run();
    const counts = Object.fromEntries(tables.map((t) => [t, before.prepare(`SELECT count(*) FROM ${t}`).pluck().get()]));
    before.close();
    const after = openDb(tmp.dbPath, migrations);
    cleanups.push(() => after.close());
    for (const t of tables) expect(after.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(counts[t]);
    expect(after.prepare("SELECT value FROM meta WHERE key = 'kept'").pluck().get()).toBe('yes');
    expect(after.prepare('SELECT count(*) FROM catalog_papers').pluck().get()).toBe(0);
    migrate(after, migrations);
  });
});

describe('CatalogStore', () => {
  it('seeds the bundled list once, and shows a paper dropped from the list no more', () => {
    const { store } = freshStore();
    const other = makePaper('other-2018');
    expect(store.seed([UNET, other])).toEqual({ inserted: 2, updated: 0 });
    expect(store.seed([UNET, other])).toEqual({ inserted: 0, updated: 0 });
    store.seed([UNET]);
    expect(store.all().map((p) => p.id)).toEqual([UNET.id]);
  });

  it('merges a preprint found through its arXiv id into the bundled record and fills what it lacked', () => {
    const { store } = freshStore();
    store.seed([UNET]);
    const outcome = add(store, work({ title: 'U-Net: Convolutional Networks for Biomedical Image Segmentation', arxivId: '1505.04597', arxivVersion: 1, authors: ['Ronneberger, Olaf'], year: 2015, abstract: 'There is large consent…' }));
    expect(outcome.merged).toBe(true);
    expect(outcome.paper.id).toBe(UNET.id);
    expect(outcome.paper.authors).toEqual(['Ronneberger, Olaf']);
    expect(outcome.changed).toEqual(expect.arrayContaining(['arxivId', 'authors', 'abstract']));
    expect(store.all()).toHaveLength(1);
  });

  it('one paper, one record: preprint, DOI, PubMed id and title all reach the same record', () => {
    const { store } = freshStore();
    const first = add(store, work({ title: 'Deep lung nodule detection in CT', arxivId: '2101.00001', arxivVersion: 1, doi: '10.1000/journal.1', authors: ['Li, Wei'] }));
    expect(first.merged).toBe(false);
    // Crossref's record of the journal version, with its preprint relation.
    const byDoi = add(store, work({ title: 'Deep Lung Nodule Detection in CT.', doi: '10.1000/journal.1', venue: 'IEEE Transactions on Medical Imaging', source: 'crossref' }));
    expect(byDoi.paper.id).toBe(first.paper.id);
    expect(byDoi.paper.venue).toBe('IEEE-TMI');
    const byPmid = add(store, work({ title: 'Deep lung nodule detection in CT', pmid: '123', doi: '10.1000/journal.1', source: 'pubmed' }));
    expect(byPmid.paper.pmid).toBe('123');
    const byTitle = add(store, work({ title: 'Deep lung nodule detection in CT', authors: ['Li, W.'], year: 2021, source: 'openalex' }));
    expect(byTitle.paper.id).toBe(first.paper.id);
    const bySameAs = add(store, work({ title: 'Another title for it', doi: '10.1000/other' }), ['10.1000/journal.1']);
    expect(bySameAs.paper.id).toBe(first.paper.id);
    // A different paper with the same title but another first author and year stays apart.
    const different = add(store, work({ title: 'Deep lung nodule detection in CT', authors: ['Smith, J'], year: 2010 }));
    expect(different.merged).toBe(false);
    expect(different.paper.id).not.toBe(first.paper.id);
    expect(store.all()).toHaveLength(2);
  });

  it('a new arXiv version updates the record', () => {
    const { store } = freshStore();
    add(store, work({ title: 'Liver segmentation v1 title', arxivId: '2201.00002', arxivVersion: 1, abstract: 'old' }));
    const v2 = add(store, work({ title: 'Liver segmentation, revised title', arxivId: '2201.00002', arxivVersion: 2, abstract: 'new' }));
    expect(v2.paper.arxivVersion).toBe(2);
    expect(v2.paper.title).toBe('Liver segmentation, revised title');
    expect(v2.paper.abstract).toBe('new');
    const older = add(store, work({ title: 'Liver segmentation v1 title', arxivId: '2201.00002', arxivVersion: 1 }));
    expect(older.paper.title).toBe('Liver segmentation, revised title');
  });

  it('infers tags from title and abstract in both languages, marked inferred; a person\'s tags are never overwritten', () => {
    const { store } = freshStore();
    const added = add(store, work({ title: 'GAN-based lung nodule segmentation in CT', abstract: 'We segment pulmonary nodules.' }));
    expect(tagsOf(added.paper)).toEqual(expect.arrayContaining(['task:Segmentation', 'modality:CT']));
    expect(added.paper.inferred).toEqual(expect.arrayContaining(['task:Segmentation', 'modality:CT']));
    const zh = add(store, work({ title: '基于深度学习的肺结节检测', year: 2019 }));
    expect(zh.paper.inferred!.length).toBeGreaterThan(0);

    const heart = readTag('region:heart', vocabulary)!;
    const corrected = correctTags(added.paper, { add: [heart], remove: [readTag('modality:CT', vocabulary)!] }, vocabulary);
    store.update(corrected);
    expect(tagsOf(corrected)).toContain(`region:${heart.label}`);
    expect(tagsOf(corrected)).not.toContain('modality:CT');
    expect(corrected.inferred).not.toContain(`region:${heart.label}`);
    // The same work again (a new version): inference runs again, the person's choices stay.
    const again = add(store, work({ title: 'GAN-based lung nodule segmentation in CT', abstract: 'CT CT CT', arxivId: undefined }));
    expect(again.paper.id).toBe(added.paper.id);
    expect(tagsOf(again.paper)).not.toContain('modality:CT');
    expect(tagsOf(again.paper)).toContain(`region:${heart.label}`);
  });

  it('hides a removed paper, and shows it again when someone adds it again', () => {
    const { store } = freshStore();
    store.seed([UNET]);
    expect(store.hide(UNET.id)).toBe(true);
    expect(store.all()).toHaveLength(0);
    expect(store.hide(UNET.id)).toBe(false);
    add(store, work({ title: UNET.title, arxivId: '1505.04597', year: 2015 }));
    expect(store.all().map((p) => p.id)).toEqual([UNET.id]);
  });
});

describe('LiveCatalog', () => {
  it('a paper added by another process on the same database is found by the next query, a removed one is gone', () => {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const a = freshStore(tmp.dbPath);
    const b = freshStore(tmp.dbPath);
    a.store.seed([UNET]);
    const live = new LiveCatalog(a.store, (papers) => createSearch({ papers, vocabulary }));
    expect(live.search('pancreas').total).toBe(0);
    const added = add(b.store, work({ title: 'Pancreas segmentation with attention gates', year: 2018 }));
    expect(live.search('pancreas').hits.map((h) => h.paper.id)).toEqual([added.paper.id]);
    b.store.hide(added.paper.id);
    expect(live.search('pancreas').total).toBe(0);
    expect(live.get(UNET.id)?.title).toBe(UNET.title);
  });
});
