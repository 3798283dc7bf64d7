import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenOnLoopback, readBody } from '../fakes/http.js';

/**
 * An HTTP relay on 127.0.0.1 in front of one replica's fake Slack that can freeze that replica in
 * the middle of a post: the nth matching request is held, either before it reaches the fake (the
 * post has not arrived; `release()` lets it go on) or after (the post arrived, the answer never
 * comes back). The test kills a replica while it waits, which is the moment a crash costs the most.
 */
export type HoldMode = 'before-arrival' | 'after-arrival';
export type HeldRequest = { path: string; body: Record<string, string> };

type Plan = { match: (path: string) => boolean; remaining: number; mode: HoldMode; resolve(held: HeldRequest): void };

export class HoldingProxy {
  private plan: Plan | null = null;
  private readonly waiting = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<HoldingProxy> {
    let proxy: HoldingProxy | undefined;
    const server = createServer((req, res) => {
      void readBody(req).then(async (raw) => {
        const path = req.url ?? '/';
        const hold = proxy?.take(path);
        const held: HeldRequest = { path, body: decode(raw, req.headers) };
        if (hold === 'before-arrival') {
          await proxy?.heldUntilRelease(held);
          // A client that gave up meanwhile retries by itself: this request must not arrive as well.
          if (req.socket.destroyed) return;
        }
        const answer = await relay(targetPort, req.method ?? 'POST', path, req.headers, raw);
        if (hold === 'after-arrival') return proxy?.announce(held);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      }).catch(() => res.destroy());
    });
    proxy = new HoldingProxy(server, await listenOnLoopback(server));
    return proxy;
  }

  /** The Web API base URL through the proxy, for SLACK_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** Holds the `nth` request from now on whose path matches; resolves with it once it is held. */
  holdNth(match: (path: string) => boolean, nth: number, mode: HoldMode): Promise<HeldRequest> {
    return new Promise((resolve) => {
      this.plan = { match, remaining: nth, mode, resolve };
    });
  }

  /** Cancels a hold not yet taken, and lets every request held before arrival go on to the fake. */
  release(): void {
    this.plan = null;
    for (const go of this.waiting) go();
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(path: string): HoldMode | undefined {
    const plan = this.plan;
    if (!plan || !plan.match(path) || --plan.remaining > 0) return undefined;
    return plan.mode;
  }

  private heldUntilRelease(held: HeldRequest): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.add(resolve);
      this.announce(held);
    });
  }

  private announce(held: HeldRequest): void {
    const plan = this.plan;
    this.plan = null;
    plan?.resolve(held);
  }
}

function relay(port: number, method: string, path: string, headers: IncomingHttpHeaders, body: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { 'transfer-encoding': _chunked, ...rest } = headers;
    const upstream = request({ host: '127.0.0.1', port, method, path, headers: { ...rest, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = Buffer.concat(chunks);
        const { 'transfer-encoding': _chunkedAnswer, connection: _connection, ...kept } = res.headers;
        resolve({ status: res.statusCode ?? 502, headers: { ...kept, 'content-length': String(answer.length) }, body: answer });
      });
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function decode(raw: string, headers: IncomingHttpHeaders): Record<string, string> {
  if (String(headers['content-type']).includes('application/json')) {
    try {
      return Object.fromEntries(Object.entries(JSON.parse(raw) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
