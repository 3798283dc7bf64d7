import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/catalog/paper.js';
import { createSearch } from '../../src/search/index.js';

function paper(id: string, title: string, tags: Partial<Paper> = {}): Paper {
  return { id, title, url: '', year: 2017, venue: '', techniques: [], modalities: [], regions: [], tasks: [], datasets: [], authors: [], sources: ['test'], ...tags };
}

const lung = paper('lung', 'Pulmonary Nodule Detection in CT', { regions: [{ en: 'Lung', zh: '肺' }], tasks: [{ en: 'Detection / Localization', zh: '检测' }], modalities: ['CT'] });
const liver = paper('liver', 'Liver Segmentation with Cascaded Networks', { regions: [{ en: 'Liver', zh: '肝' }], tasks: [{ en: 'Segmentation', zh: '分割' }], modalities: ['CT'] });
const brain = paper('brain', 'Brain Tumor Segmentation with GANs', { regions: [{ en: 'Brain', zh: '大脑' }], tasks: [{ en: 'Segmentation', zh: '分割' }], techniques: ['GAN'], modalities: ['MRI'], year: 2019 });
const fetal = paper('fetal', 'Standard Plane Localisation in Fetal Ultrasound', { regions: [{ en: 'Fetal', zh: '胎儿' }], modalities: ['US'], year: 2015, authors: ['Zyxwort, Ann'] });

const found = (s: ReturnType<typeof createSearch>, q: string) => s.search(q, { limit: 50 }).hits.filter((h) => h.missing.length === 0).map((h) => h.paper.id).sort();
/** Every hit with its score: what a search built from scratch must give as well. */
const scored = (s: ReturnType<typeof createSearch>, q: string) => Object.fromEntries(s.search(q, { limit: 50 }).hits.map((h) => [h.paper.id, [h.score, h.missing.join()]]));

describe('an index kept up to date one paper at a time', () => {
  it('GIVEN a paper added after the build THEN its words find it', () => {
    const s = createSearch({ papers: [lung, liver] });
    expect(found(s, 'ultrasound')).toEqual([]);
    s.upsert(fetal);
    expect(found(s, 'ultrasound')).toEqual(['fetal']);
    expect(found(s, '胎儿')).toEqual(['fetal']);
    expect(s.get('fetal')?.title).toBe(fetal.title);
    expect(s.size).toBe(3);
  });

  it('GIVEN a paper changed THEN its old labels no longer find it and its new ones do', () => {
    const s = createSearch({ papers: [lung, liver, brain] });
    s.upsert({ ...liver, regions: [{ en: 'Kidney', zh: '肾' }], title: 'Kidney Segmentation with Cascaded Networks' });
    expect(found(s, 'liver')).toEqual([]);
    expect(found(s, 'kidney')).toEqual(['liver']);
    expect(found(s, 'segmentation')).toEqual(['brain', 'liver']);
    expect(s.size).toBe(3);
  });

  it('GIVEN a paper removed THEN nothing finds it, not even a prefix of a word only it had', () => {
    const s = createSearch({ papers: [lung, liver, fetal] });
    expect(found(s, 'author:zyxwort')).toEqual(['fetal']);
    expect(s.remove('fetal')).toBe(true);
    expect(s.remove('fetal')).toBe(false);
    expect(s.get('fetal')).toBeNull();
    expect(s.search('zyxw', { limit: 10 }).hits).toEqual([]);
    expect(found(s, 'ultrasound')).toEqual([]);
    expect(s.size).toBe(2);
  });

  it('GIVEN an abstract THEN its words find the paper, below a paper whose title says them', () => {
    const inAbstract = paper('abstract', 'Guidewire Tracking in Fluoroscopy', { abstract: 'We track catheter tips and guidewires in interventional X-ray sequences.' });
    const inTitle = paper('title', 'Catheter Tip Tracking in Fluoroscopy');
    const s = createSearch({ papers: [inAbstract, inTitle] });
    // The title is the authors' summary; an abstract mentions many things in passing.
    expect(s.search('catheter').hits.map((h) => h.paper.id)).toEqual(['title', 'abstract']);
  });

  it('GIVEN any sequence of adds, changes and removals THEN searches equal those of an index built from scratch', () => {
    const variants = [lung, liver, brain, fetal, { ...lung, title: 'Lung Nodule Classification' }, { ...brain, regions: [{ en: 'Liver', zh: '肝' }] }, { ...fetal, modalities: ['MRI'] }];
    const step = fc.oneof(fc.record({ op: fc.constant('upsert' as const), paper: fc.constantFrom(...variants) }), fc.record({ op: fc.constant('remove' as const), id: fc.constantFrom('lung', 'liver', 'brain', 'fetal') }));
    const queries = ['segmentation', 'liver', 'lung nodule', 'ultrasound OR mri', 'segmentation -brain', 'ct', 'gan brain', 'classification'];
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const live = new Map<string, Paper>([lung, liver].map((p) => [p.id, p]));
        const s = createSearch({ papers: [...live.values()] });
        for (const st of steps) {
          if (st.op === 'upsert') (s.upsert(st.paper), live.set(st.paper.id, st.paper));
          else expect(s.remove(st.id)).toBe(live.delete(st.id));
        }
        const fresh = createSearch({ papers: [...live.values()] });
        expect(s.size).toBe(live.size);
        for (const q of queries) expect(scored(s, q), q).toEqual(scored(fresh, q));
      }),
      { numRuns: 60, seed: 20261201 },
    );
  });
});
