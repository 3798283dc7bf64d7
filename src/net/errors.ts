/**
 * Why a request to an outside source failed, in words the caller can turn into a reply. `kind` is
 * stable for code; the message names the URL so a log line says where it went wrong.
 */
export type HttpFailure =
  /** The source answered with an HTTP status we do not treat as success (404, 400, 500 …). */
  | 'status'
  /** No answer within the timeout. */
  | 'timeout'
  /** The body (or its announced Content-Length) is larger than the cap. */
  | 'too-large'
  /** The connection closed before the announced body arrived. */
  | 'truncated'
  /** DNS, refused connection, reset: the source is down or unreachable. */
  | 'network'
  /** An HTML page (a login wall, an error page) where JSON or XML was expected. */
  | 'unexpected-content'
  /** JSON or XML that does not parse. */
  | 'malformed'
  /** XML with a DOCTYPE or entity declarations, refused before parsing. */
  | 'unsafe-xml'
  /** 429/503 still answered after the last retry, or a Retry-After longer than we will wait. */
  | 'rate-limited';

export class HttpError extends Error {
  constructor(
    readonly kind: HttpFailure,
    readonly url: string,
    detail: string,
    readonly status?: number,
    /** From Retry-After, when the source said how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(`${detail} (${redactUrl(url)})`);
    this.name = 'HttpError';
  }
}

/** Keys and e-mail addresses stay out of error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of ['api_key', 'api-key', 'mailto', 'email']) {
      if (u.searchParams.has(key)) u.searchParams.set(key, '…');
    }
    return u.toString();
  } catch {
    return url;
  }
}
