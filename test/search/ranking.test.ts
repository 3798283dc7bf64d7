import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/catalog/paper.js';
import { createSearch } from '../../src/search/index.js';

/** A few realistic records, minisearch style: each expected order below says why it is right. */
function paper(id: string, title: string, tags: Partial<Paper> = {}): Paper {
  return { id, title, url: '', year: 2017, venue: '', techniques: [], modalities: [], regions: [], tasks: [], datasets: [], authors: [], sources: ['test'], ...tags };
}

const liverTagged = paper('liver-tagged', 'Cascaded Networks for Abdominal Organ Delineation', {
  regions: [{ en: 'Liver', zh: '肝' }],
  tasks: [{ en: 'Segmentation', zh: '分割' }],
  modalities: ['CT'],
});
const liverInTitle = paper('liver-in-title', 'Liver Segmentation as a Benchmark for Generic Vision Models', {
  tasks: [{ en: 'Classification', zh: '分类' }],
  modalities: ['RGB'],
});
const liverBoth = paper('liver-both', 'Automatic Liver Segmentation in CT with 3D Networks', {
  regions: [{ en: 'Liver', zh: '肝' }],
  tasks: [{ en: 'Segmentation', zh: '分割' }],
  modalities: ['CT'],
});
const halfTagged = paper('half-tagged', 'Segmentation of Hepatic Vessels', {
  regions: [{ en: 'Vessel', zh: '血管' }],
  tasks: [{ en: 'Segmentation', zh: '分割' }],
});
const search = createSearch({ papers: [liverInTitle, halfTagged, liverTagged, liverBoth] });
const order = (q: string) => search.search(q, { limit: 10 }).hits.map((h) => h.paper.id);

describe('ranking', () => {
  it('GIVEN "liver segmentation" THEN tag matches for every word rank above title mentions', () => {
    // liver-both: both words are tags AND in the title — strongest evidence.
    // liver-tagged: both words are tags, neither in the title — the list says it is a liver segmentation paper.
    // half-tagged: segmentation is a tag, "hepatic" (liver) only in the title — one tag match.
    // liver-in-title: both words only in the title; its tags say classification of RGB photos — weakest.
    expect(order('liver segmentation')).toEqual(['liver-both', 'liver-tagged', 'half-tagged', 'liver-in-title']);
  });

  it('GIVEN the Chinese query THEN the order is the same, because the words are the same concepts', () => {
    expect(order('肝脏分割')).toEqual(order('liver segmentation'));
  });

  it('GIVEN an exact title THEN that paper is first even though others have stronger tag matches', () => {
    // The user typed a whole title: they want that paper, not the best "liver segmentation" paper.
    expect(order('Liver Segmentation as a Benchmark for Generic Vision Models')[0]).toBe('liver-in-title');
  });

  it('GIVEN part of a title as a phrase THEN the paper holding the phrase comes first', () => {
    // Three or more words in title order read as the title the user remembers.
    expect(order('benchmark for generic vision')[0]).toBe('liver-in-title');
  });

  it('GIVEN equal evidence THEN the newer paper comes first', () => {
    const older = paper('older', 'Lung Nodule Detection', { year: 2015, regions: [{ en: 'Lung', zh: '肺' }] });
    const newer = paper('newer', 'Lung Nodule Detection Revisited', { year: 2019, regions: [{ en: 'Lung', zh: '肺' }] });
    // Same tags, same title words: a reader looking for nodule detection wants the recent one first.
    expect(createSearch({ papers: [older, newer] }).search('lung nodule').hits.map((h) => h.paper.id)).toEqual(['newer', 'older']);
  });

  it('GIVEN a dataset that implies a disease THEN papers saying it outrank the one only implying it', () => {
    const says = paper('says', "Alzheimer's Disease Classification from MRI", { datasets: [{ name: 'ADNI', url: '' }] });
    const implied = paper('implied', 'Graph Convolutions for Population Studies', { datasets: [{ name: 'ADNI', url: '' }] });
    // ADNI is the Alzheimer's Disease Neuroimaging Initiative: "implied" is related, "says" is on topic.
    expect(createSearch({ papers: [implied, says] }).search('alzheimer').hits.map((h) => h.paper.id)).toEqual(['says', 'implied']);
  });

  it('GIVEN a query word in no paper THEN nothing is returned (AND, never a silent OR)', () => {
    expect(order('liver teeth')).toEqual([]);
  });
});
