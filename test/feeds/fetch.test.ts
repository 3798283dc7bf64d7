import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { FetchError, fetchFeed, type FetchOptions } from '../../src/feeds/fetch.js';
import { isPublicAddress } from '../../src/feeds/guard.js';
import { parseFeedXml } from '../../src/feeds/parse.js';
import { FakeFeeds } from '../fakes/feeds.js';
import { listenOnLoopback } from '../fakes/http.js';

const base: FetchOptions = { userAgent: 'paperbot-test', timeoutMs: 500, maxBytes: 1_000_000, maxRedirects: 5, allowPrivate: true };

async function failure(url: string, options: Partial<FetchOptions> = {}): Promise<FetchError> {
  try {
    await fetchFeed(url, { ...base, ...options });
  } catch (error) {
    if (error instanceof FetchError) return error;
    throw error;
  }
  throw new Error(`expected ${url} to fail`);
}

describe('which addresses a feed from chat may reach', () => {
  it('allows public unicast only: no loopback, private, link-local, metadata, CGNAT or mapped loopback', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1', 'not-an-ip']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(a), a).toBe(true);
  });
});

describe('fetching a feed', () => {
  const clock = new ManualClock('2026-11-30T09:00:00Z');
  const fakes = new FakeFeeds(clock);
  let redirector: Server;
  let redirectorPort = 0;
  let redirectTo = '';

  beforeAll(async () => {
    await fakes.start();
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
    const before = fakes.served.length;
    expect((await failure(fakes.journalUrl('media', 'rss2'), { allowPrivate: false })).kind).toBe('blocked');
    expect((await failure(`http://localhost:${fakes.port}/journal/media.rss2`, { allowPrivate: false })).kind).toBe('blocked');
    expect((await failure(`http://[::1]:${fakes.port}/journal/media.rss2`, { allowPrivate: false })).kind).toBe('blocked');
    expect(fakes.served.length).toBe(before);
  });

  it('checks every redirect hop: a permitted first hop that sends the reader to a metadata or private address is refused', async () => {
    // In this test only 127.0.0.1 counts as public, and names are resolved by a table.
    const names: Record<string, string> = { 'feeds.test': '127.0.0.1', 'metadata.test': '169.254.169.254', 'intranet.test': '10.0.0.5' };
    const options: Partial<FetchOptions> = {
      allowPrivate: false,
      addressPolicy: (a) => a === '127.0.0.1' || isPublicAddress(a),
      resolve: ((host: string, _o: unknown, cb: (e: Error | null, a: { address: string; family: number }[]) => void) =>
        names[host] ? cb(null, [{ address: names[host], family: 4 }]) : cb(new Error(`ENOTFOUND ${host}`), [])) as never,
    };
    for (const target of ['http://metadata.test/latest/meta-data/', 'http://intranet.test/feed', 'http://169.254.169.254/latest/', 'http://[::1]/feed']) {
      redirectTo = target;
      const error = await failure(`http://feeds.test:${redirectorPort}/`, options);
      expect(error.kind, target).toBe('blocked');
    }
    redirectTo = `http://feeds.test:${fakes.port}/journal/media.rss2`;
    const ok = await fetchFeed(`http://feeds.test:${redirectorPort}/`, { ...base, ...options });
    expect(ok.kind).toBe('ok');
  });

  it('refuses schemes other than http(s), including on a redirect', async () => {
    expect((await failure('file:///etc/passwd')).kind).toBe('bad-url');
    redirectTo = 'file:///etc/passwd';
    expect((await failure(`http://127.0.0.1:${redirectorPort}/`)).kind).toBe('bad-url');
  });

  it('sends the validators it was given and gets a 304 for an unchanged feed, a 200 once it changes', async () => {
    const first = await fetchFeed(fakes.journalUrl('media', 'rss2'), base);
    if (first.kind !== 'ok') throw new Error('expected a body');
    expect(parseFeedXml(first.body).items).toHaveLength(1);
    const again = await fetchFeed(fakes.journalUrl('media', 'rss2'), { ...base, etag: first.etag, lastModified: first.lastModified });
    expect(again.kind).toBe('not-modified');
    fakes.publish('journal:media', { key: 'a2', title: 'Brain MRI segmentation', authors: ['C. D'], abstract: 'y', at: clock.now().getTime() });
    const changed = await fetchFeed(fakes.journalUrl('media', 'rss2'), { ...base, etag: first.etag, lastModified: first.lastModified });
    expect(changed.kind).toBe('ok');
  });

  it('names each failure: gone, throttled with Retry-After, redirect loop, timeout, oversized body', async () => {
    expect((await failure(fakes.failureUrl('gone'))).kind).toBe('gone');
    expect((await failure(fakes.failureUrl('gone410'))).status).toBe(410);
    const throttled = await failure(fakes.failureUrl('throttled'));
    expect(throttled.kind).toBe('throttled');
    expect(throttled.retryAfterMs).toBe(120_000);
    expect((await failure(fakes.failureUrl('unavailable'))).kind).toBe('throttled');
    expect((await failure(fakes.failureUrl('loop'))).kind).toBe('redirects');
    expect((await failure(fakes.failureUrl('hang'), { timeoutMs: 200 })).kind).toBe('timeout');
    expect((await failure(fakes.failureUrl('huge'))).kind).toBe('too-large');
  });
});
