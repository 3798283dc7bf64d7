import type { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { checkLiteralHost, guardedLookup, isPublicAddress, type AddressPolicy } from './guard.js';

/**
 * A `fetch` for the Net layer's HttpClient (which brings pacing, timeouts, the size cap, the
 * User-Agent and conditional requests) that follows redirects itself, one hop at a time, so every
 * hop is checked before it connects: only http(s), no loop, and (unless the operator allows
 * private feeds) no loopback, private, link-local or metadata address, checked on the address the
 * socket actually connects to.
 */

export type GuardOptions = {
  /** PAPERBOT_ALLOW_PRIVATE_FEEDS: an intranet feed, or tests against fakes on 127.0.0.1. */
  allowPrivate: boolean;
  maxRedirects?: number;
  /** Which resolved addresses may be connected to (default: public unicast only); for tests. */
  addressPolicy?: AddressPolicy;
  /** The resolver (default: the system's); for tests. */
  resolve?: typeof dnsLookup;
};

/** Why the guard stopped a request; reaches the caller as the cause of the Net layer's error. */
export class FeedAddressError extends Error {
  constructor(
    readonly kind: 'blocked' | 'scheme' | 'redirects',
    message: string,
  ) {
    super(message);
    this.name = 'FeedAddressError';
  }
}

const NULL_BODY = new Set([101, 204, 205, 304]);

export function guardedFetch(options: GuardOptions): typeof fetch {
  const policy = options.addressPolicy ?? isPublicAddress;
  const lookup = options.allowPrivate ? undefined : guardedLookup(policy, options.resolve);
  const maxRedirects = options.maxRedirects ?? 5;
  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const seen = new Set<string>();
    for (let hop = 0; hop <= maxRedirects; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FeedAddressError('scheme', `only http(s) feeds are read, not ${url.protocol} addresses`);
      if (seen.has(url.href)) throw new FeedAddressError('redirects', 'the feed redirects in a loop');
      seen.add(url.href);
      if (!options.allowPrivate) {
        try {
          checkLiteralHost(url, policy);
        } catch (error) {
          throw new FeedAddressError('blocked', (error as Error).message);
        }
      }
      const res = await requestOnce(url, init, lookup);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && status !== 304 && location) {
        res.resume();
        url = new URL(location, url);
        continue;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      if (NULL_BODY.has(status)) res.resume();
      const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      const response = new Response(body, { status, headers });
      Object.defineProperty(response, 'url', { value: url.href });
      return response;
    }
    throw new FeedAddressError('redirects', `the feed redirects more than ${maxRedirects} times`);
  };
  return guarded as typeof fetch;
}

function requestOnce(url: URL, init: RequestInit, lookup: ReturnType<typeof guardedLookup> | undefined): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method: 'GET', headers, lookup, signal: init.signal ?? undefined }, resolve);
    req.on('error', (error) => {
      const e = error as Error;
      reject(e.name === 'BlockedAddressError' ? new FeedAddressError('blocked', e.message) : e);
    });
    req.end();
  });
}
