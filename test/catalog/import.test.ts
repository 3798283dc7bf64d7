import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, validateSource, type Catalog } from '../../src/catalog/index.js';
import type { Paper } from '../../src/catalog/paper.js';
import { CatalogError } from '../../src/errors.js';

let catalog: Catalog;
let dir: string;

const byTitle = (start: string): Paper => {
  const found = catalog.papers.filter((p) => p.title.toLowerCase().startsWith(start.toLowerCase()));
  expect(found, `one paper titled "${start}…"`).toHaveLength(1);
  return found[0];
};
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const HEADER = '| Technique | Modality | Area | Paper Title| DB | J/C | Year |\n| ------ | --- | --- | --- |---|--- | ---- |\n';

beforeAll(async () => {
  catalog = await loadCatalog();
  dir = mkdtempSync(join(tmpdir(), 'paperbot-catalog-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('importing the bundled list', () => {
  it('GIVEN 59 table rows in each language THEN there are 55 papers with unique, readable ids', () => {
    expect(catalog.papers).toHaveLength(55);
    const ids = catalog.papers.map((p) => p.id);
    expect(new Set(ids).size).toBe(55);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*-\d{4}$/);
    expect(byTitle('U-net').id).toBe('u-net-convolutional-networks-for-biomedical-image-segmentation-2015');
  });

  it('GIVEN a paper listed in two sections THEN it is one record holding both tasks in both languages', () => {
    const tasks = (start: string) => byTitle(start).tasks.map((t) => `${t.en}/${t.zh}`).sort();
    expect(tasks('DeepLung')).toEqual(['Classification/分类', 'Detection / Localization/检测']);
    expect(tasks('SurvivalNet')).toEqual(['Classification/分类', 'Segmentation/分割']);
    expect(tasks('Automated anatomical landmark detection ondistal femur')).toEqual(['Detection / Localization/检测', 'Regression/回归']);
    expect(tasks('q-Space Deep Learning')).toEqual(['Regression/回归', 'Segmentation/分割']);
  });

  it('GIVEN the Chinese mistranslations THEN the English reference wins and each fix is recorded', () => {
    expect(byTitle('AggNet').tasks).toEqual([{ en: 'Annotation', zh: '标注' }]);
    expect(byTitle('An Artificial Agent for Robust Image Registration').tasks).toEqual([{ en: 'Registration', zh: '配准' }]);
    expect(byTitle('Adversarial Deep Structured Nets').regions).toEqual([{ en: 'Breast Mass', zh: '乳腺肿块' }]);
    expect(byTitle('Regressing Heatmaps').regions).toEqual([{ en: 'Hand', zh: '手' }]);
    expect(byTitle('Computer-Aided Diagnosis with Deep Learning').regions).toEqual([
      { en: 'Breast', zh: '乳腺' },
      { en: 'Lung', zh: '肺' },
    ]);
    const fixed = new Set(catalog.corrections!.map((c) => c.zh));
    for (const zh of ['研究类综述', '正则化', '心肌', '头部', '乳腺,大脑']) expect(fixed).toContain(zh);
    // Every other disagreement between the two files would be a warning: there is none.
    expect(catalog.warnings).toEqual([]);
  });

  it('GIVEN a compound area cell THEN it becomes one region per concept with Chinese labels', () => {
    expect(byTitle('SurvivalNet').regions).toEqual([
      { en: 'Liver', zh: '肝' },
      { en: 'Liver Tumor', zh: '肝癌' },
    ]);
    expect(byTitle('Recognizing end-diastole').regions).toEqual([{ en: 'Heart', zh: '心脏' }]);
  });

  it('GIVEN empty and scheme-less links THEN the paper has no link and datasets get http://', () => {
    expect(byTitle('Deep learning of feature representation').url).toBe('');
    expect(byTitle('Dermatologist-level').url).toBe('');
    expect(byTitle('AggNet').datasets).toEqual([{ name: 'AMIDA', url: 'http://amida13.isi.uu.nl' }]);
    expect(byTitle('Predicting Alzheimer').datasets).toEqual([{ name: 'ADNI', url: 'http://adni.loni.usc.edu' }]);
    expect(byTitle('q-Space Deep Learning').datasets).toEqual([{ name: 'HCP', url: 'http://www.humanconnectome.org/' }]);
    expect(byTitle('q-Space Deep Learning').title).toBe('q-Space Deep Learning: Twelve-Fold Shorter and Model-Free Diffusion MRI');
  });

  it('GIVEN venue abbreviations THEN venues are normalised (MP is Medical Physics)', () => {
    expect(byTitle('Automated detection of pulmonary nodules in PET/CT').venue).toBe('Medical Physics');
    expect(byTitle('AnatomyNet').venue).toBe('Medical Physics');
    expect(byTitle('An Artificial Agent for Robust Image Registration').venue).toBe('');
  });

  it('GIVEN separated lists in cells THEN techniques and modalities are split', () => {
    expect(byTitle("Alzheimer's Disease Diagnostics").techniques).toEqual(['3D-CNN', '3D-CAE']);
    expect(byTitle('SurvivalNet').techniques).toEqual(['FCN', 'CNN']);
    expect(byTitle('An artificial agent for anatomical landmark').modalities).toEqual(['MRI', 'US', 'CT']);
    expect(byTitle('Automated detection of pulmonary nodules in PET/CT').modalities).toEqual(['PET', 'CT']);
  });

  it('GIVEN the BibTeX THEN authors are matched by normalised title, also when BibTeX shortens the title', () => {
    expect(byTitle('U-net').authors).toEqual(['Ronneberger, Olaf', 'Fischer, Philipp', 'Brox, Thomas']);
    // The list adds "Fully" to this title and "Neural Networks" to the next; the BibTeX does not.
    expect(byTitle('Self-Transfer Learning').authors).toEqual(['Hwang, Sangheum', 'Kim, Hyo-Eun']);
    expect(byTitle('Automated detection of pulmonary nodules in PET/CT').authors[0]).toBe('Teramoto, Atsushi');
    expect(catalog.papers.filter((p) => p.authors.length > 0)).toHaveLength(33);
  });

  it('GIVEN the bullet lists at the top THEN they add no paper', () => {
    expect(byTitle('AggNet').sources).toContain('data/upstream/README.md');
    expect(catalog.papers.filter((p) => p.title.startsWith('Adversarial Deep Structured Nets'))).toHaveLength(1);
  });
});

describe('extra sources', () => {
  it('GIVEN an extra markdown list THEN duplicates merge by normalised title and new papers are added', async () => {
    const list = write(
      'lab.md',
      `# Lab list\n\n#### Detection\n${HEADER}| U-Net | CT | Liver | U-NET:  convolutional networks for biomedical image segmentation [pdf](arxiv.org/abs/1505.04597) | [LiTS](lits.org)| MICCAI | 2015\n| CNN | MRI / CT |  | Our Own Kidney Paper | |  | 2020 |\n`,
    );
    const merged = await loadCatalog({ extraSources: [list] });
    expect(merged.papers).toHaveLength(56);
    const unet = merged.papers.find((p) => p.id.startsWith('u-net'))!;
    expect(unet.tasks.map((t) => t.en)).toEqual(['Segmentation', 'Detection / Localization']);
    expect(unet.datasets).toEqual([{ name: 'LiTS', url: 'http://lits.org' }]);
    const own = merged.papers.find((p) => p.title === 'Our Own Kidney Paper')!;
    expect(own.modalities).toEqual(['MRI', 'CT']);
    expect(own.regions).toEqual([]);
    expect(own.year).toBe(2020);
  });

  it('GIVEN a Chinese-only list THEN labels come from the vocabulary and known mistranslations are fixed', async () => {
    const list = write(
      'zh.md',
      `#### 正则化\n| 计算机技术 | 医学技术 | 目标区域 | 标题| 数据库 | J/C | 年份 |\n| --- | --- | --- | --- |---|--- | ---- |\n| CNN | CT | 肝，肝癌 | 一篇中文列表里的论文 | | | 2019 |\n| CNN | MG | 心肌 | Another Listed Paper | | | 2019 |\n`,
    );
    const merged = await loadCatalog({ extraSources: [list] });
    const a = merged.papers.find((p) => p.title === '一篇中文列表里的论文')!;
    expect(a.tasks).toEqual([{ en: 'Registration', zh: '配准' }]);
    expect(a.regions).toEqual([
      { en: 'Liver', zh: '肝' },
      { en: 'Liver Tumor', zh: '肝癌' },
    ]);
    expect(merged.papers.find((p) => p.title === 'Another Listed Paper')!.regions).toEqual([{ en: 'Breast Mass', zh: '乳腺肿块' }]);
  });

  it('GIVEN an extra BibTeX file THEN its new papers are added and a known paper is not duplicated', async () => {
    const bib = write(
      'lab.bib',
      `@article{a, title = {A Brand New Study of Retinal Imaging}, author = {Doe, Jane and Roe, Rick}, journal = {IEEE Transactions on Medical Imaging}, year = {2021}}\n@inproceedings{b, title = {DeepLung: Deep 3D Dual Path Nets for Automated Pulmonary Nodule Detection and Classification}, author = {Zhu, Wentao}, year = {2018}}\n`,
    );
    const merged = await loadCatalog({ extraSources: [bib] });
    expect(merged.papers).toHaveLength(56);
    const added = merged.papers.find((p) => p.title === 'A Brand New Study of Retinal Imaging')!;
    expect(added).toMatchObject({ authors: ['Doe, Jane', 'Roe, Rick'], venue: 'IEEE-TMI', year: 2021, id: 'a-brand-new-study-of-retinal-imaging-2021' });
    expect(merged.papers.find((p) => p.title.startsWith('DeepLung'))!.authors).toEqual(['Zhu, Wentao']);
  });
});

describe('the import cache', () => {
  it('GIVEN unchanged sources THEN the second load comes from the cache with the same records', async () => {
    const parsed = await loadCatalog({ cache: false });
    expect(parsed.origin).toBe('parsed');
    await loadCatalog();
    const cached = await loadCatalog();
    expect(cached.origin).toBe('cache');
    expect(cached.papers).toEqual(parsed.papers);
    expect(cached.corrections).toEqual(parsed.corrections);
  });

  it('GIVEN an extra source that changed THEN it is parsed again', async () => {
    const list = write('changing.md', `#### Segmentation\n${HEADER}| FCN | CT | Liver | First Version Title | | MICCAI | 2016 |\n`);
    await loadCatalog({ extraSources: [list] });
    expect((await loadCatalog({ extraSources: [list] })).origin).toBe('cache');
    write('changing.md', `#### Segmentation\n${HEADER}| FCN | CT | Liver | Second Version Title | | MICCAI | 2016 |\n`);
    const again = await loadCatalog({ extraSources: [list] });
    expect(again.origin).toBe('parsed');
    expect(again.papers.map((p) => p.title)).toContain('Second Version Title');
  });
});

describe('broken sources', () => {
  it('GIVEN a table row that fell out of its table THEN loading fails naming file and line', async () => {
    const bad = write('broken.md', `#### Segmentation\n${HEADER}| FCN | CT | Liver | A Fine Paper | | MICCAI | 2016 |\n\nsome text\n| FCN | CT | Liver | A Stray Row | | MICCAI | 2016 |\n`);
    const error = await loadCatalog({ extraSources: [bad] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).file).toMatch(/broken\.md$/);
    expect((error as CatalogError).line).toBe(7);
    expect((error as Error).message).toMatch(/broken\.md:7: line looks like a table row/);
  });

  it('GIVEN a bad year and an empty title THEN validate reports each problem on its line', async () => {
    const bad = write('years.md', `#### Classification\n${HEADER}| CNN | CT | Lung | Good Paper | | IPMI | 2015 |\n| CNN | CT | Lung | Bad Year Paper | | IPMI | 15/16 |\n| CNN | CT | Lung |  | | IPMI | 2015 |\n`);
    const report = await validateSource(bad);
    expect(report.problems).toEqual([
      { line: 5, message: 'year "15/16" is not a four-digit year' },
      { line: 6, message: 'row has no paper title' },
    ]);
    expect(report.papers).toBe(1);
  });

  it('GIVEN a BibTeX entry missing its closing brace THEN the problem names the line', async () => {
    const bib = write('bad.bib', '@article{a,\n  title = {First},\n  year = {2017},\n\n@article{b, title = {Second}, year = {2018}}\n');
    const report = await validateSource(bib);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0].line).toBe(5);
    await expect(loadCatalog({ extraSources: [bib] })).rejects.toThrow(/bad\.bib:5: BibTeX entry cannot be read/);
  });

  it('GIVEN the bundled files THEN validate finds no problem', async () => {
    for (const file of ['README.md', 'README_Simplified_Chinese.md', 'DLMA.bib']) {
      const report = await validateSource(join('data/upstream', file));
      expect(report.problems, file).toEqual([]);
      expect(report.papers, file).toBe(file.endsWith('.bib') ? 33 : 55);
    }
  });

  it('GIVEN a missing file or an unknown type THEN validate says so instead of throwing', async () => {
    expect((await validateSource(join(dir, 'nope.md'))).problems[0].message).toMatch(/cannot read the file: ENOENT/);
    expect((await validateSource(write('list.pdf', 'x'))).problems[0].message).toMatch(/unsupported file type/);
    await expect(loadCatalog({ extraSources: [join(dir, 'nope.md')] })).rejects.toBeInstanceOf(CatalogError);
  });
});
