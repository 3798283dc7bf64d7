import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { Metrics } from './metrics.js';

/** One check of /readyz: `ok`, or what is wrong. */
export type Readiness = { ready: boolean; checks: Record<string, string> };

export type OpsProbe = {
  /** The database answers and every configured platform is connected (a promise when a check goes over the network). */
  readiness(): Readiness | Promise<Readiness>;
  metrics: Metrics;
};

/** A GET route, shaped as Bolt's HTTPReceiver `customRoutes` entries so Slack's HTTP server can serve them too. */
export type OpsRoute = { path: string; method: ['GET']; handler(req: IncomingMessage, res: ServerResponse): void };

/**
 * /healthz (the process answers), /readyz (200 or 503 with each check) and /metrics (Prometheus
 * text). The same three routes on PAPERBOT_HTTP_PORT's server and, in Slack's HTTP mode, on Slack's.
 */
export function opsRoutes(probe: OpsProbe): OpsRoute[] {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => json(res, 200, { ok: true }) },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        Promise.resolve()
          .then(() => probe.readiness())
          .then(
            ({ ready, checks }) => json(res, ready ? 200 : 503, { ok: ready, checks }),
            (error: unknown) => json(res, 503, { ok: false, error: error instanceof Error ? error.message : String(error) }),
          );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        probe.metrics.text().then(
          (text) => {
            res.writeHead(200, { 'content-type': probe.metrics.contentType });
            res.end(text);
          },
          (error: unknown) => json(res, 500, { ok: false, error: error instanceof Error ? error.message : String(error) }),
        );
      },
    },
  ];
}

/** Serves `routes` on their own port (PAPERBOT_HTTP_PORT): 404 for any other path, 405 for other methods. */
export async function startOpsServer(routes: OpsRoute[], port: number, host?: string): Promise<Server & { port: number }> {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  const server = createServer((req, res) => {
    const route = byPath.get((req.url ?? '/').split('?')[0] ?? '');
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' });
      res.end('method not allowed\n');
    } else route.handler(req, res);
  });
  // Keep-alive connections from a scraper must not hold the process open at shutdown.
  server.keepAliveTimeout = 5000;
  await listen(server, port, host, 'PAPERBOT_HTTP_PORT');
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

/** Listens, turning the usual failures (port in use, no permission) into a one-line ConfigError naming the setting. */
function listen(server: Server, port: number, host: string | undefined, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(portProblem(error, port, setting));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** What to say when a port cannot be opened; other errors pass through unchanged. */
export function portProblem(error: unknown, port: number, setting: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(`${setting}=${port}: the port is already in use (another paperbot, or another service). Stop that process or set ${setting} to a free port.`);
  }
  if (code === 'EACCES') {
    return new ConfigError(`${setting}=${port}: not allowed to listen on this port (ports below 1024 need privileges). Set ${setting} to 1024 or above.`);
  }
  return error;
}
