import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { applyCorrections, loadCorrections } from '../../src/catalog/corrections.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import type { Paper } from '../../src/catalog/paper.js';

const byTitle = (papers: Paper[], start: string) => papers.find((p) => p.title.startsWith(start))!;

describe('corrections of the published list', () => {
  it('GIVEN the bundled list THEN every reviewed correction applies, and each has a reason and a source anyone can check', async () => {
    const catalog = await loadCatalog({ cache: false });
    const report = catalog.listCorrections!;
    expect(report.length).toBe(loadCorrections().length);
    for (const r of report) {
      expect(r.problem, r.correction.title).toBeUndefined();
      expect(r.applied).toBe(true);
      expect(r.correction.why.length).toBeGreaterThan(20);
      expect(r.correction.source).toMatch(/^(doi:10\.\d{4,}\/\S+|arXiv:\d{4}\.\d{4,5}|https:\/\/\S+)$/);
    }
  });

  it('GIVEN the corrected catalog THEN the known errors are fixed and each corrected field is marked', async () => {
    const { papers } = await loadCatalog();
    const petCt = byTitle(papers, 'Automated detection of pulmonary nodules in PET/CT');
    expect(petCt.regions.map((r) => r.en)).toEqual(['Lung']);
    expect(petCt.title).toBe('Automated detection of pulmonary nodules in PET/CT images: Ensemble false-positive reduction using a convolutional neural network technique');
    expect(petCt.corrections?.map((c) => c.field)).toEqual(['regions', 'title']);
    expect(petCt.corrections?.[0]).toMatchObject({ was: 'Heart', source: 'doi:10.1118/1.4948498' });

    expect(byTitle(papers, 'Efficient multi-scale 3D CNN').regions.map((r) => r.en)).toEqual(['Brain']);
    const views = byTitle(papers, 'Improving Computer-Aided Detection');
    expect(views.modalities).toEqual(['CT']);
    expect(views.regions.map((r) => r.en)).toEqual(['Lymph Node', 'Bone', 'Colon']);
    expect(views.regions.map((r) => r.zh)).toEqual(['淋巴结', '骨骼', '结肠']);
    expect(byTitle(papers, 'Computer-Aided Diagnosis with Deep Learning Architecture').venue).toBe('Scientific Reports');
    expect(byTitle(papers, 'Deep learning of feature representation').authors.slice(-1)).toEqual(['Chang, Eric I-Chao']);
    // Ids are the list's: a corrected title does not move the paper.
    expect(petCt.id).toBe('automated-detection-of-pulmonary-nodules-in-pet-ct-images-2016');
    // A paper nobody corrected carries no mark.
    expect(byTitle(papers, 'U-net').corrections).toBeUndefined();
  });

  it('GIVEN a correction that no longer matches the list THEN it is reported, not applied', () => {
    const paper: Paper = { id: 'p', title: 'A Paper', url: '', year: 2016, venue: 'MICCAI', techniques: [], modalities: ['CT'], regions: [], tasks: [], datasets: [], authors: [], sources: [] };
    const { papers, report } = applyCorrections(
      [paper],
      [
        { title: 'A Paper', field: 'venue', was: 'Nature', now: 'Scientific Reports', why: 'stale', source: 'doi:10.1/x' },
        { title: 'Another Paper', field: 'venue', was: 'MICCAI', now: 'IPMI', why: 'unknown paper', source: 'doi:10.1/y' },
        { title: 'a paper', field: 'modalities', was: ['CT'], now: ['MRI'], why: 'applies: titles match whatever their case', source: 'doi:10.1/z' },
      ],
      bundledVocabulary(),
    );
    expect(papers[0].venue).toBe('MICCAI');
    expect(papers[0].modalities).toEqual(['MRI']);
    expect(report.map((r) => [r.applied, r.problem ?? ''])).toEqual([
      [false, 'the list now says MICCAI, not Nature'],
      [false, 'no paper in the list has this title'],
      [true, ''],
    ]);
    // The input is not changed in place.
    expect(paper.modalities).toEqual(['CT']);
  });
});
