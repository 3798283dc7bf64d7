import { HttpError, type HttpClient } from '../../net/index.js';
import { FeedAddressError } from './fetch.js';
import { FeedFormatError, parseFeedXml, type ParsedFeed } from './parse.js';
import { eutils, PUBMED_PAGE, readEsearch, readEsummary, sourceUrl, type FeedSource, type SourceUrls } from './sources.js';

/**
 * One read of a feed through the Net layer: conditional (an unchanged feed costs one 304), then
 * parsed. Every failure comes back as a FeedProblem whose `kind` decides what polling does next.
 */

export type Validators = { etag: string | null; lastModified: string | null };

export type ReadResult = { kind: 'unchanged'; validators: Validators } | { kind: 'read'; feed: ParsedFeed; validators: Validators };

export type ProblemKind = 'gone' | 'throttled' | 'blocked' | 'format' | 'unreachable';

export class FeedProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'FeedProblem';
  }
}

const FEED_ACCEPT = 'application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1';

export async function readFeed(http: HttpClient, source: FeedSource, urls: SourceUrls, validators: Validators): Promise<ReadResult> {
  try {
    const url = sourceUrl(source, urls);
    const response = await http.get(url, {
      accept: source.kind === 'pubmed' ? 'application/json' : FEED_ACCEPT,
      ifNoneMatch: validators.etag ?? undefined,
      ifModifiedSince: validators.lastModified ?? undefined,
      // arXiv sends its errors as an Atom feed with a 400: read it to report what arXiv said.
      acceptStatuses: source.kind === 'arxiv' ? [400] : undefined,
    });
    const next: Validators = { etag: response.etag ?? validators.etag, lastModified: response.lastModified ?? validators.lastModified };
    if (response.notModified) return { kind: 'unchanged', validators: next };
    if (source.kind !== 'pubmed') return { kind: 'read', feed: parseFeedXml(response.body, response.headers.get('content-type') ?? ''), validators: next };
    const ids = readEsearch(response.body);
    if (ids.length === 0) return { kind: 'read', feed: { format: 'pubmed', title: 'PubMed', items: [], skipped: 0 }, validators: next };
    const summary = await http.get(eutils(urls, 'esummary.fcgi', { db: 'pubmed', id: ids.slice(0, PUBMED_PAGE).join(','), retmode: 'json' }), { accept: 'application/json' });
    return { kind: 'read', feed: readEsummary(summary.body), validators: next };
  } catch (error) {
    throw asProblem(error);
  }
}

function asProblem(error: unknown): FeedProblem {
  if (error instanceof FeedProblem) return error;
  if (error instanceof FeedFormatError) return new FeedProblem('format', error.message);
  if (error instanceof HttpError) {
    if (error.kind === 'status' && (error.status === 404 || error.status === 410)) return new FeedProblem('gone', `HTTP ${error.status}: the feed is gone`);
    if (error.kind === 'rate-limited') return new FeedProblem('throttled', `HTTP ${error.status ?? 429}: the server asks to come back later`, error.retryAfterMs);
    if (error.kind === 'unexpected-content') return new FeedProblem('format', 'the address answered with an HTML page, not a feed');
    if (error.kind === 'unsafe-xml' || error.kind === 'malformed') return new FeedProblem('format', error.message);
    // The guard's refusals reach us as the Net layer's network errors, with the guard's words.
    if (error.kind === 'network' && /loopback, private, link-local or metadata/.test(error.message)) return new FeedProblem('blocked', error.message);
    return new FeedProblem('unreachable', error.message);
  }
  if (error instanceof FeedAddressError) return new FeedProblem(error.kind === 'blocked' ? 'blocked' : 'unreachable', error.message);
  return new FeedProblem('unreachable', error instanceof Error ? error.message : String(error));
}
