import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import type { Logger } from '../../src/log.js';
import type { Replays } from './replays.js';

/** Slack's own payloads are a few KiB; anything far larger is not from Slack. */
export const MAX_BODY_BYTES = 64 * 1024;
/** The same window Bolt applies to old timestamps, applied to the future as well. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** A request seen once is remembered this long: the skew window both ways, so no replay can outlive it. */
export const REPLAY_MEMORY_MS = 2 * MAX_CLOCK_SKEW_SECONDS * 1000;
/** Signed requests remembered at most; Slack's traffic to one lab stays far below. */
const REPLAY_MEMORY_ENTRIES = 50_000;
/** At most one log line per this interval about refused requests, with how many there were. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;
/** A plain decimal integer: what Slack sends, and the only form whose signature means one instant. */
const PLAIN_SECONDS = /^[0-9]{1,12}$/;

type GuardOptions = {
  /** The events path as Bolt matches it. */
  endpoint: string;
  signingSecret: string;
  log: Logger;
  /** Where answered requests are remembered: the database, shared by every replica (replays.ts). */
  replays: Replays;
  now?: () => number;
};

/** The request with its body already read, in the shape Bolt reuses instead of reading it again. */
type Buffered = IncomingMessage & { rawBody?: Buffer };

/**
 * Runs before Bolt on every request, and judges exactly those Bolt would serve from the events
 * endpoint (the same method test and the same WHATWG parse of the target, so `/slack/./events`, a
 * fragment or an absolute-form request line are judged too). In order: a declared body over the
 * limit gets 413; a signature timestamp that is not a plain integer within five minutes either way
 * gets 401 (Bolt rejects only stale ones and reads `Infinity`); the body is read (capped) and its
 * signature checked (401); a body that is not a well-formed form or JSON object, or repeats a form
 * key, gets 400; a signed request whose trigger_id (event_id for events, or else whole body) was
 * already served inside the window, by this replica or another, is acknowledged with an empty 200
 * and not run again. Only then does Bolt see it, with the body handed over so it is not read twice.
 */
export function guardRequests(next: RequestListener, options: GuardOptions): RequestListener {
  const now = options.now ?? Date.now;
  const seen = options.replays;
  const refusals = new RateLimitedLog(options.log, now);
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!isEndpointPost(req, options.endpoint)) return next(req, res);
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > MAX_BODY_BYTES) return refuse(req, res, 413);
    const stamp = req.headers['x-slack-request-timestamp'];
    const signature = req.headers['x-slack-signature'];
    if (typeof stamp !== 'string' || !PLAIN_SECONDS.test(stamp) || Math.abs(Number(stamp) - now() / 1000) > MAX_CLOCK_SKEW_SECONDS) {
      refusals.note('a missing, malformed or out-of-window timestamp');
      return refuse(req, res, 401);
    }
    if (typeof signature !== 'string') {
      refusals.note('no signature');
      return refuse(req, res, 401);
    }
    readCapped(req, MAX_BODY_BYTES).then(
      async (body) => {
        if (body === null) return refuse(req, res, 413);
        if (!signatureMatches(options.signingSecret, stamp, body, signature)) {
          refusals.note('a bad signature');
          return answer(res, 401);
        }
        const parsed = parsePayload(req.headers['content-type'], body.toString('utf8'));
        if (parsed === null) {
          options.log.warn('slack: a signed request with a malformed payload was refused (400)');
          return answer(res, 400);
        }
        const key = parsed.triggerId ?? parsed.eventId ?? bodyKey(body);
        if (!(await seen.remember(key))) {
          options.log.info(`slack: a repeat of an already answered request (${key.split(':')[0]}) was acknowledged and ignored`);
          return answer(res, 200);
        }
        (req as Buffered).rawBody = body;
        try {
          next(req, res);
        } catch (error) {
          options.log.error('slack: the request could not be handed to Bolt', error);
          if (!res.headersSent) answer(res, 500);
        }
      },
      () => {
        // The client went away or sent a broken stream; nothing to answer.
        req.destroy();
      },
    );
  };
}

/** Bolt's own routing test, so the guard never judges a different path than the one Bolt serves. */
function isEndpointPost(req: IncomingMessage, endpoint: string): boolean {
  if ((req.method ?? '').toUpperCase() !== 'POST') return false;
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname === endpoint;
  } catch {
    return false;
  }
}

function signatureMatches(secret: string, stamp: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${stamp}:`).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type Parsed = { triggerId?: string; eventId?: string };

/**
 * Slack posts commands and interactions form-encoded (interactions as one `payload` JSON field) and
 * events as JSON. Null for anything else: a repeated key, a payload that is not a JSON object.
 */
function parsePayload(contentType: string | undefined, text: string): Parsed | null {
  // Bolt reads the form only under this exact type and everything else as JSON; so do we.
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = parseForm(text);
    if (Object.values(form).some((v) => typeof v !== 'string')) return null;
    const payload = form.payload as string | undefined;
    if (payload === undefined) {
      if (form.ssl_check === '1') return {};
      if (typeof form.command !== 'string' || typeof form.user_id !== 'string' || typeof form.channel_id !== 'string') return null;
      return { triggerId: triggerKey(form.trigger_id) };
    }
    const object = jsonObject(payload);
    if (!object || typeof object.type !== 'string') return null;
    return { triggerId: triggerKey(object.trigger_id) };
  }
  const object = jsonObject(text);
  return object ? { eventId: eventKey(object.event_id) } : null;
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The key of a request that carries a trigger_id (commands, interactions): the same click or command sent again. */
export function triggerKey(value: unknown): string | undefined {
  return typeof value === 'string' && value ? `trigger:${value}` : undefined;
}

/** The key of an Events API delivery: Slack sends the same event_id again when it retries. */
export function eventKey(value: unknown): string | undefined {
  return typeof value === 'string' && value ? `event:${value}` : undefined;
}

/** Reads the body, or null as soon as it passes `max` bytes (chunked bodies declare no length). */
function readCapped(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

/** A request without a trigger_id is known again by its whole body. */
export function bodyKey(body: Buffer | string): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/**
 * Keys of served requests, each forgotten after the window (ten minutes); oldest first in insertion
 * order. HTTP mode keeps one in front of Bolt, Socket Mode one in Bolt's middleware.
 */
export class ReplayMemory {
  private readonly until = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  /** True the first time a key is seen inside the window. */
  remember(key: string): boolean {
    const t = this.now();
    for (const [k, expires] of this.until) {
      if (expires > t && this.until.size < REPLAY_MEMORY_ENTRIES) break;
      this.until.delete(k);
    }
    const known = this.until.get(key);
    if (known !== undefined && known > t) return false;
    this.until.set(key, t + REPLAY_MEMORY_MS);
    return true;
  }
}

/** One warning per interval for refused requests, counting the ones it did not write. */
class RateLimitedLog {
  private last = -Infinity;
  private suppressed = 0;
  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  note(reason: string): void {
    const t = this.now();
    if (t - this.last < REFUSAL_LOG_INTERVAL_MS) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed ? ` (and ${this.suppressed} more refused since the last report)` : '';
    this.log.warn(`slack: refused an unsigned request to the events endpoint: ${reason}${more}; further ones are reported at most once a minute`);
    this.last = t;
    this.suppressed = 0;
  }
}

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': '0' });
  res.end();
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number): void {
  // The body is never read: close the connection after answering instead of draining it.
  res.writeHead(status, { connection: 'close', 'content-length': '0' });
  res.end();
  req.resume();
}
