import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { guardedFetch, type GuardOptions } from '../../src/capabilities/feeds/fetch.js';
import { isPublicAddress } from '../../src/capabilities/feeds/guard.js';
import { FeedProblem, readFeed, type ReadResult, type Validators } from '../../src/capabilities/feeds/read.js';
import { parseSource, type SourceUrls } from '../../src/capabilities/feeds/sources.js';
import { HostPacer, HttpClient } from '../../src/net/index.js';
import { FakeFeeds } from '../fakes/feeds.js';
import { listenOnLoopback } from '../fakes/http.js';

const none: Validators = { etag: null, lastModified: null };

function client(guard: GuardOptions, timeoutMs = 1000): HttpClient {
  return new HttpClient({ userAgent: 'paperbot-test', pacer: new HostPacer(), timeoutMs, maxBytes: 1_000_000, maxRetries: 0, fetch: guardedFetch(guard) });
}

async function problem(read: Promise<ReadResult>): Promise<FeedProblem> {
  try {
    await read;
  } catch (error) {
    if (error instanceof FeedProblem) return error;
    throw error;
  }
  throw new Error('expected the read to fail');
}

describe('which addresses a feed from chat may reach', () => {
  it('allows public unicast only: no loopback, private, link-local, metadata, CGNAT or mapped loopback', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1', 'not-an-ip']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(a), a).toBe(true);
  });
});

describe('reading a feed', () => {
  const clock = new ManualClock('2026-11-30T09:00:00Z');
  const fakes = new FakeFeeds(clock);
  let redirector: Server;
  let redirectorPort = 0;
  let redirectTo = '';
  let urls: SourceUrls;
  const open = client({ allowPrivate: true });
  const read = (spec: string, http = open, validators = none) => readFeed(http, parseSource(spec), urls, validators);

  beforeAll(async () => {
    await fakes.start();
    urls = { arxivApiUrl: fakes.arxivApiUrl(), eutilsUrl: fakes.eutilsUrl(), contactEmail: 'lab@example.org', ncbiApiKey: null };
    fakes.publish('journal:media', { key: 'a1', title: 'Lung nodule detection in CT', authors: ['A. B'], abstract: 'x', at: Date.parse('2026-11-29T00:00:00Z') });
    redirector = createServer((_, res) => res.writeHead(302, { location: redirectTo }).end());
    redirectorPort = await listenOnLoopback(redirector);
  });
  afterAll(async () => {
    await fakes.stop();
    redirector.closeAllConnections();
    await new Promise((r) => redirector.close(r));
  });

  it('refuses loopback by default, by literal address and by name, before any request is made', async () => {
    const guarded = client({ allowPrivate: false });
    const before = fakes.served.length;
    for (const url of [fakes.journalUrl('media', 'rss2'), `http://localhost:${fakes.port}/journal/media.rss2`, `http://[::1]:${fakes.port}/journal/media.rss2`]) {
      expect((await problem(read(url, guarded))).kind, url).toBe('blocked');
    }
    expect(fakes.served.length).toBe(before);
  });

  it('checks every redirect hop: a permitted first hop that sends the reader to a metadata or private address is refused', async () => {
    // In this test only 127.0.0.1 counts as public, and names are resolved by a table.
    const names: Record<string, string> = { 'feeds.test': '127.0.0.1', 'metadata.test': '169.254.169.254', 'intranet.test': '10.0.0.5' };
    const guarded = client({
      allowPrivate: false,
      addressPolicy: (a) => a === '127.0.0.1' || isPublicAddress(a),
      resolve: ((host: string, _o: unknown, cb: (e: Error | null, a: { address: string; family: number }[]) => void) =>
        names[host] ? cb(null, [{ address: names[host], family: 4 }]) : cb(new Error(`ENOTFOUND ${host}`), [])) as never,
    });
    for (const target of ['http://metadata.test/latest/meta-data/', 'http://intranet.test/feed', 'http://169.254.169.254/latest/', 'http://[::1]/feed']) {
      redirectTo = target;
      expect((await problem(read(`http://feeds.test:${redirectorPort}/`, guarded))).kind, target).toBe('blocked');
    }
    redirectTo = `http://feeds.test:${fakes.port}/journal/media.rss2`;
    const ok = await read(`http://feeds.test:${redirectorPort}/`, guarded);
    expect(ok.kind === 'read' && ok.feed.items.map((i) => i.title)).toEqual(['Lung nodule detection in CT']);
  });

  it('refuses a redirect to a scheme other than http(s)', async () => {
    redirectTo = 'file:///etc/passwd';
    expect((await problem(read(`http://127.0.0.1:${redirectorPort}/`))).message).toMatch(/only http\(s\)/);
  });

  it('sends the validators it was given and gets a 304 for an unchanged feed, a new body once it changes', async () => {
    const first = await read(fakes.journalUrl('media', 'rss2'));
    if (first.kind !== 'read') throw new Error('expected a body');
    expect(first.feed.items).toHaveLength(1);
    const again = await read(fakes.journalUrl('media', 'rss2'), open, first.validators);
    expect(again.kind).toBe('unchanged');
    expect(fakes.served.at(-1)).toMatchObject({ status: 304, conditional: true });
    fakes.publish('journal:media', { key: 'a2', title: 'Brain MRI segmentation', authors: ['C. D'], abstract: 'y', at: clock.now().getTime() });
    const changed = await read(fakes.journalUrl('media', 'rss2'), open, first.validators);
    expect(changed.kind === 'read' && changed.feed.items).toHaveLength(2);
  });

  it('reads an arXiv category from the API and PubMed by entry date in two steps', async () => {
    fakes.publish('arxiv:eess.IV', { key: 'x1', arxivId: '2611.00001', title: 'Liver CT segmentation with U-Net', authors: ['E. F', 'G. H'], abstract: 'z', at: clock.now().getTime() - 1000, doi: '10.1000/xyz1' });
    fakes.publish('pubmed:deep learning', { key: 'm1', pmid: '41000001', title: 'Deep learning for mammography', authors: ['I J'], abstract: '', at: clock.now().getTime() - 1000, doi: '10.1000/MAM1' });
    const arxiv = await read('arxiv:eess.IV');
    expect(arxiv.kind === 'read' && arxiv.feed.items[0]).toMatchObject({ arxivId: '2611.00001', doi: '10.1000/xyz1', authors: ['E. F', 'G. H'] });
    const pubmed = await read('pubmed:"deep learning"');
    expect(pubmed.kind === 'read' && pubmed.feed.items[0]).toMatchObject({ pmid: '41000001', doi: '10.1000/mam1', title: 'Deep learning for mammography' });
    const esearch = fakes.requestsTo('/eutils/esearch.fcgi').at(-1)!.path;
    expect(esearch).toMatch(/datetype=edat/);
    expect(esearch).toMatch(/tool=paperbot/);
  });

  it('names each failure: HTML, malformed, entities, gone, throttled with Retry-After, redirect loop, timeout, oversized body', async () => {
    const kind = async (failure: Parameters<FakeFeeds['failureUrl']>[0], http = open) => {
      const p = await problem(read(fakes.failureUrl(failure), http));
      return { kind: p.kind, message: p.message, retryAfterMs: p.retryAfterMs };
    };
    expect(await kind('html')).toMatchObject({ kind: 'format', message: expect.stringMatching(/HTML/) });
    expect(await kind('malformed')).toMatchObject({ kind: 'format', message: expect.stringMatching(/not well-formed/) });
    expect(await kind('entities')).toMatchObject({ kind: 'format', message: expect.stringMatching(/entities/) });
    expect(await kind('gone')).toMatchObject({ kind: 'gone' });
    expect(await kind('gone410')).toMatchObject({ kind: 'gone', message: expect.stringMatching(/410/) });
    expect(await kind('throttled')).toMatchObject({ kind: 'throttled', retryAfterMs: 120_000 });
    expect(await kind('unavailable')).toMatchObject({ kind: 'throttled', retryAfterMs: 60_000 });
    expect(await kind('loop')).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/loop/) });
    expect(await kind('hang', client({ allowPrivate: true }, 200))).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/no answer/) });
    expect(await kind('huge')).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/bytes/) });
  });
});
