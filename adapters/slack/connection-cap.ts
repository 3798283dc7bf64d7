import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Limits of the HTTP-mode server. Slack sends small requests in one go and gives up after 3 s, so a
 * request that takes seconds to arrive is not Slack: the defaults are short (Node's own are 60 s for
 * headers and 300 s for a request), and the connection cap keeps a flood of slow clients from
 * exhausting the process's file descriptors.
 */
export type SlackServerLimits = {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Open connections at most; at the cap the slowest unfinished one makes room for a newcomer. */
  maxConnections?: number;
  /** How often Node checks the header and request timeouts (its default is 30 s). */
  checkIntervalMs?: number;
};

export const DEFAULT_SERVER_LIMITS: Required<SlackServerLimits> = {
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5000,
  maxConnections: 256,
  checkIntervalMs: 1000,
};

export function serverOptions(limits: Required<SlackServerLimits>): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
}

type Tracked = { since: number; request?: IncomingMessage };

/**
 * Caps open connections without letting slow clients lock out Slack. Node's own `maxConnections`
 * turns away the newcomer, so a few hundred tricklers would starve every signed request until their
 * timeouts ran out; here a newcomer at the cap closes the connection that has waited longest without
 * delivering a whole request (trickling headers or body, or idling on keep-alive). Connections whose
 * request has fully arrived are being answered and are never closed; only when every connection is
 * such is the newcomer refused.
 */
export function capConnections(server: Server, maxConnections: number, now: () => number = Date.now): { open(): number } {
  const open = new Map<Socket, Tracked>();
  server.on('connection', (socket: Socket) => {
    const entry: Tracked = { since: now() };
    open.set(socket, entry);
    socket.once('close', () => open.delete(socket));
    if (open.size <= maxConnections) return;
    let victim: Socket | undefined;
    let oldest = Infinity;
    for (const [s, t] of open) {
      if (s === socket || (t.request && t.request.complete)) continue;
      if (t.since < oldest) {
        oldest = t.since;
        victim = s;
      }
    }
    (victim ?? socket).destroy();
  });
  server.on('request', (req: IncomingMessage, res) => {
    const entry = open.get(req.socket);
    if (!entry) return;
    entry.request = req;
    res.once('finish', () => {
      entry.request = undefined;
      entry.since = now();
    });
  });
  return { open: () => open.size };
}
