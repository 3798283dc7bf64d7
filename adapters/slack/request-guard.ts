import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Slack's own payloads are a few KiB; anything far larger is not from Slack. */
export const MAX_BODY_BYTES = 64 * 1024;
/** The same window Bolt applies to old timestamps, applied to the future as well. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * Runs before Bolt sees a request to the events endpoint: a declared body over the limit gets 413 and
 * a signature timestamp more than five minutes ahead gets 401 (Bolt rejects only stale ones, so a
 * captured request signed with a future timestamp could otherwise be replayed for hours).
 * Bodies without a length are capped by Bolt's own `bodyLimit`, set to the same size.
 */
export function guardRequests(next: RequestListener, endpoint: string, now: () => number = Date.now): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && pathOf(req) === endpoint) {
      const length = Number(req.headers['content-length']);
      if (Number.isFinite(length) && length > MAX_BODY_BYTES) return refuse(req, res, 413);
      const stamp = Number(req.headers['x-slack-request-timestamp']);
      if (Number.isFinite(stamp) && stamp - now() / 1000 > MAX_CLOCK_SKEW_SECONDS) return refuse(req, res, 401);
    }
    next(req, res);
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number): void {
  // The body is never read: close the connection after answering instead of draining it.
  res.writeHead(status, { connection: 'close', 'content-length': '0' });
  res.end();
  req.resume();
}
