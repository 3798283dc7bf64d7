import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, MAX_SOURCE_BYTES, validateSource } from '../../src/catalog/index.js';
import { main } from '../../adapters/cli/index.js';
import { CatalogError } from '../../src/errors.js';

let dir: string;
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const HEADER = '# Segmentation\n\n| Technique | Modality | Area | Paper Title| DB | J/C | Year |\n| ------ | --- | --- | --- |---|--- | ---- |\n';
const load = (file: string) => loadCatalog({ extraSources: [file], cache: false });
const failure = async (file: string): Promise<CatalogError> => {
  const error = await load(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CatalogError);
  return error as CatalogError;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperbot-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sources that break parsers', () => {
  it('GIVEN a markdown source with 3,000 nested ">" THEN the load fails with a CatalogError on that line, not a stack overflow', async () => {
    const file = write('nested.md', `${HEADER}| CNN | CT | Lung | A paper [[pdf]](https://example.org/a) | | MICCAI | 2017 |\n\n${'>'.repeat(3000)} deep\n`);
    const error = await failure(file);
    expect(error.file).toContain('nested.md');
    expect(error.line).toBe(7);
    expect(error.message).toMatch(/nest/);
    const report = await validateSource(file);
    expect(report.problems[0]).toMatchObject({ line: 7 });
  });

  it('GIVEN a source over the size cap THEN the load fails at once with a CatalogError naming the cap', async () => {
    const entry = (i: number) => `@article{k${i},\n title={Paper number ${i} on lung nodule detection},\n author={Doe, Jane and Roe, Richard},\n year={2017}\n}\n`;
    let text = '';
    for (let i = 0; text.length <= MAX_SOURCE_BYTES.bib; i++) text += entry(i);
    const file = write('huge.bib', text);
    const error = await failure(file);
    expect(error.message).toMatch(/at most .*MB/);
    expect((await validateSource(file)).problems[0].message).toMatch(/at most/);
  });

  it('GIVEN a BibTeX entry the parser cannot place THEN its problem carries a real line, never 0', async () => {
    // An unclosed entry: the parser keeps it but cannot say where its text is.
    const file = write('open.bib', '@article{ok,\n title={Fine paper on liver segmentation},\n year={2018}\n}\n\n@article{notitle,\n  author={X}, year={2020\\}\n');
    const report = await validateSource(file);
    expect(report.problems.length).toBeGreaterThan(0);
    for (const p of report.problems) expect(p.line === null || p.line >= 1, JSON.stringify(p)).toBe(true);
    expect(report.problems.find((p) => /notitle has no title/.test(p.message))?.line).toBe(6);
  });
});

describe('links keep only http, https and DOIs', () => {
  const hostile = [
    '| CNN | CT | Lung | Script paper [[pdf]](javascript:alert(1)) | | MICCAI | 2017 |',
    '| CNN | CT | Lung | Data paper [[pdf]](data:text/html;base64,PHNjcmlwdD4=) | [Evil](vbscript:x) | MICCAI | 2017 |',
    '| CNN | CT | Lung | Doi paper [[pdf]](10.1007/978-3-319-24574-4_28) | | MICCAI | 2015 |',
    '| CNN | CT | Lung | Plain paper [[pdf]](https://example.org/plain) | [Good](https://grand-challenge.org) | MICCAI | 2016 |',
  ].join('\n');

  it('GIVEN javascript:, data: and vbscript: links THEN they are dropped from the records, a DOI becomes a doi.org link', async () => {
    const file = write('links.md', `${HEADER}${hostile}\n`);
    const catalog = await load(file);
    const find = (t: string) => catalog.papers.find((p) => p.title === t)!;
    expect(find('Script paper').url).toBe('');
    expect(find('Data paper').url).toBe('');
    expect(find('Data paper').datasets.find((d) => d.name === 'Evil')?.url ?? '').toBe('');
    expect(find('Doi paper').url).toBe('https://doi.org/10.1007/978-3-319-24574-4_28');
    expect(find('Plain paper').url).toBe('https://example.org/plain');
    expect(JSON.stringify(catalog.papers)).not.toMatch(/javascript:|data:text|vbscript:/i);
    expect(catalog.warnings?.join('\n')).toMatch(/links\.md:5: .*javascript:/);
  });

  it('GIVEN the same file THEN validate warns about each dropped link with its line, and --json output carries none', async () => {
    const file = write('links2.md', `${HEADER}${hostile}\n`);
    const report = await validateSource(file);
    expect(report.problems).toEqual([]);
    expect(report.warnings.join('\n')).toMatch(/:5: .*javascript:/);
    expect(report.warnings.join('\n')).toMatch(/:6: .*data:/);
    expect(report.warnings.join('\n')).toMatch(/:6: .*vbscript:/);

    let out = '';
    const io = { stdout: (s: string) => (out += s), stderr: () => {}, stdin: process.stdin, env: { PAPERBOT_SOURCES: file, LOG_LEVEL: 'silent', PAPERBOT_DB: join(dir, 'x.db') } };
    expect(await main(['validate', file], io)).toBe(0);
    expect(out).toMatch(/warning: .*javascript:/);
    out = '';
    await main(['list', '--json'], io);
    const papers = JSON.parse(out) as { url: string }[];
    expect(papers.length).toBeGreaterThan(50);
    expect(out).not.toMatch(/javascript:|vbscript:|data:text/i);
  });

  it('GIVEN a BibTeX url field with javascript: THEN it is dropped with a warning', async () => {
    const file = write('links.bib', '@article{e,\n title={A new paper on brain tumour grading},\n year={2020},\n url={javascript:alert(1)}\n}\n');
    const catalog = await load(file);
    expect(catalog.papers.find((p) => p.title.startsWith('A new paper'))?.url).toBe('');
    expect(catalog.warnings?.join('\n')).toMatch(/links\.bib:1: .*javascript:/);
  });
});
