import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import type { Paper } from '../../src/catalog/paper.js';
import { UserError } from '../../src/errors.js';
import { createSearch } from '../../src/search/index.js';
import type { PaperSearch } from '../../src/search/types.js';

let search: PaperSearch;
let papers: Paper[];

/** The papers that match every word (partial matches only fill a page, and say what they miss). */
const full = (q: string) => search.search(q, { limit: 100 }).hits.filter((h) => h.missing.length === 0);
const ids = (q: string) => full(q).map((h) => h.paper.id);
const idSet = (q: string) => new Set(ids(q));
const titles = (q: string) => full(q).map((h) => h.paper.title);
/** How many papers match every word. */
const complete = (q: string) => {
  const r = search.search(q, { limit: 100 });
  return r.total - r.related;
};

beforeAll(async () => {
  const catalog = await loadCatalog();
  papers = catalog.papers;
  search = createSearch(catalog);
});

describe('one vocabulary for English and Chinese', () => {
  it('GIVEN 肺, lung or pulmonary THEN the same papers are found', () => {
    const lung = idSet('lung');
    expect(lung.size).toBe(6);
    expect(idSet('肺')).toEqual(lung);
    expect(idSet('pulmonary')).toEqual(lung);
  });

  it('GIVEN heart THEN a paper whose area is only 心脏 in Chinese is found, and 心脏 finds it too', () => {
    const zhOnly: Paper = { ...papers[0], id: 'zh-only-heart-2020', title: '一篇只有中文标签的论文', regions: [{ en: '心脏', zh: '心脏' }], tasks: [], techniques: [], modalities: [], datasets: [], authors: [] };
    const s = createSearch({ papers: [...papers, zhOnly] });
    for (const q of ['heart', 'cardiac', '心脏']) expect(s.search(q, { limit: 50 }).hits.map((h) => h.paper.id), q).toContain('zh-only-heart-2020');
  });

  it('GIVEN Chinese without spaces THEN it works as well as with spaces', () => {
    expect(idSet('肝脏分割')).toEqual(idSet('肝脏 分割'));
    expect(idSet('肝脏分割')).toEqual(idSet('liver segmentation'));
    expect(idSet('胎儿超声')).toEqual(idSet('fetal ultrasound'));
    expect(idSet('胎儿超声').size).toBe(3);
    expect(idSet('肺结节')).toEqual(idSet('lung nodule'));
    expect(idSet('肺结节').size).toBeGreaterThan(0);
  });

  it('GIVEN an abbreviation or its spelled-out form THEN the same papers are found', () => {
    const pairs = [
      ['MR', 'MRI', 'magnetic resonance', '核磁共振'],
      ['US', 'ultrasound', '超声'],
      ['MG', 'mammography', '乳房摄影'],
      ['H&E', 'histology', 'histopathology', '病理'],
      ['CT', 'computed tomography'],
      ['U-Net', 'unet'],
      ['3D-CNN', '3d cnn'],
      ['dermatology', 'skin', '皮肤'],
      ['fundus', 'retina', '眼底'],
      ['tumour', 'tumor', '肿瘤'],
      ['alzheimer', '阿尔茨海默'],
    ];
    for (const [first, ...rest] of pairs) {
      const expected = idSet(first);
      expect(expected.size, first).toBeGreaterThan(0);
      for (const other of rest) expect(idSet(other), `${other} = ${first}`).toEqual(expected);
    }
  });
});

describe('typos and prefixes', () => {
  it('GIVEN a typo in a long word THEN it is read as the nearest indexed word and the user is told', () => {
    expect(idSet('segmantation')).toEqual(idSet('segmentation'));
    expect(idSet('mamography')).toEqual(idSet('mammography'));
    expect(idSet('alzheimers')).toEqual(idSet('alzheimer'));
    expect(search.search('segmantation').notices.map((n) => n.en).join()).toMatch(/"segmantation" was read as segmentation/);
  });

  it('GIVEN a prefix THEN words starting with it match', () => {
    expect(idSet('mammo')).toEqual(idSet('mammography'));
  });

  it('GIVEN a short unknown word THEN it is not stretched into a typo of something else', () => {
    expect(complete('lnug')).toBe(0);
    expect(complete('cta')).toBe(0);
  });

  it('GIVEN a word that exists THEN no typo reading adds noise', () => {
    // "brain" is indexed: "brainy" or "grain" readings must not be added.
    const r = search.search('brain', { limit: 100 });
    expect(r.notices).toEqual([]);
    for (const h of r.hits) expect(JSON.stringify(h.paper).toLowerCase()).toMatch(/brain|大脑|脑|alzheimer|adni|hcp|abide|neuroimaging|cerebral/);
  });
});

describe('field filters', () => {
  it('GIVEN year, range, since and until THEN only those years are returned', () => {
    const years = (q: string) => search.search(q, { limit: 100 }).hits.map((h) => h.paper.year);
    expect(new Set(years('year:2016'))).toEqual(new Set([2016]));
    expect(years('year:2015-2017').every((y) => y! >= 2015 && y! <= 2017)).toBe(true);
    expect(years('since:2018').every((y) => y! >= 2018)).toBe(true);
    expect(years('until:2015').every((y) => y! <= 2015)).toBe(true);
    expect(search.search('year:2016').total).toBe(papers.filter((p) => p.year === 2016).length);
  });

  it('GIVEN venue, task, modality, region, technique, author and dataset filters in either language THEN they restrict', () => {
    expect(ids('venue:miccai').length).toBe(papers.filter((p) => p.venue === 'MICCAI').length);
    expect(idSet('venue:"medical physics"')).toEqual(new Set(papers.filter((p) => p.venue === 'Medical Physics').map((p) => p.id)));
    expect(idSet('task:分割')).toEqual(idSet('task:segmentation'));
    expect(idSet('task:segmentation')).toEqual(new Set(papers.filter((p) => p.tasks.some((t) => t.en === 'Segmentation')).map((p) => p.id)));
    expect(idSet('region:肺')).toEqual(idSet('region:lung'));
    expect(idSet('modality:超声')).toEqual(idSet('modality:us'));
    expect(idSet('technique:gan')).toEqual(new Set(papers.filter((p) => p.techniques.includes('GAN')).map((p) => p.id)));
    expect(titles('author:ronneberger')).toEqual(['U-net: Convolutional networks for biomedical image segmentation']);
    expect(idSet('dataset:adni')).toEqual(new Set(papers.filter((p) => p.datasets.some((d) => d.name === 'ADNI')).map((p) => p.id)));
    // A filter restricts where the word is: "region:heart" drops the paper that only used a cardiac dataset.
    expect(idSet('region:heart').size).toBeLessThan(idSet('heart').size);
  });

  it('GIVEN a venue or dataset of several words without quotes THEN it reads as with quotes', () => {
    // The words after the value complete a name the catalog knows, so they belong to the filter.
    expect(idSet('venue:medical physics')).toEqual(idSet('venue:"medical physics"'));
    expect(idSet('venue:medical physics').size).toBe(papers.filter((p) => p.venue === 'Medical Physics').length);
    expect(idSet('dataset:lidc idri')).toEqual(new Set(papers.filter((p) => p.datasets.some((d) => d.name === 'LIDC-IDRI')).map((p) => p.id)));
  });

  it('GIVEN an unknown field THEN a UserError lists the filters that work', () => {
    const error = (() => {
      try {
        search.search('colour:red lung');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).text.en).toMatch(/"colour:" is not a filter\. Filters that work: year:2016, year:2015-2017, since:2017, venue:miccai/);
    expect((error as UserError).text.zh).toBeTruthy();
  });

  it('GIVEN a malformed value THEN a UserError says how to write it', () => {
    for (const q of ['year:abc', 'year:20166', 'year:2017-2015', 'since:', 'venue:']) {
      expect(() => search.search(q), q).toThrow(UserError);
    }
    expect(() => search.search('year:2017-2015')).toThrow(/write the earlier year first/);
  });
});

describe('AND across fields and helpful empty results', () => {
  it('GIVEN several words THEN every result matches every word in some field', () => {
    const r = search.search('gan mri', { limit: 100 });
    expect(r.total).toBeGreaterThan(0);
    for (const h of full('gan mri')) {
      const text = JSON.stringify(h.paper).toLowerCase();
      expect(text, h.paper.title).toMatch(/gan|adversarial/);
      expect(text, h.paper.title).toMatch(/mri/);
    }
  });

  it('GIVEN words that never meet in one paper THEN papers matching some fill the page, say what they miss, and the parts that match are suggested', () => {
    const r = search.search('liver brain');
    expect(r.total).toBeGreaterThan(0);
    expect(r.related).toBe(r.total);
    for (const h of r.hits) expect(h.missing.length).toBe(1);
    expect(r.notices.map((n) => n.en).join()).toMatch(/No paper matches every word/);
    expect(r.suggestions).toEqual(expect.arrayContaining(['liver', 'brain']));
    expect(search.search('xyzzy lung').suggestions).toContain('lung');
    expect(search.search('year:1990').suggestions).toEqual(['year:2014-2019']);
    expect(search.search('venue:micai').suggestions[0]).toBe('venue:miccai');
  });

  it('GIVEN a dataset no listed paper used THEN the suggestions are what it is about, not look-alike author names', () => {
    // BraTS (brain tumour segmentation challenge) is in the vocabulary but no paper lists it; "bram"
    // and "baz" are co-authors' given names a few letters away, which says nothing about brain tumours.
    const suggestions = search.search('brats').suggestions;
    expect(suggestions[0]).toBe('brain tumor');
    expect(suggestions.join()).not.toMatch(/bram|baz/);
  });

  it('GIVEN an exact title or id THEN that paper comes first', () => {
    const unet = papers.find((p) => p.title.startsWith('U-net'))!;
    expect(ids('U-net: Convolutional networks for biomedical image segmentation')[0]).toBe(unet.id);
    expect(ids(unet.id)[0]).toBe(unet.id);
    const dl = papers.find((p) => p.title.startsWith('DeepLung'))!;
    expect(ids(dl.id)[0]).toBe(dl.id);
    expect(ids(dl.title.toUpperCase())[0]).toBe(dl.id);
  });

  it('GIVEN a dataset name THEN its papers are found', () => {
    expect(idSet('LUNA16')).toEqual(new Set(papers.filter((p) => p.datasets.some((d) => d.name === 'LUNA16')).map((p) => p.id)));
    expect(idSet('INbreast').size).toBe(2);
  });

  it('GIVEN paging THEN pages do not overlap and total counts all matches', () => {
    const first = search.search('cnn', { limit: 5, offset: 0 });
    const second = search.search('cnn', { limit: 5, offset: 5 });
    expect(first.total).toBe(second.total);
    const a = first.hits.map((h) => h.paper.id);
    const b = second.hits.map((h) => h.paper.id);
    expect(new Set([...a, ...b]).size).toBe(10);
    expect(ids('cnn').slice(0, 10)).toEqual([...a, ...b]);
  });

  it('GIVEN a catalog that holds one id twice THEN the paper is returned once', () => {
    const s = createSearch({ papers: [...papers, { ...papers[3] }] });
    const found = s.search('lung', { limit: 100 }).hits.map((h) => h.paper.id);
    expect(new Set(found).size).toBe(found.length);
  });
});

describe('complete and related', () => {
  it('GIVEN a typed prefix THEN titles starting with it come first', () => {
    expect(search.complete('deeplu', 3)[0].title).toMatch(/^DeepLung/);
    expect(search.complete('', 3)).toEqual([]);
  });

  it('GIVEN a paper THEN related papers share its tags and never include it', () => {
    const deepLung = papers.find((p) => p.title.startsWith('DeepLung'))!;
    const related = search.related(deepLung, 3);
    expect(related).toHaveLength(3);
    expect(related.map((p) => p.id)).not.toContain(deepLung.id);
    for (const p of related) expect(p.regions.map((r) => r.en)).toContain('Lung');
  });
});
