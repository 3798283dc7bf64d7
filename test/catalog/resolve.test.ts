import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PaperResolver, ResolveError } from '../../src/catalog/sources/resolve.js';
import { HostPacer, HttpClient } from '../../src/net/index.js';
import { FakeSources } from '../fakes/sources.js';

const fake = new FakeSources();
let resolver: PaperResolver;
const waits: number[] = [];

beforeAll(async () => {
  await fake.start();
});
afterAll(() => fake.stop());
/** A resolver over the fakes; the timeout only catches hangs (a loaded machine is slow, not broken). */
function makeResolver(timeoutMs = 20_000): PaperResolver {
  const pacer = new HostPacer();
  const http = new HttpClient({ userAgent: 'paperbot/test (mailto:lab@example.org)', pacer, sleep: async (ms) => void waits.push(ms), timeoutMs, maxBytes: 1024 * 1024 });
  const made = new PaperResolver(fake.settings(), http);
  // The real arXiv spacing (3 s) is tested in the net tests; here it would only slow the suite.
  pacer.configure(fake.settings().arxivApiUrl, { concurrency: 1, intervalCap: 100, intervalMs: 1000 });
  return made;
}

beforeEach(() => {
  resolver = makeResolver();
  waits.length = 0;
});

async function refused(text: string): Promise<ResolveError> {
  try {
    await resolver.resolveText(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ResolveError);
    return error as ResolveError;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('arXiv', () => {
  it('resolves a new-style id from the 2025+ format, with DOI, journal ref and categories', async () => {
    const work = await resolver.resolveText('arXiv:2202.12139');
    expect(work.title).toBe('Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques');
    expect(work.arxivId).toBe('2202.12139');
    expect(work.arxivVersion).toBe(1);
    expect(work.doi).toBe('10.1109/icstw55395.2022.00035');
    expect(work.subjects).toContain('cs.SE');
    expect(work.year).toBe(2022);
    expect(work.authors[0]).toMatch(/^[^,]+, .+/);
    const request = fake.requests('arxiv').at(-1)!;
    expect(request.query.get('id_list')).toBe('2202.12139');
    expect(request.headers['user-agent']).toContain('mailto:lab@example.org');
  });

  it('resolves old-style ids, in the legacy format too', async () => {
    expect((await resolver.resolveText('astro-ph/0601001')).arxivId).toBe('astro-ph/0601001');
    const legacy = await resolver.resolveText('https://arxiv.org/abs/cond-mat/0412498v1');
    expect(legacy.title).toContain('Thermal melting of density waves');
    expect(legacy.doi).toBe('10.1103/physrevb.71.184511');
  });

  it('names a missing id, and an id arXiv refuses', async () => {
    const missing = await refused('2401.99999');
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toContain('arXiv:2401.99999');
    expect((await refused('not-an-id')).kind).toBe('not-found');
  });

  it('reports a withdrawn paper', async () => {
    const entry = fake.arxiv.get('1202.4527')!;
    fake.arxiv.set('9912.00001', entry.replace('</summary>', '</summary>\n    <arxiv:comment>This paper has been withdrawn by the author due to an error</arxiv:comment>'));
    expect((await refused('9912.00001')).kind).toBe('withdrawn');
  });

  it('refuses a DOCTYPE answer without expanding it, and an HTML page', async () => {
    fake.fail('arxiv', 'doctype');
    fake.fail('openalex', 'reset');
    const unsafe = await refused('2202.12139');
    expect(unsafe.kind).toBe('unavailable');
    expect(unsafe.message).toContain('DOCTYPE');
    fake.fail('arxiv', 'html');
    fake.fail('openalex', 'reset');
    expect((await refused('2202.12139')).message).toContain('web page');
  });
});

describe('Crossref', () => {
  it('resolves a DOI with the JATS abstract stripped and adopts the announced rate limits', async () => {
    const work = await resolver.resolveText('https://doi.org/10.7554/eLife.01567');
    expect(work.title).toBe('Automated quantitative histology reveals vascular morphodynamics during Arabidopsis hypocotyl secondary growth');
    expect(work.authors[0]).toBe('Sankar, Martial');
    expect(work.venue).toBe('eLife');
    expect(work.year).toBe(2014);
    expect(work.abstract).toMatch(/^Among various advantages/);
    expect(work.abstract).not.toContain('<');
    expect(fake.requests('crossref').at(-1)!.query.get('mailto')).toBe('lab@example.org');
  });

  it('an unknown DOI is a 404 named as not found, after OpenAlex has nothing either', async () => {
    const error = await refused('10.9999/nothing-here');
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('doi:10.9999/nothing-here');
  });

  it('falls back to OpenAlex when Crossref is down, with the abstract rebuilt from its inverted index', async () => {
    fake.fail('crossref', 'reset');
    const work = await resolver.resolveText('10.7554/eLife.01567');
    expect(work.source).toBe('openalex');
    expect(work.pmid).toBe('24520159');
    expect(work.abstract).toMatch(/^Among various advantages/);
  });

  it('retries a 429 after Retry-After', async () => {
    fake.fail('crossref', '429');
    const work = await resolver.resolveText('10.7554/eLife.01567');
    expect(work.source).toBe('crossref');
    expect(waits).toEqual([1000]);
  });

  it('a truncated or malformed answer is unavailable, not half a record', async () => {
    fake.fail('crossref', 'truncated');
    fake.fail('openalex', 'malformed-json');
    const error = await refused('10.7554/eLife.01567');
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/cut off|does not parse/);
  });

  it('a source that never answers times out', async () => {
    fake.fail('crossref', 'hang');
    fake.fail('openalex', 'hang');
    resolver = makeResolver(300);
    const error = await refused('10.7554/eLife.01567');
    expect(error.message).toContain('did not answer in time');
  });
});

describe('NCBI', () => {
  it('resolves a PMID through EFetch (DOCTYPE naming the DTD only), with MeSH terms, tool and email', async () => {
    const work = await resolver.resolveText('PMID:32820036');
    expect(work.title).toContain('BCOR-PRC1.1');
    expect(work.doi).toBe('10.1101/gad.337584.120');
    expect(work.pmcid).toBe('PMC7462063');
    expect(work.subjects).toContain('Animals');
    expect(work.authors[0]).toBe('Kutscher, Lena M');
    const request = fake.requests('ncbi').at(-1)!;
    expect(request.query.get('tool')).toBe('paperbot');
    expect(request.query.get('email')).toBe('lab@example.org');
  });

  it('resolves a PMC id through ESearch', async () => {
    const work = await resolver.resolveText('https://pmc.ncbi.nlm.nih.gov/articles/PMC7462063/');
    expect(work.pmid).toBe('32820036');
  });

  it('an unknown PMID is not found', async () => {
    expect((await refused('PMID:1')).kind).toBe('not-found');
  });

  it('an oversized answer is refused', async () => {
    fake.fail('ncbi', 'oversize');
    fake.fail('openalex', 'reset');
    expect((await refused('PMID:32820036')).message).toContain('larger than allowed');
  });
});
