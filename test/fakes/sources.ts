import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SourceSettings } from '../../src/catalog/sources/resolve.js';
import { listenOnLoopback } from './http.js';

/**
 * Fake arXiv, Crossref, NCBI E-utilities and OpenAlex on one 127.0.0.1 server, answering from the
 * recorded responses in test/fixtures/sources (see SOURCE.md there) and, for failures, with answers
 * of the same shapes. Paths: /arxiv/api/query, /crossref/works/{doi}, /crossref/works?query.bibliographic=…,
 * /ncbi/{esearch,efetch}.fcgi, /openalex/works/{key}, and a DOI resolver /doi/{doi} that redirects,
 * as doi.org does, to the registration agency's content negotiation (/datacite/{doi}) or, for a DOI
 * without metadata there, to an HTML landing page.
 */
export type SourceName = 'arxiv' | 'crossref' | 'ncbi' | 'openalex' | 'doi' | 'datacite' | 'landing';
export type FailureMode = 'html' | 'hang' | 'truncated' | 'oversize' | 'doctype' | '429' | '503' | 'reset' | 'malformed-json';
export type SeenRequest = { source: SourceName; path: string; query: URLSearchParams; headers: IncomingMessage['headers']; at: number };

const FIXTURES = new URL('../fixtures/sources/', import.meta.url);
export const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** Every <entry> of the recorded arXiv feeds, by id without version. */
function arxivEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const file of ['arxiv-api-query-2026.atom.xml', 'arxiv-api-oldstyle-id-2026.atom.xml', 'arxiv-api-query-legacy-2016.atom.xml']) {
    for (const m of fixture(file).matchAll(/<entry>[\s\S]*?<\/entry>/g)) {
      const id = m[0].match(/<id>https?:\/\/arxiv\.org\/abs\/(.+?)(v\d+)?<\/id>/)?.[1];
      if (id) entries.set(id, m[0]);
    }
  }
  return entries;
}

export class FakeSources {
  readonly seen: SeenRequest[] = [];
  readonly arxiv = arxivEntries();
  /** DOI (lower case) → Crossref `message`. */
  readonly crossrefWorks = new Map<string, Record<string, unknown>>();
  /** DOI (lower case) → the CSL-JSON its registration agency (DataCite here) negotiates. */
  readonly agencyRecords = new Map<string, Record<string, unknown>>();
  /** DOIs that resolve to a landing page only (no content negotiation at their agency). */
  readonly landingOnly = new Set<string>();
  private readonly failures: { source: SourceName; mode: FailureMode; times: number }[] = [];
  private server: Server | null = null;
  private base = '';

  constructor() {
    // U-Net, the help's example, as an entry of the recorded 2025+ format (the recordings hold no medical-imaging paper).
    const template = this.arxiv.get('2202.12139')!;
    this.arxiv.set(
      '1505.04597',
      template
        .replace(/2202\.12139v1/g, '1505.04597v1')
        .replace(/<title>[\s\S]*?<\/title>/, '<title>U-Net: Convolutional Networks for Biomedical Image Segmentation</title>')
        .replace(/<summary>[\s\S]*?<\/summary>/, '<summary>There is large consent that successful training of deep networks requires many thousand annotated training samples.</summary>')
        .replace(/<published>[^<]*<\/published>/, '<published>2015-05-18T11:28:37Z</published>')
        .replace(/<author>[\s\S]*<\/author>/, '<author><name>Olaf Ronneberger</name></author>\n    <author><name>Philipp Fischer</name></author>\n    <author><name>Thomas Brox</name></author>')
        .replace(/<arxiv:doi>[^<]*<\/arxiv:doi>/, '')
        .replace(/<arxiv:journal_ref>[^<]*<\/arxiv:journal_ref>/, ''),
    );
    const recorded = JSON.parse(fixture('crossref-works-10.7554_elife.01567.json')) as { message: Record<string, unknown> };
    this.crossrefWorks.set('10.7554/elife.01567', recorded.message);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.base = `http://127.0.0.1:${await listenOnLoopback(this.server)}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  settings(extra: Partial<SourceSettings> = {}): SourceSettings {
    return {
      arxivApiUrl: `${this.base}/arxiv/api/query`,
      crossrefApiUrl: `${this.base}/crossref`,
      ncbiEutilsUrl: `${this.base}/ncbi`,
      openalexApiUrl: `${this.base}/openalex`,
      doiResolverUrl: `${this.base}/doi`,
      contactEmail: 'lab@example.org',
      ...extra,
    };
  }

  /** The same settings as environment variables, for a bot built from loadConfig. */
  env(): Record<string, string> {
    const s = this.settings();
    return { ARXIV_API_URL: s.arxivApiUrl, CROSSREF_API_URL: s.crossrefApiUrl, NCBI_EUTILS_URL: s.ncbiEutilsUrl, OPENALEX_API_URL: s.openalexApiUrl, DOI_RESOLVER_URL: s.doiResolverUrl, PAPERBOT_CONTACT_EMAIL: s.contactEmail! };
  }

  /** The next `times` requests to `source` fail in `mode`. */
  fail(source: SourceName, mode: FailureMode, times = 1): void {
    this.failures.push({ source, mode, times });
  }

  /** A Crossref work of the recorded shape with other metadata (the recorded eLife work as template). */
  addCrossrefWork(doi: string, fields: Record<string, unknown>): void {
    const template = this.crossrefWorks.get('10.7554/elife.01567')!;
    this.crossrefWorks.set(doi.toLowerCase(), { ...template, relation: {}, abstract: undefined, subject: [], ...fields, DOI: doi, URL: `https://doi.org/${doi}` });
  }

  /** A DataCite DOI: Crossref has no record; the resolver negotiates CSL-JSON of DataCite's shape. */
  addAgencyRecord(doi: string, fields: { title: string; author?: { family?: string; given?: string; literal?: string }[]; year?: number; abstract?: string; publisher?: string }): void {
    this.agencyRecords.set(doi.toLowerCase(), {
      type: 'article',
      id: `https://doi.org/${doi.toLowerCase()}`,
      categories: ['Medical Imaging'],
      language: 'en',
      author: fields.author ?? [],
      issued: { 'date-parts': [[fields.year ?? 2023]] },
      abstract: fields.abstract,
      DOI: doi.toUpperCase(),
      publisher: fields.publisher ?? 'Zenodo',
      title: fields.title,
      URL: `https://zenodo.org/records/${doi.split('.').pop()}`,
      copyright: 'Creative Commons Attribution 4.0 International',
      version: '1',
    });
  }

  requests(source: SourceName): SeenRequest[] {
    return this.seen.filter((r) => r.source === source);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.base);
    const [, source, ...rest] = url.pathname.split('/');
    const name = source as SourceName;
    this.seen.push({ source: name, path: '/' + rest.join('/'), query: url.searchParams, headers: req.headers, at: Date.now() });
    const failure = this.failures.find((f) => f.source === name && f.times > 0);
    if (failure) {
      failure.times--;
      return this.failWith(failure.mode, req, res);
    }
    switch (name) {
      case 'arxiv':
        return this.arxivQuery(url, res);
      case 'crossref':
        if (rest.length === 1 && rest[0] === 'works') return this.crossrefSearch(url.searchParams, res);
        return this.crossref(decodeURIComponent(rest.slice(1).join('/')), res);
      case 'doi':
        return this.doiResolver(decodeURIComponent(rest.join('/')), res);
      case 'datacite':
        return this.datacite(decodeURIComponent(rest.join('/')), req, res);
      case 'landing':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><head><title>Landing page</title></head><body>A record</body></html>');
        return;
      case 'ncbi':
        return this.ncbi(rest[0] ?? '', url.searchParams, res);
      case 'openalex':
        return this.openalex(decodeURIComponent(rest.slice(1).join('/')), res);
      default:
        res.writeHead(404).end();
    }
  }

  private failWith(mode: FailureMode, req: IncomingMessage, res: ServerResponse): void {
    switch (mode) {
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>');
        return;
      case 'hang':
        return;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        res.write('{"status":"ok","message":{"title":["Cut');
        setTimeout(() => req.socket.destroy(), 10);
        return;
      case 'oversize':
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(`<feed>${'<x>padding</x>'.repeat(1_000_000)}</feed>`);
        return;
      case 'doctype':
        res
          .writeHead(200, { 'content-type': 'application/atom+xml' })
          .end('<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&b;</title></entry></feed>');
        return;
      case '429':
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('Too Many Requests');
        return;
      case '503':
        res.writeHead(503, { 'retry-after': '2', 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","message":');
    }
  }

  /** arXiv: an id_list of one id, answered as arXiv does (feed of one entry, empty feed, or a 400 error feed). */
  private arxivQuery(url: URL, res: ServerResponse): void {
    const idList = url.searchParams.get('id_list') ?? '';
    const atom = { 'content-type': 'application/atom+xml; charset=UTF-8' };
    if (!/^([a-z-]+(\.[A-Z]{2})?\/\d{7}|\d{4}\.\d{4,5})(v\d+)?$/.test(idList)) {
      res.writeHead(400, atom).end(fixture('arxiv-api-error-400-2026.atom.xml').replaceAll('abc', idList));
      return;
    }
    const entry = this.arxiv.get(idList.replace(/v\d+$/, ''));
    if (!entry) {
      res.writeHead(200, atom).end(fixture('arxiv-api-empty-2026.atom.xml'));
      return;
    }
    const feed = fixture('arxiv-api-query-2026.atom.xml');
    const head = feed.slice(0, feed.indexOf('<entry>')).replace(/<opensearch:totalResults>\d+/, '<opensearch:totalResults>1');
    res.writeHead(200, atom).end(`${head}${entry}\n</feed>\n`);
  }

  private crossref(doi: string, res: ServerResponse): void {
    const work = this.crossrefWorks.get(doi.toLowerCase());
    if (!work) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Resource not found.');
      return;
    }
    res
      .writeHead(200, this.crossrefHeaders())
      .end(JSON.stringify({ status: 'ok', 'message-type': 'work', 'message-version': '1.0.0', message: work }));
  }

  private crossrefHeaders(): Record<string, string> {
    const recorded = JSON.parse(fixture('crossref-works-10.7554_elife.01567.headers.json')) as { response_headers: Record<string, string[]> };
    const limits: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(recorded.response_headers)) if (/^x-(rate|concurrency)/i.test(k) && v[0] !== undefined) limits[k.toLowerCase()] = v[0];
    return limits;
  }

  /**
   * Crossref's /works?query.bibliographic=…: a work-list of the items sharing a word with the query,
   * most shared words first, each with its relevance `score`, as Crossref answers (fuzzy: near
   * titles come back too, and the client must decide what is the same work).
   */
  private crossrefSearch(query: URLSearchParams, res: ServerResponse): void {
    const words = (text: string) => new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2));
    const wanted = words(`${query.get('query.bibliographic') ?? ''} ${query.get('query.author') ?? ''}`);
    const rows = Math.min(Number(query.get('rows') ?? 20), 1000);
    const scored = [...this.crossrefWorks.values()]
      .map((work) => {
        const authors = ((work.author as { family?: string }[] | undefined) ?? []).map((a) => a.family ?? '').join(' ');
        const have = words(`${(work.title as string[] | undefined)?.[0] ?? ''} ${authors}`);
        const shared = [...wanted].filter((w) => have.has(w)).length;
        return { ...work, score: Math.round((shared / Math.max(1, wanted.size)) * 1000) / 10 };
      })
      .filter((w) => w.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, rows);
    res.writeHead(200, this.crossrefHeaders()).end(
      JSON.stringify({
        status: 'ok',
        'message-type': 'work-list',
        'message-version': '1.0.0',
        message: { facets: {}, 'total-results': scored.length, items: scored, 'items-per-page': rows, query: { 'start-index': 0, 'search-terms': null } },
      }),
    );
  }

  /** doi.org: 302 to where the DOI's agency serves it; 404 for a DOI nobody registered. */
  private doiResolver(doi: string, res: ServerResponse): void {
    const key = doi.toLowerCase();
    const target = this.agencyRecords.has(key) ? `/datacite/${encodeURIComponent(key)}` : this.landingOnly.has(key) || this.crossrefWorks.has(key) ? `/landing/${encodeURIComponent(key)}` : null;
    if (!target) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><body>DOI Not Found</body></html>');
      return;
    }
    res.writeHead(302, { location: `${this.base}${target}`, 'content-type': 'text/html; charset=utf-8' }).end('<html><body>Redirecting</body></html>');
  }

  private datacite(doi: string, req: IncomingMessage, res: ServerResponse): void {
    const record = this.agencyRecords.get(doi.toLowerCase());
    if (!record || !/application\/vnd\.citationstyles\.csl\+json/.test(req.headers.accept ?? '')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><body>Landing page</body></html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.citationstyles.csl+json; charset=utf-8' }).end(JSON.stringify(record));
  }

  private ncbi(tool: string, query: URLSearchParams, res: ServerResponse): void {
    if (tool === 'esearch.fcgi') {
      const recorded = JSON.parse(fixture('pubmed-esearch.json')) as { esearchresult: Record<string, unknown> };
      const ids = query.get('term') === 'PMC7462063[pmcid]' ? ['32820036'] : [];
      recorded.esearchresult.idlist = ids;
      recorded.esearchresult.count = String(ids.length);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(recorded));
      return;
    }
    if (tool === 'efetch.fcgi') {
      const xml = fixture('pubmed-efetch-orcid.xml');
      const body = query.get('id') === '32820036' ? xml : xml.replace(/<PubmedArticleSet>[\s\S]*<\/PubmedArticleSet>/, '<PubmedArticleSet></PubmedArticleSet>');
      res.writeHead(200, { 'content-type': 'text/xml; charset=UTF-8' }).end(body);
      return;
    }
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"unknown tool"}');
  }

  private openalex(key: string, res: ServerResponse): void {
    if (key.toLowerCase() === 'doi:10.7554/elife.01567' || key === 'pmid:24520159') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('openalex-work-10.7554_elife.01567.json'));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not Found","message":"The requested resource could not be found."}');
  }
}
