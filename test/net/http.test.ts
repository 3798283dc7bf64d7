import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostPacer, HttpClient, HttpError, parseRetryAfter, policyFromRateLimitHeaders } from '../../src/net/index.js';
import { listenOnLoopback } from '../fakes/http.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const seen: { path: string; headers: IncomingMessage['headers']; at: number }[] = [];
let base = '';
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  seen.push({ path, headers: req.headers, at: Date.now() });
  const handler = routes.get(path);
  if (handler) handler(req, res);
  else res.writeHead(404).end('not here');
});

beforeAll(async () => {
  base = `http://127.0.0.1:${await listenOnLoopback(server)}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  const waits: number[] = [];
  const http = new HttpClient({
    userAgent: 'paperbot/test (mailto:lab@example.org)',
    pacer: new HostPacer(),
    sleep: async (ms) => void waits.push(ms),
    timeoutMs: 20_000,
    ...extra,
  });
  return { http, waits };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected the request to fail');
}

describe('HttpClient', () => {
  it('sends the User-Agent and parses JSON', async () => {
    routes.set('/json', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":[1,2]}'));
    const { http } = client();
    const { data } = await http.getJson<{ a: number[] }>(`${base}/json`);
    expect(data.a).toEqual([1, 2]);
    expect(seen.at(-1)?.headers['user-agent']).toBe('paperbot/test (mailto:lab@example.org)');
  });

  it('retries 429 and 503 after Retry-After, then succeeds', async () => {
    let calls = 0;
    routes.set('/busy', (_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'retry-after': '7' }).end();
      else if (calls === 2) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const { http, waits } = client({ backoffMs: 250 });
    const { data } = await http.getJson<{ ok: boolean }>(`${base}/busy`);
    expect(data.ok).toBe(true);
    expect(waits).toEqual([7000, 500]);
  });

  it('gives up after a bounded number of retries, and at once on a Retry-After too long to wait', async () => {
    let calls = 0;
    routes.set('/down', (_req, res) => {
      calls++;
      res.writeHead(503).end();
    });
    const { http, waits } = client({ maxRetries: 2, backoffMs: 100 });
    const error = await failure(http.get(`${base}/down`));
    expect(error.kind).toBe('rate-limited');
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 200]);

    routes.set('/later', (_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    const tooLong = await failure(client({ maxWaitMs: 60_000 }).http.get(`${base}/later`));
    expect(tooLong.kind).toBe('rate-limited');
    expect(tooLong.retryAfterMs).toBe(3_600_000);
  });

  it('does not retry a 404 and names the status', async () => {
    const error = await failure(client().http.get(`${base}/missing`));
    expect(error.kind).toBe('status');
    expect(error.status).toBe(404);
  });

  it('passes conditional headers through and surfaces a 304', async () => {
    routes.set('/feed', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
      else res.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }).end('<feed/>');
    });
    const { http } = client();
    const first = await http.getXml(`${base}/feed`);
    expect(first.notModified).toBe(false);
    expect(first.etag).toBe('"v1"');
    const second = await http.getXml(`${base}/feed`, { ifNoneMatch: first.etag, ifModifiedSince: first.lastModified });
    expect(second.notModified).toBe(true);
    expect(second.status).toBe(304);
    expect(seen.at(-1)?.headers['if-modified-since']).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
  });

  it('refuses a body over the size cap, announced or streamed', async () => {
    routes.set('/big', (_req, res) => res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)));
    routes.set('/big-chunked', (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
      res.end();
    });
    const { http } = client({ maxBytes: 2000 });
    expect((await failure(http.get(`${base}/big`))).kind).toBe('too-large');
    expect((await failure(http.get(`${base}/big-chunked`))).kind).toBe('too-large');
  });

  it('reports a truncated body', async () => {
    routes.set('/cut', (req, res) => {
      res.writeHead(200, { 'content-length': '1000', 'content-type': 'application/json' });
      res.write('{"title": "half');
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect((await failure(client().http.getJson(`${base}/cut`))).kind).toBe('truncated');
  });

  it('times out a source that never answers', async () => {
    routes.set('/hang', () => undefined);
    expect((await failure(client({ timeoutMs: 150 }).http.get(`${base}/hang`))).kind).toBe('timeout');
  });

  it('reports a source that is down as unreachable', async () => {
    const closed = createServer();
    const port = await listenOnLoopback(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await failure(client().http.get(`http://127.0.0.1:${port}/x`))).kind).toBe('network');
  });

  it('refuses HTML where JSON or XML was expected, and malformed JSON', async () => {
    routes.set('/login', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Sign in</body></html>'),
    );
    routes.set('/bad-json', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":'));
    const { http } = client();
    expect((await failure(http.getJson(`${base}/login`))).kind).toBe('unexpected-content');
    expect((await failure(http.getXml(`${base}/login`))).kind).toBe('unexpected-content');
    expect((await failure(http.getJson(`${base}/bad-json`))).kind).toBe('malformed');
  });

  it('refuses XML with a DOCTYPE or entity declarations, and never expands them', async () => {
    const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><feed><title>&lol2;</title></feed>';
    routes.set('/laughs', (_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(laughs));
    routes.set('/xxe', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'),
    );
    routes.set('/broken-xml', (_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end('<feed><entry>'));
    const { http } = client();
    expect((await failure(http.getXml(`${base}/laughs`))).kind).toBe('unsafe-xml');
    expect((await failure(http.getXml(`${base}/xxe`))).kind).toBe('unsafe-xml');
    expect((await failure(http.getXml(`${base}/broken-xml`))).kind).toBe('malformed');
  });

  it('decodes bodies as UTF-8 and predefined entities only', async () => {
    routes.set('/utf8', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/atom+xml; charset=latin-1' }).end(Buffer.from('<t>Ramírez &amp; 肺 &#233;</t>', 'utf8')),
    );
    const { data } = await client().http.getXml(`${base}/utf8`);
    expect(data.t).toBe('Ramírez & 肺 é');
  });
});

describe('HostPacer', () => {
  it('spaces requests to one host by its interval, shared by every client holding the pacer', async () => {
    routes.set('/paced', (_req, res) => res.writeHead(200).end('ok'));
    const pacer = new HostPacer();
    pacer.configure(base, { concurrency: 1, intervalCap: 1, intervalMs: 120 });
    // When each request leaves (what the pacer controls), not when it arrives: a loaded machine can
    // delay one arrival and not the next, which says nothing about the pacing.
    const times: number[] = [];
    const timedFetch: typeof fetch = (input, init) => {
      times.push(performance.now());
      return fetch(input, init);
    };
    const a = new HttpClient({ userAgent: 't', pacer, fetch: timedFetch });
    const b = new HttpClient({ userAgent: 't', pacer, fetch: timedFetch });
    const before = seen.length;
    await Promise.all([a.get(`${base}/paced`), b.get(`${base}/paced`), a.get(`${base}/paced`)]);
    expect(seen.length - before).toBe(3);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(110);
  });

  it('adopts the limits a source announces in x-rate-limit-* headers', async () => {
    routes.set('/announce', (_req, res) =>
      res
        .writeHead(200, { 'x-rate-limit-limit': '10', 'x-rate-limit-interval': '1s', 'x-concurrency-limit': '3' })
        .end('{}'),
    );
    const pacer = new HostPacer();
    const http = new HttpClient({ userAgent: 't', pacer });
    await http.getJson(`${base}/announce`, { followRateLimitHeaders: true });
    expect(pacer.policyFor(base)).toEqual({ intervalCap: 10, intervalMs: 1000, concurrency: 3 });
  });

  it('reads rate-limit headers and Retry-After forms', () => {
    expect(policyFromRateLimitHeaders(new Headers({ 'x-rate-limit-limit': '50', 'x-rate-limit-interval': '2s' }))).toEqual({
      intervalCap: 50,
      intervalMs: 2000,
      concurrency: 1,
    });
    expect(policyFromRateLimitHeaders(new Headers({}))).toBeUndefined();
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('parseXmlSafely', () => {
  it('drops an external-only DOCTYPE when allowed (PubMed EFetch), still refusing internal subsets', async () => {
    const { parseXmlSafely, XmlRefused } = await import('../../src/net/index.js');
    const pubmed = '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n<PubmedArticleSet><PMID>1</PMID></PubmedArticleSet>';
    expect(() => parseXmlSafely(pubmed)).toThrow(XmlRefused);
    expect(parseXmlSafely(pubmed, { allowExternalDoctype: true }).PubmedArticleSet).toEqual({ PMID: '1' });
    const subset = '<!DOCTYPE a SYSTEM "x.dtd" [<!ENTITY e "boom">]><a>&e;</a>';
    expect(() => parseXmlSafely(subset, { allowExternalDoctype: true })).toThrow(XmlRefused);
  });
});
