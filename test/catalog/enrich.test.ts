import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperResolver, ResolveError } from '../../src/catalog/sources/resolve.js';
import { HostPacer, HttpClient } from '../../src/net/index.js';
import { consoleBot } from '../helpers/console-bot.js';
import { makePaper } from '../helpers/papers.js';
import { FakeSources } from '../fakes/sources.js';

const fake = new FakeSources();

function fastHttp(): HttpClient {
  return new HttpClient({ userAgent: 'paperbot/test (mailto:lab@example.org)', pacer: new HostPacer(), sleep: async () => undefined, timeoutMs: 20_000 });
}

beforeAll(async () => {
  await fake.start();
  // Crossref's search is fuzzy: a near title and the same title by another author come back too.
  fake.addCrossrefWork('10.1016/j.media.2021.102000', {
    title: ['Deep Learning for Pulmonary Nodule Detection in Low-Dose CT: A Multi-center Study'],
    author: [{ given: 'Wei', family: 'Zhang', sequence: 'first' }, { given: 'Hao', family: 'Chen', sequence: 'additional' }],
    issued: { 'date-parts': [[2021, 3]] },
    'container-title': ['Medical Image Analysis'],
    abstract: '<jats:p>We detect pulmonary nodules in low-dose CT.</jats:p>',
  });
  fake.addCrossrefWork('10.1016/j.media.2021.102001', {
    title: ['Deep Learning for Pulmonary Nodule Detection in Low-Dose CT: A Review'],
    author: [{ given: 'Wei', family: 'Zhang', sequence: 'first' }],
    issued: { 'date-parts': [[2021]] },
  });
  fake.addCrossrefWork('10.1007/s00330-020-07000-1', {
    title: ['Automated Liver Segmentation in Contrast-enhanced CT'],
    author: [{ given: 'Ana', family: 'Silva', sequence: 'first' }],
    issued: { 'date-parts': [[2020]] },
  });
  fake.addAgencyRecord('10.5281/zenodo.7654321', {
    title: 'A Brain MRI Segmentation Dataset with Expert Annotations',
    author: [{ family: 'Okafor', given: 'Chidi' }, { literal: 'The Neuro Imaging Consortium' }],
    year: 2023,
    abstract: 'Three hundred brain MRI volumes with expert tumour segmentations.',
  });
  fake.landingOnly.add('10.9999/landing.only');
});
afterAll(() => fake.stop());

describe('enrich by title (records without an identifier)', () => {
  it('takes only a confident Crossref match: same normalised title, first author and year', async () => {
    const exact = makePaper('nodules-2021', {
      // The list writes the title in its own case and punctuation.
      title: 'Deep learning for pulmonary nodule detection in low-dose CT - a multi-center study',
      url: '',
      authors: ['Zhang, W.'],
      year: 2021,
      venue: '',
    });
    const review = makePaper('nodule-overview-2021', { title: 'Deep Learning for Pulmonary Nodule Detection: an Overview', url: '', authors: [], year: 2021 });
    const otherAuthor = makePaper('liver-2020', { title: 'Automated Liver Segmentation in Contrast-enhanced CT', url: '', authors: ['Novak, Petr'], year: 2020 });
    // The same work as a record that already holds the DOI: not given it a second time.
    const held = makePaper('liver-held-2020', { title: 'Liver segmentation (journal version)', url: 'https://doi.org/10.1007/s00330-020-07000-1', authors: ['Silva, Ana'], year: 2020 });
    const twin = makePaper('liver-twin-2020', { title: 'Automated liver segmentation in contrast enhanced CT', url: '', authors: ['Silva, A.'], year: 2020 });
    const lab = await consoleBot({ env: fake.env(), http: fastHttp(), catalog: { papers: [exact, review, otherAuthor, held, twin] } });
    try {
      const catalog = lab.paperbot.services.catalog;
      const report = await catalog.enrich([exact, review, otherAuthor, twin]);
      expect(report.duplicates).toEqual([{ id: 'liver-twin-2020', of: 'liver-held-2020' }]);
      expect(lab.paperbot.services.search.get('liver-twin-2020')?.doi).toBeUndefined();
      expect(report.failures).toEqual([]);
      expect(report.changes).toEqual([{ id: 'nodules-2021', identifier: 'doi:10.1016/j.media.2021.102000 (found by title)', changed: expect.arrayContaining(['doi', 'abstract']) }]);
      expect(report.noIdentifier.sort()).toEqual(['liver-2020', 'nodule-overview-2021']);
      const enriched = lab.paperbot.services.search.get('nodules-2021')!;
      expect(enriched.doi).toBe('10.1016/j.media.2021.102000');
      expect(enriched.title).toBe(exact.title);
      expect(enriched.authors).toEqual(['Zhang, W.']);
      // Found again by its new identifier: the DOI is a match key in the store now.
      const again = await lab.say('add 10.1016/j.media.2021.102000');
      expect(again.data?.merged).toEqual(['nodules-2021']);
      const search = fake.requests('crossref').find((r) => r.path === '/works' && r.query.get('query.author') === 'Zhang');
      expect(search?.query.get('query.bibliographic')).toBe(exact.title);
      expect(search?.query.get('mailto')).toBe('lab@example.org');
    } finally {
      lab.close();
    }
  });
});

describe('DOI content negotiation (a DOI Crossref does not hold)', () => {
  const resolver = () => new PaperResolver(fake.settings(), fastHttp());

  it('asks the DOI resolver for CSL-JSON when Crossref has nothing, following its redirect to the agency', async () => {
    const before = fake.requests('datacite').length;
    const work = await resolver().resolveText('https://doi.org/10.5281/zenodo.7654321');
    expect(work.source).toBe('doi.org');
    expect(work.title).toBe('A Brain MRI Segmentation Dataset with Expert Annotations');
    expect(work.authors).toEqual(['Okafor, Chidi', 'The Neuro Imaging Consortium']);
    expect(work.year).toBe(2023);
    expect(work.doi).toBe('10.5281/zenodo.7654321');
    expect(work.url).toBe('https://zenodo.org/records/7654321');
    const asked = fake.requests('datacite').slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.headers.accept).toBe('application/vnd.citationstyles.csl+json');
    expect(asked[0]?.headers['user-agent']).toContain('paperbot');
    expect(fake.requests('crossref').some((r) => r.path === '/works/10.5281%2Fzenodo.7654321' || r.path === '/works/10.5281/zenodo.7654321')).toBe(true);
  });

  it('says the DOI has no metadata anywhere when the resolver only has a landing page', async () => {
    const error = await resolver()
      .resolveText('10.9999/landing.only')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolveError);
    expect((error as ResolveError).kind).toBe('not-found');
    expect((error as ResolveError).detail).toMatch(/Crossref|registration agency|OpenAlex/);
  });

  it('adds a DataCite DOI from chat with its card, found by the next query', async () => {
    const lab = await consoleBot({ env: fake.env(), http: fastHttp() });
    try {
      const reply = await lab.say('add doi:10.5281/zenodo.7654321');
      expect(reply.data?.added).toHaveLength(1);
      expect(reply.cards?.[0]?.title).toBe('A Brain MRI Segmentation Dataset with Expert Annotations');
      const found = await lab.say('brain mri segmentation dataset expert annotations');
      expect(found.papers?.[0]?.doi).toBe('10.5281/zenodo.7654321');
    } finally {
      lab.close();
    }
  });
});
