/**
 * Polite HTTP for outside sources (paper resolvers, feeds). Import from here:
 *
 * - `HttpClient`: GET with per-host pacing, timeout, size cap, User-Agent, bounded retries after
 *   Retry-After on 429/503, conditional requests (`ifNoneMatch`/`ifModifiedSince`, `notModified` on
 *   304), `getJson` refusing HTML, `getXml` refusing DOCTYPE/entities.
 * - `HostPacer` / `sharedPacer`: per-host queues; configure a host once with a `HostPolicy`
 *   (`ARXIV_POLICY`, `ncbiPolicy(hasKey)`, `CROSSREF_POLICY`), or let `followRateLimitHeaders` adapt it.
 * - `HttpError`: every failure, with a stable `kind` to turn into a reply.
 * - `parseXmlSafely`, `xmlText`, `asArray`: XML from outside, for bodies that did not come through getXml.
 * - `sourceRequests.observe(…)`: hears every attempt of every HttpClient in the process (host, status,
 *   time, retry), for metrics.
 *
 * An entry point in knip.json: its exports are the API feeds and other sources build on, used or not yet.
 */
export { HttpClient, paperbotUserAgent, parseRetryAfter } from './http.js';
export type { HttpClientOptions, HttpResponse, Parsed, RequestOptions } from './http.js';
export { HttpError, redactUrl } from './errors.js';
export type { HttpFailure } from './errors.js';
export {
  ARXIV_POLICY,
  CROSSREF_POLICY,
  DEFAULT_POLICY,
  HostPacer,
  hostKey,
  ncbiPolicy,
  policyFromRateLimitHeaders,
  sharedPacer,
} from './pacing.js';
export type { HostPolicy } from './pacing.js';
export { XmlRefused, asArray, parseXmlSafely, xmlText } from './xml.js';
export { sourceRequests } from './observe.js';
export type { SourceRequestEvent } from './observe.js';
export type { XmlOptions } from './xml.js';
