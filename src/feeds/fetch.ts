import http from 'node:http';
import https from 'node:https';
import type { lookup as dnsLookup } from 'node:dns';
import { checkLiteralHost, guardedLookup, isPublicAddress, type AddressPolicy } from './guard.js';

/**
 * One GET of a feed: conditional (ETag, Last-Modified), bounded (timeout, size cap, redirects),
 * and guarded against private addresses unless the operator allows them. Redirects are followed
 * here, one hop at a time, so each hop is checked before it connects.
 */

export type FetchOptions = {
  etag?: string | null;
  lastModified?: string | null;
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** PAPERBOT_ALLOW_PRIVATE_FEEDS: an intranet feed, or tests against fakes on 127.0.0.1. */
  allowPrivate: boolean;
  accept?: string;
  /** Which resolved addresses may be connected to (default: public unicast only); for tests. */
  addressPolicy?: AddressPolicy;
  /** The resolver (default: the system's); for tests. */
  resolve?: typeof dnsLookup;
};

export type FetchResult =
  | { kind: 'ok'; status: number; body: string; contentType: string; etag: string | null; lastModified: string | null; url: string }
  | { kind: 'not-modified'; etag: string | null; lastModified: string | null };

/** A fetch that failed; `kind` decides what polling does next. */
export class FetchError extends Error {
  constructor(
    readonly kind: 'gone' | 'throttled' | 'http' | 'timeout' | 'too-large' | 'redirects' | 'network' | 'blocked' | 'bad-url',
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function fetchFeed(rawUrl: string, options: FetchOptions): Promise<FetchResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new FetchError('bad-url', `"${rawUrl}" is not a URL`);
  }
  const seen = new Set<string>();
  for (let hop = 0; hop <= options.maxRedirects; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('bad-url', `only http(s) feeds are read, not ${url.protocol}`);
    if (seen.has(url.href)) throw new FetchError('redirects', `the feed redirects in a loop (${url.href})`);
    seen.add(url.href);
    if (!options.allowPrivate) {
      try {
        checkLiteralHost(url, options.addressPolicy ?? isPublicAddress);
      } catch (error) {
        throw new FetchError('blocked', (error as Error).message);
      }
    }
    const answer = await requestOnce(url, options, hop === 0);
    if (answer.kind === 'redirect') {
      url = new URL(answer.location, url);
      continue;
    }
    return answer.result;
  }
  throw new FetchError('redirects', `the feed redirects more than ${options.maxRedirects} times`);
}

type Answer = { kind: 'redirect'; location: string } | { kind: 'done'; result: FetchResult };

function requestOnce(url: URL, options: FetchOptions, conditional: boolean): Promise<Answer> {
  const headers: Record<string, string> = {
    'user-agent': options.userAgent,
    accept: options.accept ?? 'application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
  };
  // Conditional headers belong to the URL they were learnt from, the first one.
  if (conditional && options.etag) headers['if-none-match'] = options.etag;
  if (conditional && options.lastModified) headers['if-modified-since'] = options.lastModified;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const req = client.request(url, { method: 'GET', headers, lookup: options.allowPrivate ? undefined : guardedLookup(options.addressPolicy, options.resolve), timeout: options.timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const etag = header('etag') ?? null;
      const lastModified = header('last-modified') ?? null;
      if (status >= 300 && status < 400 && status !== 304) {
        res.resume();
        const location = header('location');
        if (!location) return reject(new FetchError('http', `HTTP ${status} without a Location`, status));
        return resolve({ kind: 'redirect', location });
      }
      if (status === 304) {
        res.resume();
        return resolve({ kind: 'done', result: { kind: 'not-modified', etag: etag ?? options.etag ?? null, lastModified: lastModified ?? options.lastModified ?? null } });
      }
      if (status === 404 || status === 410) {
        res.resume();
        return reject(new FetchError('gone', `HTTP ${status}: the feed is gone`, status));
      }
      if (status === 429 || status === 503) {
        res.resume();
        return reject(new FetchError('throttled', `HTTP ${status}: the server asks to come back later`, status, retryAfterMs(header('retry-after'), Date.now())));
      }
      if (status < 200 || status >= 300) {
        res.resume();
        return reject(new FetchError('http', `HTTP ${status}`, status));
      }
      const declared = Number(header('content-length'));
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        req.destroy();
        return reject(new FetchError('too-large', `the feed is larger than ${options.maxBytes} bytes`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          req.destroy(new FetchError('too-large', `the feed is larger than ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({
          kind: 'done',
          result: { kind: 'ok', status, body: Buffer.concat(chunks).toString('utf8'), contentType: header('content-type') ?? '', etag, lastModified, url: url.href },
        }),
      );
      res.on('error', (error) => reject(asFetchError(error)));
    });
    req.on('timeout', () => req.destroy(new FetchError('timeout', `no answer within ${Math.round(options.timeoutMs / 1000)} s`)));
    req.on('error', (error) => reject(asFetchError(error)));
    req.end();
  });
}

function asFetchError(error: unknown): FetchError {
  if (error instanceof FetchError) return error;
  const e = error as Error;
  if (e?.name === 'BlockedAddressError') return new FetchError('blocked', e.message);
  return new FetchError('network', e?.message ?? String(error));
}
