import { createServer, request, type Server } from 'node:http';
import { listenOnLoopback } from '../fakes/http.js';

/**
 * An HTTP relay on 127.0.0.1 in front of a fake server that holds back the answer to matching
 * requests for `delayMs`: the request reaches the fake at once, its answer returns late. Enough to
 * have a post in flight when a test sends the bot a signal.
 */
export class SlowProxy {
  /** Requests that matched and have reached the fake; their answers are being held. */
  held = 0;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, slow: (path: string) => boolean, delayMs: number): Promise<SlowProxy> {
    let proxy: SlowProxy | undefined;
    const server = createServer((req, res) => {
      const upstream = request({ host: '127.0.0.1', port: targetPort, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const send = () => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          };
          if (slow(req.url ?? '') && proxy) {
            proxy.held++;
            setTimeout(send, delayMs);
          } else send();
        });
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    const port = await listenOnLoopback(server);
    proxy = new SlowProxy(server, port);
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
