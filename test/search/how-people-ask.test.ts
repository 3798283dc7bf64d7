import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import type { Paper } from '../../src/catalog/paper.js';
import { createSearch, readOperators } from '../../src/search/index.js';
import { PaperIndex } from '../../src/search/paper-index.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import type { PaperSearch } from '../../src/search/types.js';

let search: PaperSearch;
let papers: Paper[];
let index: PaperIndex;

beforeAll(async () => {
  papers = (await loadCatalog()).papers;
  search = createSearch({ papers });
  index = new PaperIndex(papers, bundledVocabulary());
});

const hits = (q: string, limit = 10) => search.search(q, { limit }).hits;
const ids = (q: string, limit = 10) => hits(q, limit).map((h) => h.paper.id);
const fullIds = (q: string) => new Set(hits(q, 100).filter((h) => h.missing.length === 0).map((h) => h.paper.id));
const byTitle = (start: string) => papers.find((p) => p.title.startsWith(start))!.id;

describe('reading operators', () => {
  it('GIVEN -word, NOT word, OR, |, 或 and quotes THEN each is read as its operator, and a hyphen inside a word is not', () => {
    expect(readOperators('segmentation -brain')).toMatchObject({ words: 'segmentation', excluded: ['brain'] });
    expect(readOperators('gan NOT mri x-ray u-net')).toMatchObject({ words: 'gan x-ray u-net', excluded: ['mri'] });
    expect(readOperators('microbleeds OR anomaly lung')).toMatchObject({ words: 'lung', alternatives: [['microbleeds', 'anomaly']] });
    expect(readOperators('a | b | c')).toMatchObject({ alternatives: [['a', 'b', 'c']] });
    expect(readOperators('gan|mri').alternatives).toEqual([['gan', 'mri']]);
    expect(readOperators('肺或肝').alternatives).toEqual([['肺', '肝']]);
    expect(readOperators('"fully convolutional" liver')).toMatchObject({ words: 'liver', phrases: ['fully convolutional'] });
    expect(readOperators('gan -"image synthesis"')).toMatchObject({ words: 'gan', excluded: ['image synthesis'] });
    // A sentence's "not" and a trailing OR are words, not operators.
    expect(readOperators('not OR')).toMatchObject({ words: 'not', alternatives: [] });
  });
});

describe('operators', () => {
  it('GIVEN segmentation -brain THEN segmentation papers, none about the brain in any field', () => {
    const found = hits('segmentation -brain', 100);
    expect(found.length).toBeGreaterThan(5);
    for (const h of found) expect(JSON.stringify(h.paper).toLowerCase(), h.paper.title).not.toMatch(/brain|大脑|alzheimer|adni|hcp|abide|neuroimaging/);
    // NOT is the same operator.
    expect(ids('segmentation NOT brain', 100)).toEqual(found.map((h) => h.paper.id));
  });

  it('GIVEN a OR b THEN papers with either, each counted as matching', () => {
    const either = fullIds('microbleeds OR anomaly');
    expect(either).toEqual(new Set([...fullIds('microbleeds'), ...fullIds('anomaly')]));
    expect(either.size).toBe(2);
    expect(fullIds('microbleeds | anomaly')).toEqual(either);
    expect(fullIds('脑微出血 或 异常')).toEqual(either);
  });

  it('GIVEN a quoted phrase THEN it must occur as written, words in that order', () => {
    const phrase = ids('"random view aggregation"');
    expect(phrase).toEqual([byTitle('Improving Computer-Aided Detection')]);
    // The same words in another order are not the phrase.
    expect(ids('"aggregation view random"')).toEqual([]);
  });
});

describe('sentences, inflections, spellings and scripts', () => {
  it('GIVEN question scaffolding in either language THEN it is dropped and the topic is searched', () => {
    expect(ids('is there work on detecting catheters in x-ray')[0]).toBe(byTitle('CathNets'));
    expect(fullIds('papers that use lstm')).toEqual(fullIds('lstm'));
    expect(fullIds("I'm looking for knee osteoarthritis")).toEqual(fullIds('knee osteoarthritis'));
    expect(fullIds('what has been done on fetal ultrasound')).toEqual(fullIds('fetal ultrasound'));
    expect(fullIds('我想找肝脏肿瘤的论文')).toEqual(fullIds('肝脏肿瘤'));
    expect(fullIds('有没有关于胎儿超声的论文')).toEqual(fullIds('胎儿超声'));
    // "us" after "show" is the reader, not ultrasound.
    expect(fullIds('show us knee papers')).toEqual(fullIds('knee'));
  });

  it('GIVEN inflected forms and British spellings THEN they meet the list’s words', () => {
    expect(fullIds('segmenting liver')).toEqual(fullIds('liver segmentation'));
    expect(fullIds('mammograms')).toEqual(fullIds('mammogram'));
    expect(fullIds('tumour')).toEqual(fullIds('tumor'));
    expect(fullIds('haemorrhage')).toEqual(fullIds('hemorrhage'));
    expect(fullIds('localisation')).toEqual(fullIds('localization'));
    expect(fullIds('haemorrhage').size).toBeGreaterThan(0);
  });

  it('GIVEN Traditional Chinese THEN it reads as the Simplified list', () => {
    expect(fullIds('乳腺攝影')).toEqual(fullIds('乳腺摄影'));
    expect(fullIds('乳腺攝影').size).toBeGreaterThan(0);
    expect(fullIds('超聲波 胎兒')).toEqual(fullIds('超声波 胎儿'));
    expect(fullIds('肝臟腫瘤')).toEqual(fullIds('肝脏肿瘤'));
  });

  it('GIVEN "deep learning" alone THEN it narrows nothing: the whole list, and the reader is told why', () => {
    const r = search.search('deep learning', { limit: 100 });
    expect(r.total).toBe(papers.length);
    expect(r.notices.map((n) => n.en).join()).toMatch(/narrow nothing/);
    // Next to a topic it is dropped: it is never the reason a paper ranks.
    expect(ids('deep learning lung', 100)).toEqual(ids('lung', 100));
    expect(ids('深度学习 肺', 100)).toEqual(ids('肺', 100));
  });
});

describe('the concepts people name', () => {
  it('GIVEN a disease THEN the papers about it, then what it is a kind of, closest first', () => {
    // Dementia: the Alzheimer's papers (Alzheimer's disease is a dementia).
    expect(fullIds('dementia')).toEqual(fullIds('alzheimer'));
    // Melanoma: the melanoma paper first, then the skin cancer and skin lesion papers fill the page.
    const melanoma = hits('melanoma');
    expect(melanoma[0].paper.id).toBe(byTitle('Towards Automated Melanoma'));
    expect(melanoma.slice(1, 3).map((h) => h.paper.id).sort()).toEqual([byTitle('Dermatologist-level'), byTitle('Multi-resolution-tract')].sort());
    // Osteoarthritis: the knee.
    expect(ids('osteoarthritis')[0]).toBe(byTitle('Quantifying Radiographic Knee'));
    // Diabetic retinopathy reaches the retina papers.
    expect(ids('diabetic retinopathy', 10)).toContain(byTitle('A Fully Convolutional Neural Network based Structured Prediction'));
  });

  it('GIVEN a broad word THEN the paper whose short title is about it comes first: U-Net for segmentation and technique:u-net', () => {
    expect(ids('segmentation')[0]).toBe(byTitle('U-net'));
    expect(ids('technique:u-net')[0]).toBe(byTitle('U-net'));
  });
});

describe('properties', () => {
  const vocabularyWords = () => {
    const words = new Set<string>();
    for (const p of papers) for (const label of [...p.regions.map((r) => r.en), ...p.tasks.map((t) => t.en), ...p.techniques, ...p.modalities]) words.add(label);
    return [...words];
  };

  it('GIVEN a query with any word the catalog knows, among unknown ones THEN it never comes back empty', () => {
    const known = fc.constantFrom(...vocabularyWords());
    const junk = fc.stringMatching(/^[qxz]{4,9}$/);
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 3 }), known, fc.array(junk, { maxLength: 3 }), (before, word, after) => {
        const q = [...before, word, ...after].join(' ');
        const r = search.search(q, { limit: 5 });
        expect(r.hits.length, q).toBeGreaterThan(0);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('GIVEN any exclusion THEN no result holds the excluded word in any field', () => {
    const words = fc.constantFrom(...vocabularyWords(), 'lung', 'brain', 'gan', 'ct', 'mri', 'detection', '肺', 'nodule', 'liver');
    fc.assert(
      fc.property(words, words, fc.constantFrom('-', 'NOT '), (word, excluded, operator) => {
        const q = `${word} ${operator}${excluded.includes(" ") ? `"${excluded}"` : excluded}`;
        const excludedUnits = index.textUnits(excluded);
        for (const h of search.search(q, { limit: 50 }).hits) {
          const terms = index.termsOf(h.paper);
          for (const unit of excludedUnits) for (const l of unit.lookups.filter((x) => x.exact)) expect(terms.has(l.term), `${q}: ${h.paper.title}`).toBe(false);
        }
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
