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
  it('GIVEN "liver segmentation" THEN papers labelled and titled with the words rank above those only labelled or only titled', () => {
    // liver-both: both words are labels AND in the title — strongest evidence.
    // half-tagged: segmentation is a label and the subject of its short title, whose other subject is
    //   the liver ("hepatic"): a liver segmentation paper by its own title.
    // liver-tagged: both words are labels, but its title names neither — the list says so, the authors don't.
    // liver-in-title: both words only in the title; its labels say classification of RGB photos — weakest.
    expect(order('liver segmentation')).toEqual(['liver-both', 'half-tagged', 'liver-tagged', 'liver-in-title']);
  });

  it('GIVEN a broad word THEN a short, focused title about it ranks above a long title that also carries the label', () => {
    const focused = paper('focused', 'Segmentation Networks', { tasks: [{ en: 'Segmentation', zh: '分割' }], year: 2015 });
    const long = paper('long', 'Automatic Liver and Tumor Segmentation of CT and MRI Volumes using Cascaded Networks and Random Fields', {
      tasks: [{ en: 'Segmentation', zh: '分割' }], regions: [{ en: 'Liver', zh: '肝' }], modalities: ['CT', 'MRI'], techniques: ['FCN'], year: 2019,
    });
    // Both are segmentation papers; "segmentation" is what the first one is about, one topic among
    // many of the second. The newer year must not outweigh that: the year only breaks ties.
    expect(createSearch({ papers: [long, focused] }).search('segmentation').hits.map((h) => h.paper.id)).toEqual(['focused', 'long']);
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
    const newer = paper('newer', 'Lung Nodule Detection', { year: 2019, regions: [{ en: 'Lung', zh: '肺' }] });
    // Same labels, same title: a reader looking for nodule detection wants the recent one first.
    expect(createSearch({ papers: [older, newer] }).search('lung nodule').hits.map((h) => h.paper.id)).toEqual(['newer', 'older']);
  });

  it('GIVEN a dataset that implies a disease THEN papers saying it outrank the one only implying it', () => {
    const says = paper('says', "Alzheimer's Disease Classification from MRI", { datasets: [{ name: 'ADNI', url: '' }] });
    const implied = paper('implied', 'Graph Convolutions for Population Studies', { datasets: [{ name: 'ADNI', url: '' }] });
    // ADNI is the Alzheimer's Disease Neuroimaging Initiative: "implied" is related, "says" is on topic.
    expect(createSearch({ papers: [implied, says] }).search('alzheimer').hits.map((h) => h.paper.id)).toEqual(['says', 'implied']);
  });

  it('GIVEN a query word in no paper THEN the papers holding the other words fill the page and say what they miss', () => {
    // No paper is about teeth: rather than nothing, the liver papers, best first, each marked as missing "teeth".
    const r = search.search('liver teeth', { limit: 10 });
    expect(r.hits.map((h) => h.paper.id)).toEqual(order('liver'));
    for (const h of r.hits) expect(h.missing).toEqual(['teeth']);
    expect(r.related).toBe(r.total);
  });

  it('GIVEN some papers with every word THEN they come before any that miss one', () => {
    // liver-both and liver-tagged hold both "liver" and "ct"; the others miss "ct" and only fill the page.
    const hits = search.search('liver ct', { limit: 10 }).hits;
    const firstPartial = hits.findIndex((h) => h.missing.length > 0);
    expect(hits.slice(0, firstPartial).map((h) => h.paper.id).sort()).toEqual(['liver-both', 'liver-tagged']);
    expect(hits.slice(firstPartial).every((h) => h.missing.length > 0)).toBe(true);
  });
});

describe('filter values of several words', () => {
  const mp = paper('mp-seg', 'Organ Delineation in Planning Scans', { venue: 'Medical Physics', tasks: [{ en: 'Segmentation', zh: '分割' }], authors: ['Chen, Hao'] });
  const mpOther = paper('mp-cls', 'Dose Prediction for Radiotherapy', { venue: 'Medical Physics', tasks: [{ en: 'Classification', zh: '分类' }], authors: ['Chen, Wei'] });
  const media = paper('media', 'Physics-informed Segmentation of Vessels', { venue: 'MedIA', tasks: [{ en: 'Segmentation', zh: '分割' }] });
  const lidc = paper('lidc', 'Nodule Malignancy from CT', { datasets: [{ name: 'LIDC-IDRI', url: '' }], authors: ['Chen, Hao'], regions: [{ en: 'Lung', zh: '肺' }] });
  const s = createSearch({ papers: [mp, mpOther, media, lidc] });
  const found = (q: string) => s.search(q, { limit: 10 }).hits.map((h) => h.paper.id).sort();

  it('GIVEN venue:medical physics unquoted THEN the words that complete a known venue are its value', () => {
    // "physics" completes the venue name Medical Physics, so it is part of the filter, not a free word
    // every result must hold (which only the MedIA paper's title does): both Medical Physics papers.
    expect(found('venue:medical physics')).toEqual(['mp-cls', 'mp-seg']);
    expect(found('venue:medical physics')).toEqual(found('venue:"medical physics"'));
  });

  it('GIVEN a word after the known value THEN it stays a free word every result must match', () => {
    // "segmentation" completes no venue: Medical Physics papers about segmentation only.
    expect(found('venue:medical physics segmentation')).toEqual(['mp-seg']);
  });

  it('GIVEN author:given family in either order THEN only that person, not everyone sharing the family name', () => {
    // Hao Chen wrote mp-seg and lidc; Wei Chen (mp-cls) shares only the family name.
    expect(found('author:hao chen')).toEqual(['lidc', 'mp-seg']);
    expect(found('author:chen hao')).toEqual(['lidc', 'mp-seg']);
    // "lung" is no part of any name: Chen's papers about the lung.
    expect(found('author:chen lung')).toEqual(['lidc']);
  });

  it('GIVEN a name filter in a query that matches nothing THEN the suggestion writes the name as typed', () => {
    // Hao Chen wrote no classification paper. Dropping "classification" leaves his papers: the
    // suggestion reads "author:hao chen", one filter, not the two units it was matched as.
    const suggestions = s.search('author:hao chen classification').suggestions;
    expect(suggestions).toContain('author:hao chen');
    expect(suggestions.join()).not.toMatch(/author:hao author:chen/);
  });

  it('GIVEN a dataset name written with a space THEN it is read whole', () => {
    // LIDC-IDRI tokenizes to "lidc idri": typed with a space it is the same dataset, not "idri" as a free word.
    expect(found('dataset:lidc idri')).toEqual(['lidc']);
  });
});

describe('what an empty result suggests', () => {
  const tumor = paper('brain-tumor', 'Brain Tumor Delineation with Cascaded Networks', { regions: [{ en: 'Brain', zh: '大脑' }], tasks: [{ en: 'Segmentation', zh: '分割' }] });
  const tumorCls = paper('brain-tumor-cls', 'Brain Tumor Grading from MRI', { regions: [{ en: 'Brain', zh: '大脑' }], tasks: [{ en: 'Classification', zh: '分类' }] });
  const named = paper('named', 'Retinal Screening at Scale', { regions: [{ en: 'Retina', zh: '视网膜' }], authors: ['van Ginneken, Bram', 'El-Baz, Ayman'] });
  const s = createSearch({ papers: [tumor, tumorCls, named] });
  const suggestions = (q: string) => s.search(q).suggestions;

  it('GIVEN a dataset no paper used THEN what it is about is suggested, in place in the query', () => {
    // BraTS is the brain tumour segmentation challenge: none of these papers names it, but its broader
    // concept (brain tumour) finds the brain tumour papers; with "segmentation" kept, the one that segments.
    expect(suggestions('brats')[0]).toBe('brain tumor');
    expect(suggestions('brats segmentation')[0]).toBe('brain tumor segmentation');
  });

  it('GIVEN the Chinese name of such a dataset THEN the suggestion is in Chinese', () => {
    // A reader who typed Chinese gets the broader concept's Chinese name (脑肿瘤, brain tumour).
    expect(suggestions('BraTS 脑肿瘤分割挑战')[0]).toBe('脑肿瘤');
  });

  it('GIVEN a word near both a topic word and an author name THEN the topic comes first and the name is an author filter', () => {
    // "bran" is one edit from "brain" (a region of the vocabulary) and from "bram" (a co-author's given
    // name): the reader most likely meant the topic; the name is still offered, as what it is.
    expect(suggestions('bran')).toEqual(['brain', 'author:bram']);
  });

  it('GIVEN a word two edits from an author name THEN the name is not offered', () => {
    // "brats"-like noise: "brant" is two edits from "bram" and from "baz"; only a topic word that far is worth offering.
    expect(suggestions('brant')).toEqual(['brain']);
  });
});

describe('short prefixes', () => {
  const measuring = paper('measuring', 'Cortical Thickness Measurement', { tasks: [{ en: 'Regression', zh: '回归' }] });
  const seg = paper('seg', 'Cortical Parcellation', { tasks: [{ en: 'Segmentation', zh: '分割' }] });
  const s = createSearch({ papers: [measuring, seg] });
  const found = (q: string) => s.search(q).hits.map((h) => h.paper.id);

  it('GIVEN three letters THEN they are read only as the start of a vocabulary word', () => {
    // "seg" is how people shorten segmentation; "mea" is no word of the vocabulary, so it is not read as an unfinished "measurement".
    expect(found('seg')).toEqual(['seg']);
    expect(found('mea')).toEqual([]);
    // Four letters are rarely a different word: "meas" is "measurement" being typed.
    expect(found('meas')).toEqual(['measuring']);
  });
});
