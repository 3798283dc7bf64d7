import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback } from '../fakes/http.js';

/** One request that went through the proxy, with what the server behind it answered. */
export type Relayed = {
  method: string;
  path: string;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
  /** The answer reached the server but never came back to the client. */
  lost: boolean;
};

type Match = (method: string, path: string) => boolean;

/**
 * An HTTP relay on 127.0.0.1 between a real client and a fake server. It passes everything through
 * unchanged, except that it can be told to lose the answer to one request: the request reaches the
 * server (which acts on it), then the client's connection is cut before the answer gets back, as
 * when a network drops a response. That is the one failure a fake server cannot play by itself.
 */
export class LossyProxy {
  readonly relayed: Relayed[] = [];
  private readonly server: Server;
  private readonly losing: Match[] = [];

  private constructor(private readonly targetPort: number) {
    this.server = createServer((req, res) => {
      void this.relay(req).then(
        ({ status, headers, body, lose }) => {
          if (lose) {
            req.socket.destroy();
            return;
          }
          res.writeHead(status, headers);
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`lossy proxy: ${String(error)}`);
        },
      );
    });
  }

  static async start(targetPort: number): Promise<LossyProxy> {
    const proxy = new LossyProxy(targetPort);
    await listenOnLoopback(proxy.server);
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The same API root as the fake's `apiUrl`, through the proxy. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** The next request that matches reaches the server, but its answer is lost on the way back. */
  loseNextResponse(match: Match): void {
    this.losing.push(match);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async relay(req: IncomingMessage): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer; lose: boolean }> {
    const method = req.method ?? 'GET';
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const requestBody = await readAll(req);
    const headers = { ...req.headers, host: `127.0.0.1:${this.targetPort}`, 'content-length': String(requestBody.length) };
    delete headers['transfer-encoding'];
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const upstream = request({ host: '127.0.0.1', port: this.targetPort, method, path: req.url, headers }, (res) => {
        readAll(res).then((body) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body }), reject);
      });
      upstream.on('error', reject);
      upstream.end(requestBody);
    });
    const i = this.losing.findIndex((match) => match(method, path));
    const lose = i >= 0;
    if (lose) this.losing.splice(i, 1);
    this.relayed.push({ method, path, requestBody: parse(requestBody), status: answer.status, responseBody: parse(answer.body), lost: lose });
    const outHeaders = { ...answer.headers, 'content-length': String(answer.body.length) };
    delete outHeaders['transfer-encoding'];
    delete outHeaders.connection;
    return { ...answer, headers: outHeaders, lose };
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function parse(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}
