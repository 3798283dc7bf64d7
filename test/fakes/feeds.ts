import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Clock } from '../../src/clock.js';
import { listenOnLoopback } from './http.js';

/**
 * Fake paper feeds on 127.0.0.1 whose content follows an injected clock: a paper appears in its
 * feeds once the clock passes its publication time, and a new version replaces the old one once the
 * clock passes the version's time. Formats follow the recorded responses in test/fixtures/feeds/:
 * the arXiv API's Atom (2025+ output), arXiv's RSS in its Atom flavour, a journal TOC in RSS 1.0/RDF
 * with PRISM, RSS 2.0, and PubMed's ESearch/ESummary JSON. Every failure the feed poller must
 * survive can be switched on per path. ETag and Last-Modified are honoured (304).
 */

export type FakePaper = {
  key: string;
  title: string;
  authors: string[];
  abstract: string;
  /** When it appears, ms since the epoch. */
  at: number;
  doi?: string;
  arxivId?: string;
  pmid?: string;
  /** Later versions: from `at` on, the title (and arXiv version) is this. */
  versions?: { at: number; title: string }[];
};

export type Failure = 'html' | 'malformed' | 'entities' | 'loop' | 'gone' | 'gone410' | 'throttled' | 'unavailable' | 'hang' | 'huge';

export type FeedFormat = 'rss2' | 'rdf' | 'atom' | 'arxiv-rss';

type Served = { path: string; status: number; conditional: boolean };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const rfc822 = (ms: number) => new Date(ms).toUTCString();
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class FakeFeeds {
  private server: Server | null = null;
  port = 0;
  /** Papers by feed: `arxiv:<category>`, `pubmed:<term>`, `journal:<name>`. */
  private readonly feeds = new Map<string, FakePaper[]>();
  private readonly failures = new Map<string, Failure>();
  readonly served: Served[] = [];
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly clock: Clock) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  arxivApiUrl(): string {
    return `${this.baseUrl}/arxiv/api/query`;
  }

  eutilsUrl(): string {
    return `${this.baseUrl}/eutils`;
  }

  journalUrl(name: string, format: FeedFormat): string {
    return `${this.baseUrl}/journal/${name}.${format}`;
  }

  failureUrl(kind: Failure): string {
    return `${this.baseUrl}/fail/${kind}`;
  }

  /** Adds papers to a feed: `arxiv:eess.IV`, `pubmed:deep learning`, `journal:media`. */
  publish(feed: string, ...papers: FakePaper[]): void {
    const list = this.feeds.get(feed) ?? [];
    list.push(...papers);
    this.feeds.set(feed, list);
  }

  /** Makes a path (e.g. `/journal/media.rss2`) fail in this way until cleared with null. */
  fail(path: string, failure: Failure | null): void {
    if (failure) this.failures.set(path, failure);
    else this.failures.delete(path);
  }

  requestsTo(prefix: string): Served[] {
    return this.served.filter((s) => s.path.startsWith(prefix));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private visible(feed: string): { paper: FakePaper; title: string; version: number; updated: number }[] {
    const now = this.clock.now().getTime();
    return (this.feeds.get(feed) ?? [])
      .filter((p) => p.at <= now)
      .map((paper) => {
        const versions = (paper.versions ?? []).filter((v) => v.at <= now);
        const latest = versions[versions.length - 1];
        return { paper, title: latest?.title ?? paper.title, version: versions.length + 1, updated: latest?.at ?? paper.at };
      })
      .sort((a, b) => b.paper.at - a.paper.at);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = url.pathname;
    const conditional = Boolean(req.headers['if-none-match'] || req.headers['if-modified-since']);
    const record = (status: number) => this.served.push({ path: `${path}${url.search}`, status, conditional });
    const failure = this.failures.get(path) ?? (path.startsWith('/fail/') ? (path.slice(6) as Failure) : undefined);
    if (failure) return this.failWith(failure, res, record, url);

    let body: string;
    let type = 'application/xml; charset=utf-8';
    let newest = 0;
    if (path === '/arxiv/api/query') {
      const category = /cat:(\S+)/.exec(url.searchParams.get('search_query') ?? '')?.[1] ?? '';
      const max = Number(url.searchParams.get('max_results') ?? 10);
      const items = this.visible(`arxiv:${category}`).slice(0, max);
      newest = Math.max(0, ...items.map((i) => i.updated));
      body = arxivApi(items, category);
      type = 'application/atom+xml; charset=utf-8';
    } else if (path === '/eutils/esearch.fcgi') {
      const term = url.searchParams.get('term') ?? '';
      const days = Number(url.searchParams.get('reldate') ?? 30);
      const since = this.clock.now().getTime() - days * 86_400_000;
      const ids = this.visible(`pubmed:${term}`)
        .filter((i) => i.paper.at >= since)
        .map((i) => i.paper.pmid!);
      body = JSON.stringify({ header: { type: 'esearch', version: '0.3' }, esearchresult: { count: String(ids.length), retmax: String(ids.length), retstart: '0', idlist: ids, translationset: [], querytranslation: term } });
      type = 'application/json; charset=utf-8';
    } else if (path === '/eutils/esummary.fcgi') {
      const wanted = new Set((url.searchParams.get('id') ?? '').split(','));
      const all = [...this.feeds.entries()].filter(([k]) => k.startsWith('pubmed:')).flatMap(([k]) => this.visible(k));
      const found = all.filter((i) => wanted.has(i.paper.pmid!));
      body = esummary(found.map((i) => i.paper));
      type = 'application/json; charset=utf-8';
    } else if (path.startsWith('/journal/')) {
      const [name, format] = path.slice(9).split('.') as [string, FeedFormat];
      const items = this.visible(`journal:${name}`);
      newest = Math.max(0, ...items.map((i) => i.updated));
      if (format === 'rss2') body = rss2(name, items);
      else if (format === 'rdf') body = rdf(name, items);
      else if (format === 'arxiv-rss') body = arxivRss(name, items);
      else body = atom(name, items);
    } else {
      record(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    const lastModified = rfc822(newest || 0);
    if (req.headers['if-none-match'] === etag) {
      record(304);
      res.writeHead(304, { etag, 'last-modified': lastModified }).end();
      return;
    }
    record(200);
    res.writeHead(200, { 'content-type': type, etag, 'last-modified': lastModified }).end(body);
  }

  private failWith(failure: Failure, res: ServerResponse, record: (s: number) => void, url: URL): void {
    switch (failure) {
      case 'html':
        record(200);
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>');
        return;
      case 'malformed':
        record(200);
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>Half');
        return;
      case 'entities':
        record(200);
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><item><title>&xxe;</title><link>https://x.org/</link></item></channel></rss>');
        return;
      case 'loop': {
        record(302);
        // Two addresses sending the reader to each other.
        const next = url.searchParams.get('hop') === '1' ? '?hop=2' : '?hop=1';
        res.writeHead(302, { location: `${url.pathname}${next}` }).end();
        return;
      }
      case 'gone':
        record(404);
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such feed');
        return;
      case 'gone410':
        record(410);
        res.writeHead(410, { 'content-type': 'text/plain' }).end('gone');
        return;
      case 'throttled':
        record(429);
        res.writeHead(429, { 'retry-after': '120', 'content-type': 'text/plain' }).end('slow down');
        return;
      case 'unavailable':
        record(503);
        res.writeHead(503, { 'retry-after': '60', 'content-type': 'text/plain' }).end('down for maintenance');
        return;
      case 'huge':
        record(200);
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>${'x'.repeat(3_000_000)}</title></channel></rss>`);
        return;
      case 'hang':
        record(0);
        // Never answers: the reader's timeout has to end it.
        this.hanging.add(res);
        return;
    }
  }
}

type Visible = { paper: FakePaper; title: string; version: number; updated: number };

/** The arXiv API's 2025+ Atom, as in arxiv-api-query-2026.atom.xml. */
function arxivApi(items: Visible[], category: string): string {
  const entries = items.map(({ paper, title, version, updated }) => {
    const id = `${paper.arxivId}v${version}`;
    return `  <entry>
    <id>http://arxiv.org/abs/${id}</id>
    <title>${esc(title)}</title>
    <updated>${new Date(updated).toISOString().replace('.000', '')}</updated>
    <link href="https://arxiv.org/abs/${id}" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/${id}" rel="related" type="application/pdf" title="pdf"/>
    <summary>${esc(paper.abstract)}</summary>
    <category term="${esc(category)}" scheme="http://arxiv.org/schemas/atom"/>
    <published>${new Date(paper.at).toISOString().replace('.000', '')}</published>
${paper.doi ? `    <arxiv:doi>${esc(paper.doi)}</arxiv:doi>\n` : ''}    <arxiv:primary_category term="${esc(category)}"/>
${paper.authors.map((a) => `    <author>\n      <name>${esc(a)}</name>\n    </author>`).join('\n')}
  </entry>`;
  });
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query: search_query=cat:${esc(category)}</title>
  <updated>2026-04-12T22:09:27Z</updated>
  <opensearch:itemsPerPage>${items.length}</opensearch:itemsPerPage>
  <opensearch:totalResults>${items.length}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
${entries.join('\n')}
</feed>
`;
}

/** arXiv's RSS in its Atom flavour, as in arxiv-rss-atom-cs.AI-2025-08-20.trimmed.xml. */
function arxivRss(name: string, items: Visible[]): string {
  const entries = items.map(
    ({ paper, title, version }) => `  <entry>
    <id>oai:arXiv.org:${paper.arxivId}v${version}</id>
    <title>${esc(title)}</title>
    <link href="https://arxiv.org/abs/${paper.arxivId}" rel="alternate" type="text/html"/>
    <summary>arXiv:${paper.arxivId}v${version} Announce Type: ${version > 1 ? 'replace' : 'new'} 
Abstract: ${esc(paper.abstract)}</summary>
    <category term="${esc(name)}"/>
    <published>${new Date(paper.at).toISOString()}</published>
    <arxiv:announce_type>${version > 1 ? 'replace' : 'new'}</arxiv:announce_type>
    <dc:creator>${esc(paper.authors.join(', '))}</dc:creator>
${paper.doi ? `    <arxiv:DOI>${esc(paper.doi)}</arxiv:DOI>\n` : ''}  </entry>`,
  );
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">
  <id>http://rss.arxiv.org/atom/${esc(name)}</id>
  <title>${esc(name)} updates on arXiv.org</title>
${entries.join('\n')}
</feed>
`;
}

/** A journal TOC in RSS 1.0/RDF with PRISM, as in journal-feed-mdpi-fluids-rss1-prism.rdf.xml. */
function rdf(name: string, items: Visible[]): string {
  const link = (p: FakePaper) => `https://journal.example/${name}/${p.key}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <channel rdf:about="https://journal.example/${name}">
    <title>${esc(name)}</title>
    <link>https://journal.example/${name}</link>
    <items><rdf:Seq>${items.map((i) => `<rdf:li rdf:resource="${link(i.paper)}" />`).join('')}</rdf:Seq></items>
  </channel>
${items
  .map(
    ({ paper, title }) => `  <item rdf:about="${link(paper)}">
    <title>${esc(name)}, Pages 1: ${esc(title)}</title>
    <link>${link(paper)}</link>
    <description>${esc(paper.abstract)}</description>
    <dc:title>${esc(title)}</dc:title>
${paper.authors.map((a) => `    <dc:creator>${esc(a)}</dc:creator>`).join('\n')}
${paper.doi ? `    <dc:identifier>doi: ${esc(paper.doi)}</dc:identifier>\n    <prism:doi>${esc(paper.doi)}</prism:doi>\n` : ''}    <dc:date>${isoDay(paper.at)}</dc:date>
    <prism:publicationName>${esc(name)}</prism:publicationName>
  </item>`,
  )
  .join('\n')}
</rdf:RDF>
`;
}

function rss2(name: string, items: Visible[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${esc(name)}</title>
    <link>https://journal.example/${name}</link>
    <atom:link href="https://journal.example/${name}/rss" rel="self" type="application/rss+xml"/>
    <description>Latest articles</description>
${items
  .map(
    ({ paper, title }) => `    <item>
      <title>${esc(title)}</title>
      <link>${paper.doi ? `https://doi.org/${paper.doi}` : `https://journal.example/${name}/${paper.key}`}</link>
      <guid isPermaLink="false">${esc(`${name}-${paper.key}`)}</guid>
      <description>${esc(`<p>${paper.abstract}</p>`)}</description>
${paper.authors.map((a) => `      <dc:creator>${esc(a)}</dc:creator>`).join('\n')}
      <pubDate>${rfc822(paper.at)}</pubDate>
    </item>`,
  )
  .join('\n')}
  </channel>
</rss>
`;
}

function atom(name: string, items: Visible[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${esc(name)}</title>
  <id>https://journal.example/${name}</id>
  <updated>${new Date(Math.max(0, ...items.map((i) => i.updated))).toISOString()}</updated>
${items
  .map(
    ({ paper, title, updated }) => `  <entry>
    <id>urn:journal:${esc(name)}:${esc(paper.key)}</id>
    <title type="text">${esc(title)}</title>
    <link rel="alternate" href="https://journal.example/${name}/${paper.key}"/>
    <updated>${new Date(updated).toISOString()}</updated>
    <published>${new Date(paper.at).toISOString()}</published>
${paper.authors.map((a) => `    <author><name>${esc(a)}</name></author>`).join('\n')}
    <summary type="html">${esc(paper.abstract)}</summary>
  </entry>`,
  )
  .join('\n')}
</feed>
`;
}

/** PubMed's ESummary JSON, as in pubmed-esummary.json. */
function esummary(papers: FakePaper[]): string {
  const result: Record<string, unknown> = { uids: papers.map((p) => p.pmid) };
  for (const p of papers) {
    const d = new Date(p.at);
    result[p.pmid!] = {
      uid: p.pmid,
      pubdate: String(d.getUTCFullYear()),
      source: 'Med Image Anal',
      authors: p.authors.map((name) => ({ name, authtype: 'Author', clusterid: '' })),
      title: `${p.title}.`,
      articleids: [{ idtype: 'pubmed', idtypen: 1, value: p.pmid }, ...(p.doi ? [{ idtype: 'doi', idtypen: 3, value: p.doi }] : [])],
      fulljournalname: 'Medical image analysis',
      elocationid: p.doi ? `doi: ${p.doi}` : '',
      sortpubdate: `${isoDay(p.at).replace(/-/g, '/')} 00:00`,
    };
  }
  return JSON.stringify({ header: { type: 'esummary', version: '0.3' }, result });
}
