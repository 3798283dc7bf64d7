import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeedFormatError, parseFeedXml } from '../../src/capabilities/feeds/parse.js';
import { readEsearch, readEsummary } from '../../src/capabilities/feeds/sources.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8');

describe('reading recorded feeds into candidate papers', () => {
  it('reads the 2025+ arXiv API Atom: ids without version, DOIs, journal refs, authors', () => {
    const feed = parseFeedXml(fixture('arxiv-api-query-2026.atom.xml'));
    expect(feed.format).toBe('atom');
    expect(feed.items).toHaveLength(10);
    const first = feed.items[0];
    expect(first.arxivId).toBe('2202.12139');
    expect(first.title).toBe('Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques');
    expect(first.url).toBe('https://arxiv.org/abs/2202.12139v1');
    expect(first.authors.length).toBeGreaterThan(0);
    expect(first.year).toBe(2022);
    expect(feed.items.filter((i) => i.doi).length).toBe(6);
    expect(feed.items.every((i) => i.arxivId)).toBe(true);
  });

  it('reads the legacy (2016) arXiv API format with old-style ids', () => {
    const feed = parseFeedXml(fixture('arxiv-api-query-legacy-2016.atom.xml'));
    expect(feed.items).toHaveLength(10);
    expect(feed.items.map((i) => i.arxivId)).toContain('cond-mat/0412498');
    expect(feed.items.filter((i) => i.doi).length).toBeGreaterThan(0);
  });

  it("reports arXiv's error feed as an error and reads an empty feed as no items", () => {
    expect(() => parseFeedXml(fixture('arxiv-api-error-400-2026.atom.xml'))).toThrow(/arXiv answered with an error/);
    expect(parseFeedXml(fixture('arxiv-api-empty-2026.atom.xml')).items).toEqual([]);
  });

  it("reads arXiv's RSS (Atom flavour): oai ids, one comma-separated dc:creator, the abstract without its announce line", () => {
    const feed = parseFeedXml(fixture('arxiv-rss-atom-cs.AI-2025-08-20.trimmed.xml'));
    expect(feed.items).toHaveLength(24);
    const first = feed.items[0];
    expect(first.guid).toBe('oai:arXiv.org:2508.13167v1');
    expect(first.arxivId).toBe('2508.13167');
    expect(first.authors[0]).toBe('Weizhen Li');
    expect(first.authors.length).toBeGreaterThan(5);
    expect(first.abstract.startsWith('Recent advances')).toBe(true);
    expect(feed.items.some((i) => i.doi)).toBe(true);
  });

  it('reads a journal TOC in RSS 1.0/RDF with PRISM: DOI, creators, venue, date', () => {
    const feed = parseFeedXml(fixture('journal-feed-mdpi-fluids-rss1-prism.rdf.xml'));
    expect(feed.format).toBe('rdf');
    expect(feed.items).toHaveLength(1);
    const item = feed.items[0];
    expect(item.title).toBe('Environmental Hydraulics, Turbulence, and Sediment Transport, Second Edition');
    expect(item.doi).toBe('10.3390/fluids9060120');
    expect(item.authors).toEqual(['Jaan H. Pu', 'Manish Pandey', 'Prashanth Reddy Hanmaiahgari']);
    expect(item.venue).toBe('Fluids');
    expect(item.year).toBe(2024);
    expect(item.guid).toBe('https://www.mdpi.com/2311-5521/9/6/120');
  });

  it('reads RSS 2.0 and skips and counts items without a title or a link', () => {
    const feed = parseFeedXml(`<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Medical Image Analysis</title>
      <item><title>Lung &amp; nodule detection</title><link>https://example.org/a</link><guid>a1</guid><dc:creator>Ada Lovelace</dc:creator><description>&lt;p&gt;About &lt;b&gt;CT&lt;/b&gt;&lt;/p&gt;</description><pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate></item>
      <item><title></title><link>https://example.org/b</link></item>
      <item><title>No link</title></item>
      <item><title>Bad link</title><link>javascript:alert(1)</link></item>
    </channel></rss>`);
    expect(feed.format).toBe('rss2');
    expect(feed.items.map((i) => i.title)).toEqual(['Lung & nodule detection']);
    expect(feed.items[0].abstract).toBe('About CT');
    expect(feed.items[0].venue).toBe('Medical Image Analysis');
    expect(feed.skipped).toBe(3);
  });

  it('refuses entity declarations, HTML pages, malformed XML and XML that is not a feed', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><item><title>&lol2;</title><link>https://x.org</link></item></channel></rss>`;
    const code = (body: string, type = '') => {
      try {
        parseFeedXml(body, type);
        return 'parsed';
      } catch (error) {
        return error instanceof FeedFormatError ? error.code : 'other';
      }
    };
    expect(code(bomb)).toBe('entities');
    expect(code('<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html')).toBe('html');
    expect(code('<rss><channel><item><title>x</title></channel></rss>')).toBe('malformed');
    expect(code('<?xml version="1.0"?><note>hi</note>')).toBe('not-a-feed');
  });
});

describe('PubMed by entry date', () => {
  it('reads the PMIDs of an ESearch answer', () => {
    expect(readEsearch(fixture('pubmed-esearch.json'))).toEqual(['42313977', '41196948', '41166468']);
  });

  it('reads ESummary records with DOIs and skips records that carry an error', () => {
    const ok = readEsummary(fixture('pubmed-esummary.json'));
    expect(ok.items).toHaveLength(2);
    expect(ok.items[0]).toMatchObject({ pmid: '31452104', guid: 'pmid:31452104', doi: '10.1007/978-1-4939-9752-7_10', year: 2019 });
    const withErrors = readEsummary(fixture('pubmed-esummary-with-errors.json'));
    expect(withErrors.skipped).toBeGreaterThan(0);
    expect(withErrors.items.length).toBeGreaterThan(0);
  });
});
