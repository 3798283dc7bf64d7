import type { Logger } from '../log.js';
import { HttpError, redactUrl } from './errors.js';
import { sourceRequests, type SourceRequestEvent } from './observe.js';
import { HostPacer, hostKey, policyFromRateLimitHeaders, sharedPacer } from './pacing.js';
import { XmlRefused, parseXmlSafely, type XmlOptions } from './xml.js';

export type HttpClientOptions = {
  /** Names the bot and a contact; see `paperbotUserAgent`. */
  userAgent: string;
  /** Per-host pacing; defaults to the process-wide `sharedPacer`. */
  pacer?: HostPacer;
  /** Total time for one attempt, headers and body together. */
  timeoutMs?: number;
  /** Largest body accepted, in bytes. */
  maxBytes?: number;
  /** How many times a 429/502/503/504 is retried before giving up. */
  maxRetries?: number;
  /** First backoff when the source gives no Retry-After; doubles each retry. */
  backoffMs?: number;
  /** A Retry-After longer than this is not waited for: the request fails as rate-limited. */
  maxWaitMs?: number;
  /** Injected so tests never sleep through a Retry-After. */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  logger?: Logger;
};

export type RequestOptions = {
  accept?: string;
  headers?: Record<string, string>;
  /** Conditional request: sent as If-None-Match; a 304 comes back with `notModified: true`. */
  ifNoneMatch?: string;
  /** Conditional request: sent as If-Modified-Since (a Date or an HTTP date string). */
  ifModifiedSince?: string | Date;
  timeoutMs?: number;
  maxBytes?: number;
  /** Statuses besides 2xx and 304 whose body the caller wants to read (arXiv sends errors as Atom with 400). */
  acceptStatuses?: number[];
  /** Let this response's x-rate-limit-* headers re-pace its host (Crossref announces its limits this way). */
  followRateLimitHeaders?: boolean;
};

export type HttpResponse = {
  status: number;
  /** The final URL after redirects. */
  url: string;
  headers: Headers;
  /** The body decoded as UTF-8; empty on 304. */
  body: string;
  /** True for a 304 answer to a conditional request. */
  notModified: boolean;
  /** Validators to send next time. */
  etag?: string;
  lastModified?: string;
};

export type Parsed<T> = HttpResponse & { data: T };

const RETRIED = new Set([429, 502, 503, 504]);
const MiB = 1024 * 1024;

/**
 * The one way paperbot talks to outside sources: paced per host across the process, bounded in time
 * and size, identified by its User-Agent, retrying 429/503 after Retry-After a bounded number of
 * times, and refusing HTML where data was expected and XML with a DOCTYPE. Every failure is an
 * HttpError whose `kind` a caller can turn into a reply.
 *
 *     const http = new HttpClient({ userAgent: paperbotUserAgent('lab@example.org') });
 *     const { data } = await http.getJson<Work>('https://api.crossref.org/works/10.1/x');
 *     const feed = await http.getXml(url, { ifNoneMatch: etag }); // feed.notModified on 304
 */
export class HttpClient {
  readonly userAgent: string;
  readonly pacer: HostPacer;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchImpl: typeof fetch;
  private readonly logger?: Logger;

  constructor(options: HttpClientOptions) {
    this.userAgent = options.userAgent;
    this.pacer = options.pacer ?? sharedPacer;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxBytes = options.maxBytes ?? 5 * MiB;
    this.maxRetries = options.maxRetries ?? 3;
    this.backoffMs = options.backoffMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.fetchImpl = options.fetch ?? fetch;
    this.logger = options.logger;
  }

  /** GET with pacing, timeout, size cap and retries; the body as text. */
  async get(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.pacer.schedule(url, () => this.observed(url, attempt > 0, () => this.attempt(url, options)));
      if (options.followRateLimitHeaders) {
        const policy = policyFromRateLimitHeaders(response.headers);
        if (policy) this.pacer.configure(url, policy);
      }
      if (response.notModified || (response.status >= 200 && response.status < 300)) return response;
      if (options.acceptStatuses?.includes(response.status)) return response;
      if (!RETRIED.has(response.status)) {
        throw new HttpError('status', url, `HTTP ${response.status}`, response.status);
      }
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      if (attempt >= this.maxRetries || (retryAfterMs !== undefined && retryAfterMs > this.maxWaitMs)) {
        throw new HttpError('rate-limited', url, `HTTP ${response.status} after ${attempt + 1} attempts`, response.status, retryAfterMs);
      }
      const waitMs = Math.min(retryAfterMs ?? this.backoffMs * 2 ** attempt, this.maxWaitMs);
      this.logger?.warn(`HTTP ${response.status} from ${redactUrl(url)}; retrying in ${waitMs} ms`);
      await this.sleep(waitMs);
    }
  }

  /** GET a JSON body; HTML or unparseable text is an HttpError. `data` is undefined on 304. */
  async getJson<T = unknown>(url: string, options: RequestOptions = {}): Promise<Parsed<T>> {
    const response = await this.get(url, { accept: 'application/json', ...options });
    if (response.notModified) return { ...response, data: undefined as T };
    if (looksLikeHtml(response)) {
      throw new HttpError('unexpected-content', url, 'an HTML page where JSON was expected', response.status);
    }
    try {
      return { ...response, data: JSON.parse(response.body) as T };
    } catch {
      throw new HttpError('malformed', url, 'the JSON answer does not parse (truncated?)', response.status);
    }
  }

  /**
   * GET an XML body, parsed by `parseXmlSafely` (no DOCTYPE, no entities; see XmlOptions).
   * `data` is undefined on 304.
   */
  async getXml(url: string, options: RequestOptions & XmlOptions = {}): Promise<Parsed<Record<string, unknown>>> {
    const { arrays, allowExternalDoctype, ...rest } = options;
    const response = await this.get(url, { accept: 'application/atom+xml, application/xml;q=0.9, text/xml;q=0.8', ...rest });
    if (response.notModified) return { ...response, data: undefined as unknown as Record<string, unknown> };
    if (looksLikeHtml(response)) {
      throw new HttpError('unexpected-content', url, 'an HTML page where XML was expected', response.status);
    }
    try {
      return { ...response, data: parseXmlSafely(response.body, { arrays, allowExternalDoctype }) };
    } catch (error) {
      if (error instanceof XmlRefused) {
        throw new HttpError(error.reason === 'unsafe' ? 'unsafe-xml' : 'malformed', url, error.message, response.status);
      }
      throw error;
    }
  }

  /** Runs one attempt and reports how it ended (see observe.ts): status, time, whether it is a retry. */
  private async observed(url: string, retry: boolean, attempt: () => Promise<HttpResponse>): Promise<HttpResponse> {
    const started = performance.now();
    const report = (status: SourceRequestEvent['status']) =>
      sourceRequests.publish({ host: hostKey(url), status, seconds: (performance.now() - started) / 1000, retry });
    try {
      const response = await attempt();
      report(response.status);
      return response;
    } catch (error) {
      report(error instanceof HttpError ? error.kind : 'network');
      throw error;
    }
  }

  private async attempt(url: string, options: RequestOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      accept: options.accept ?? '*/*',
      ...options.headers,
    };
    if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
    if (options.ifModifiedSince) {
      headers['if-modified-since'] =
        options.ifModifiedSince instanceof Date ? options.ifModifiedSince.toUTCString() : options.ifModifiedSince;
    }
    const controller = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      let response: Response;
      try {
        response = await this.fetchImpl(url, { headers, signal: controller.signal, redirect: 'follow' });
      } catch (error) {
        if (controller.signal.aborted) throw new HttpError('timeout', url, `no answer within ${timeoutMs} ms`);
        throw new HttpError('network', url, `cannot reach the source: ${causeOf(error)}`);
      }
      const result: HttpResponse = {
        status: response.status,
        url: response.url || url,
        headers: response.headers,
        body: '',
        notModified: response.status === 304,
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
      };
      if (response.status === 304) {
        await response.body?.cancel();
        return result;
      }
      result.body = await readCapped(response, url, options.maxBytes ?? this.maxBytes, controller, timeoutMs);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Reads a body up to `maxBytes`, decoding UTF-8 whatever the header says (arXiv asks for UTF-8). */
async function readCapped(
  response: Response,
  url: string,
  maxBytes: number,
  controller: AbortController,
  timeoutMs: number,
): Promise<string> {
  const announced = Number(response.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel();
    throw new HttpError('too-large', url, `the answer is ${announced} bytes, more than the ${maxBytes} allowed`, response.status);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new HttpError('too-large', url, `the answer exceeds ${maxBytes} bytes`, response.status);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (controller.signal.aborted) throw new HttpError('timeout', url, `the answer did not finish within ${timeoutMs} ms`);
    throw new HttpError('truncated', url, `the answer was cut off: ${causeOf(error)}`, response.status);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function looksLikeHtml(response: HttpResponse): boolean {
  const type = response.headers.get('content-type') ?? '';
  if (/html/i.test(type)) return true;
  return /^\s*(<!doctype\s+html|<html[\s>])/i.test(response.body.slice(0, 512));
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message;
    return error.message;
  }
  return String(error);
}

/** Retry-After as milliseconds from `nowMs`: delta-seconds or an HTTP date. */
export function parseRetryAfter(raw: string | null, nowMs: number): number | undefined {
  if (!raw) return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * `paperbot/0.1 (+mailto:lab@example.org)`: the bot's name and a contact, as arXiv, Crossref's
 * polite pool and NCBI ask. Without a contact the requests still say who sends them.
 */
export function paperbotUserAgent(contactEmail?: string): string {
  return contactEmail ? `paperbot/0.1 (literature bot; mailto:${contactEmail})` : 'paperbot/0.1 (literature bot)';
}
