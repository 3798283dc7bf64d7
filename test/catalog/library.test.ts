import { describe, expect, it } from 'vitest';
import { parseLibrary } from '../../src/catalog/library.js';

describe('reading a BibTeX library (citation-js)', () => {
  it('turns LaTeX into Unicode, keeps name particles, finds arXiv eprints, and gives each entry its line', async () => {
    const text = [
      '% exported by a reference manager',
      '@article{mueller2020,',
      '  title = {Lung Nodules in {CT}: M{\\"u}ller\'s {U-Net} -- Revisited},',
      '  author = {M{\\"u}ller, J{\\\'e}r{\\^o}me and van Ginneken, Bram},',
      '  journal = {Medical Image Analysis},',
      '  year = {2020}, doi = {https://doi.org/10.1016/J.MEDIA.2020.1}',
      '}',
      '',
      '@misc{preprint,',
      '  title = {A Preprint}, author = {Doe, Jane}, year = {2024},',
      '  eprint = {2401.01234}, archivePrefix = {arXiv}, keywords = {segmentation, MRI}',
      '}',
    ].join('\n');
    const parsed = await parseLibrary('bibtex', text);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.entries.map((e) => e.line)).toEqual([2, 9]);
    const [first, second] = parsed.entries.map((e) => e.work);
    expect(first?.title).toBe("Lung Nodules in CT: Müller's U-Net – Revisited");
    expect(first?.authors).toEqual(['Müller, Jérôme', 'van Ginneken, Bram']);
    expect(first?.doi).toBe('10.1016/j.media.2020.1');
    expect(first?.year).toBe(2020);
    expect(second?.arxivId).toBe('2401.01234');
    expect(second?.subjects).toEqual(['segmentation', 'MRI']);
  });

  it('skips a broken entry with its line and reads the entries around it', async () => {
    const text = '@article{a,\n  title = {First paper},\n  year = {2017}\n}\n@article{b,\n  title = {Broken {brace},\n  year = {2018}\n}\n@article{c, title = {Third paper}, year = {2019}}\n@misc{d, note = {no title}}\n';
    const parsed = await parseLibrary('bibtex', text);
    expect(parsed.entries.map((e) => [e.line, e.work.title])).toEqual([
      [1, 'First paper'],
      [9, 'Third paper'],
    ]);
    expect(parsed.skipped.map((s) => s.line)).toEqual([expect.any(Number), 10]);
    expect(parsed.skipped[0]?.line).toBeGreaterThanOrEqual(5);
    expect(parsed.skipped[0]?.reason).toMatch(/unreadable BibTeX/);
    expect(parsed.skipped[1]?.reason).toBe('entry d has no title');
  });

  it('reads a file with @string macros whole, lines still per entry', async () => {
    const text = '@string{mia = {Medical Image Analysis}}\n\n@article{x,\n  title = {With a macro},\n  journal = mia,\n  year = {2021}\n}\n@article{y,\n  title = {Second},\n  journal = mia, eprint = {1505.04597}\n}\n';
    const parsed = await parseLibrary('bibtex', text);
    expect(parsed.entries.map((e) => [e.line, e.work.venue, e.work.arxivId])).toEqual([
      [3, 'Medical Image Analysis', undefined],
      [8, 'Medical Image Analysis', '1505.04597'],
    ]);
  });
});
