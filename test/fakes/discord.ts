import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { discordRequestValidator } from './discord-openapi.js';
import { listenOnLoopback, readBody, sendJson } from './http.js';

/**
 * A small Discord on 127.0.0.1 for tests and the benchmark: the REST routes paperbot uses (under
 * /api/v10) and a WebSocket gateway. Every JSON body it receives is validated against Discord's
 * OpenAPI description; violations are collected in `violations` (tests assert it stays empty).
 */

export type ReceivedRequest = {
  method: string;
  /** Path without the query string, `%40original` decoded to `@original`. */
  path: string;
  query: string;
  body: unknown;
  authorized: boolean;
  /** process.hrtime.bigint() at arrival, for latency measurements. */
  at: bigint;
};

export type StoredCommand = Record<string, unknown> & { id: string; name: string };

export type FakeDiscordOptions = {
  appId?: string;
  token?: string;
  /** Reject every request whose body breaks Discord's schema with 400, as Discord would. Default true. */
  rejectInvalid?: boolean;
  /** The shard count GET /gateway/bot recommends. Default 1. */
  shards?: number;
  /** `session_start_limit.max_concurrency`: how many shards may identify at once. Default 1. */
  maxConcurrency?: number;
};

/** One gateway session: the shard it identified for, its sequence, and the socket it is on now. */
type GatewaySession = { id: string; shard: [number, number]; sequence: number; connection: number; socket?: WebSocket };

/** A connection to the fake gateway identified for a shard, as `shardConnections()` lists them. */
export type ShardConnectionInfo = { connection: number; shard: number; count: number };

type Waiter = { match: (r: ReceivedRequest) => boolean; resolve: (r: ReceivedRequest) => void };

const GATEWAY_PATH = '/gateway-ws';

export class FakeDiscord {
  readonly appId: string;
  readonly token: string;
  readonly requests: ReceivedRequest[] = [];
  readonly violations: string[] = [];
  /** Gateway sessions: how many IDENTIFYs and RESUMEs the fake has seen. */
  identifies = 0;
  resumes = 0;
  /** The last IDENTIFY payload's data (intents, properties, `shard`, …) without the token. */
  lastIdentify?: Record<string, unknown>;
  /** Every IDENTIFY's `shard` field ([id, count], or undefined for a client that does not shard). */
  readonly identifiedShards: ([number, number] | undefined)[] = [];
  /**
   * A shard identified while another open connection held it, or while a session of another shard
   * count was open (either way a guild's events would reach two sessions).
   */
  readonly shardClashes: string[] = [];
  /** Problems with the responses the fake itself sends, checked against the same OpenAPI description. */
  readonly responseViolations: string[] = [];
  /** Channels that answer 404 Unknown Channel, as a deleted channel does. */
  readonly missingChannels = new Set<string>();
  /** Guild id → commands, plus `global`. */
  readonly commands = new Map<string, StoredCommand[]>();
  /** Called on every request as it arrives (the benchmark uses it to time callbacks). */
  onRequest?: (request: ReceivedRequest) => void;

  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly rejectInvalid: boolean;
  private readonly sockets = new Set<WebSocket>();
  private readonly waiters = new Set<Waiter>();
  private shardCount: number;
  private readonly maxConcurrency: number;
  /** A close code every IDENTIFY is answered with (4014 for intents the portal does not allow), or none. */
  private identifyRefusal?: { code: number; reason: string };
  private current?: GatewaySession;
  /** Sessions by id (a resume finds its session here), and the session on each open socket. */
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly sessionOf = new Map<WebSocket, GatewaySession>();
  private nextConnection = 1;
  private nextId = 1_000_000_000_000_000n;
  private channelRateLimits: { count: number; retryAfterMs: number } = { count: 0, retryAfterMs: 0 };
  private readonly seenNonces = new Map<string, unknown>();
  private readonly ready: Promise<void>;
  private readyResolve!: () => void;

  constructor(options: FakeDiscordOptions = {}) {
    this.appId = options.appId ?? '111111111111111111';
    this.token = options.token ?? 'fake-bot-token.abcdef.ghijklmnop';
    this.rejectInvalid = options.rejectInvalid ?? true;
    this.shardCount = options.shards ?? 1;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    this.server = createServer((req, res) => void this.route(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: GATEWAY_PATH });
    this.wss.on('connection', (socket) => this.connect(socket));
  }

  async listen(): Promise<this> {
    // Load the spec before serving: a spec that cannot be read fails the setup with its reason,
    // instead of every request going unanswered.
    discordRequestValidator();
    await listenOnLoopback(this.server);
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The value for DISCORD_API_URL (discord.js adds `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** Resolves once a client has identified and been sent READY. */
  whenIdentified(): Promise<void> {
    return this.ready;
  }

  snowflake(): string {
    return (this.nextId++).toString();
  }

  /** The next `count` channel-message posts get a 429 with `Retry-After`, as Discord's per-route limit does. */
  rateLimitChannelPosts(count: number, retryAfterMs: number): void {
    this.channelRateLimits = { count, retryAfterMs };
  }

  /**
   * Sends a gateway dispatch as Discord routes it: an event of a guild to the session of the shard
   * `(guild_id >> 22) % shard count`, any other (a DM's) to shard 0. Without shards, to the last
   * session identified.
   */
  dispatch(event: string, data: unknown): void {
    const guildId = (data as { guild_id?: unknown } | null)?.guild_id;
    const open = [...this.sessionOf.values()];
    const count = open[0]?.shard[1] ?? 1;
    const shard = typeof guildId === 'string' ? shardOfGuild(guildId, count) : 0;
    const session = count > 1 ? open.find((s) => s.shard[0] === shard) : this.current?.socket ? this.current : undefined;
    if (!session?.socket) throw new Error(`fake discord: no gateway connection${count > 1 ? ` for shard ${shard} of ${count}` : ''}`);
    session.socket.send(JSON.stringify({ op: 0, t: event, s: ++session.sequence, d: data }));
  }

  /** The open connections identified for a shard, by connection (two for one shard would mean a guild's events go twice). */
  shardConnections(): ShardConnectionInfo[] {
    // Open only: a socket whose close frame has arrived is on its way out (the client's destroy() waits for it).
    return [...this.sessionOf.entries()]
      .filter(([socket]) => socket.readyState === socket.OPEN)
      .map(([, s]) => s)
      .map((s) => ({ connection: s.connection, shard: s.shard[0], count: s.shard[1] }))
      .sort((a, b) => a.shard - b.shard || a.connection - b.connection);
  }

  /** The shard count GET /gateway/bot recommends from now on (Discord raises it as the bot joins servers). */
  recommendShards(count: number): void {
    this.shardCount = count;
  }

  /**
   * From now on, answers every IDENTIFY by closing the connection with `code` (4014: the bot asks
   * for an intent its portal settings do not allow), as Discord does; undefined accepts them again.
   */
  refuseIdentify(refusal: { code: number; reason: string } | undefined): void {
    this.identifyRefusal = refusal;
  }

  /** Closes the open session of shard `shard` with `code`, as Discord does when it ends a session for good. */
  closeShard(shard: number, code: number, reason: string): void {
    const session = [...this.sessionOf.values()].find((s) => s.shard[0] === shard && s.socket);
    if (!session?.socket) throw new Error(`fake discord: no open session for shard ${shard}`);
    session.socket.close(code, reason);
  }

  /** Closes the gateway connection with a resumable code (4000), as Discord does on its side. */
  dropConnection(): void {
    this.current?.socket?.close(4000, 'fake: dropped');
  }

  /**
   * The first request (already received or still to come) that matches. The wait is generous: it
   * only turns a request that never comes into a readable failure, and must not fail a slow machine.
   */
  waitFor(match: (r: ReceivedRequest) => boolean, timeoutMs = 20_000): Promise<ReceivedRequest> {
    const found = this.requests.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`fake discord: no matching request within ${timeoutMs} ms; got ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Requests that answered interaction `id` (callbacks, then follow-ups and edits by its token). */
  responsesTo(interaction: { id: string; token: string }): ReceivedRequest[] {
    return this.requests.filter(
      (r) => r.path.startsWith(`/api/v10/interactions/${interaction.id}/`) || r.path.startsWith(`/api/v10/webhooks/${this.appId}/${interaction.token}`),
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- gateway ----

  private connect(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      const session = this.sessionOf.get(socket);
      if (session?.socket === socket) session.socket = undefined;
      this.sessionOf.delete(socket);
    });
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    socket.on('message', (raw) => {
      const packet = JSON.parse(raw.toString()) as { op: number; d: Record<string, unknown> };
      if (packet.op === 1) socket.send(JSON.stringify({ op: 11 }));
      else if (packet.op === 2) this.identify(socket, packet.d);
      else if (packet.op === 6) this.resume(socket, packet.d);
    });
  }

  private identify(socket: WebSocket, data: Record<string, unknown>): void {
    this.identifies++;
    const { token: _token, ...rest } = data;
    this.lastIdentify = rest;
    if (data.token !== this.token) {
      socket.close(4004, 'Authentication failed');
      return;
    }
    const shard = data.shard as [number, number] | undefined;
    this.identifiedShards.push(shard);
    if (this.identifyRefusal) {
      socket.close(this.identifyRefusal.code, this.identifyRefusal.reason);
      return;
    }
    // Discord's rule: `shard` is [shard_id, num_shards] with shard_id below num_shards.
    if (shard !== undefined && !(Array.isArray(shard) && shard.length === 2 && shard.every(Number.isInteger) && shard[0] >= 0 && shard[0] < shard[1])) {
      socket.close(4010, 'Invalid shard');
      return;
    }
    const session: GatewaySession = { id: `fake-session-${this.identifies}`, shard: shard ?? [0, 1], sequence: 0, connection: this.nextConnection++, socket };
    for (const other of this.shardConnections()) {
      if (other.shard === session.shard[0] && other.count === session.shard[1]) {
        this.shardClashes.push(`shard ${other.shard} of ${other.count} identified on connection ${session.connection} while connection ${other.connection} holds it`);
      } else if (other.count !== session.shard[1]) {
        // Discord routes a server's events to a session of each count that is open: they would go twice.
        this.shardClashes.push(
          `shard ${session.shard[0]} of ${session.shard[1]} identified on connection ${session.connection} while connection ${other.connection} holds shard ${other.shard} of ${other.count}`,
        );
      }
    }
    this.sessions.set(session.id, session);
    this.sessionOf.set(socket, session);
    this.current = session;
    socket.send(
      JSON.stringify({
        op: 0,
        t: 'READY',
        s: ++session.sequence,
        d: {
          v: 10,
          user: { id: this.appId, username: 'paperbot', discriminator: '0', global_name: null, avatar: null, bot: true, flags: 0 },
          guilds: [],
          session_id: session.id,
          resume_gateway_url: `ws://127.0.0.1:${this.port}${GATEWAY_PATH}`,
          shard: session.shard,
          application: { id: this.appId, flags: 0 },
        },
      }),
    );
    this.readyResolve();
  }

  private resume(socket: WebSocket, data: Record<string, unknown>): void {
    this.resumes++;
    const session = this.sessions.get(String(data.session_id));
    if (!session || data.token !== this.token) {
      socket.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = socket;
    this.sessionOf.set(socket, session);
    this.current = session;
    socket.send(JSON.stringify({ op: 0, t: 'RESUMED', s: ++session.sequence, d: {} }));
  }

  // ---- REST ----

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [rawPath, query = ''] = (req.url ?? '/').split('?');
    const path = decodeURIComponent(rawPath);
    const text = await readBody(req);
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(res, 400, { message: 'fake discord: body is not JSON', code: 50109 });
      }
    }
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      path,
      query,
      body,
      authorized: req.headers.authorization === `Bot ${this.token}`,
      at: process.hrtime.bigint(),
    };

    if (body !== undefined) {
      const problems = this.validate(request);
      if (problems.length) {
        this.violations.push(...problems);
        if (this.rejectInvalid) {
          this.record(request);
          return sendJson(res, 400, { message: 'Invalid Form Body', code: 50035, errors: problems });
        }
      }
    }
    this.record(request);

    const m = (pattern: RegExp) => pattern.exec(path);
    let match: RegExpExecArray | null;
    if (request.method === 'GET' && path === '/api/v10/gateway/bot') {
      if (!request.authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
      const gateway = {
        url: `ws://127.0.0.1:${this.port}${GATEWAY_PATH}`,
        shards: this.shardCount,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: this.maxConcurrency },
      };
      this.responseViolations.push(...discordRequestValidator().validateResponse('GET', path, gateway));
      return sendJson(res, 200, gateway);
    }
    if (request.method === 'POST' && m(/^\/api\/v10\/interactions\/\d+\/[^/]+\/callback$/)) {
      // Callbacks are authorized by the interaction token in the path, not the bot token.
      return sendJson(res, 204);
    }
    if ((match = m(/^\/api\/v10\/webhooks\/(\d+)\/([^/]+)(\/messages\/(@original|\d+))?$/))) {
      if (match[1] !== this.appId) return sendJson(res, 404, { message: 'Unknown Webhook', code: 10015 });
      if (request.method === 'POST' && !match[3]) return sendJson(res, 200, this.message('0', body));
      if (request.method === 'PATCH' && match[3]) return sendJson(res, 200, this.message('0', body, match[4] === '@original' ? undefined : match[4]));
      if (request.method === 'DELETE' && match[3]) return sendJson(res, 204);
    }
    if (!request.authorized) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
    if (request.method === 'GET' && path === '/api/v10/applications/@me') {
      // The current application, as `paperbot doctor` asks for it (a few of Discord's fields).
      return sendJson(res, 200, { id: this.appId, name: 'paperbot', description: '', bot_public: false, bot_require_code_grant: false, flags: 0 });
    }
    if ((match = m(/^\/api\/v10\/channels\/(\d+)\/messages(?:\/(\d+))?$/))) {
      if (this.missingChannels.has(match[1])) return sendJson(res, 404, { message: 'Unknown Channel', code: 10003 });
      if (request.method === 'POST' && !match[2]) return this.channelPost(res, match[1], body);
      if (request.method === 'PATCH' && match[2]) return sendJson(res, 200, this.message(match[1], body, match[2]));
    }
    if ((match = m(/^\/api\/v10\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      if (match[1] !== this.appId) return sendJson(res, 403, { message: 'Missing Access', code: 50001 });
      const scope = match[2] ?? 'global';
      if (request.method === 'GET') return sendJson(res, 200, this.commands.get(scope) ?? []);
      if (request.method === 'PUT') {
        const list = (body as Record<string, unknown>[]).map((c) => this.storeCommand(c, match![2]));
        this.commands.set(scope, list);
        return sendJson(res, 200, list);
      }
    }
    return sendJson(res, 404, { message: '404: Not Found', code: 0 });
  }

  private record(request: ReceivedRequest): void {
    this.requests.push(request);
    this.onRequest?.(request);
    for (const waiter of this.waiters) {
      if (waiter.match(request)) {
        this.waiters.delete(waiter);
        waiter.resolve(request);
      }
    }
  }

  /** Schema problems plus the rules Discord checks outside the schema. */
  private validate(request: ReceivedRequest): string[] {
    const validator = discordRequestValidator();
    const where = `${request.method} ${request.path}`;
    const problems = validator.validate(request.method, request.path, request.body);
    for (const message of messagesIn(request.body)) {
      const total = embedCharacters(message.embeds);
      if (total > 6000) problems.push(`${where}: embeds hold ${total} characters (Discord allows 6,000 in one message)`);
      const ids = customIds(message.components);
      if (new Set(ids).size !== ids.length) problems.push(`${where}: custom_id values repeat within one message`);
    }
    return problems;
  }

  private channelPost(res: ServerResponse, channelId: string, body: unknown): void {
    if (this.channelRateLimits.count > 0) {
      this.channelRateLimits.count--;
      const seconds = this.channelRateLimits.retryAfterMs / 1000;
      res.setHeader('Retry-After', String(Math.ceil(seconds)));
      res.setHeader('X-RateLimit-Limit', '5');
      res.setHeader('X-RateLimit-Remaining', '0');
      res.setHeader('X-RateLimit-Reset', String(Date.now() / 1000 + seconds));
      res.setHeader('X-RateLimit-Reset-After', String(seconds));
      res.setHeader('X-RateLimit-Bucket', 'fake-channel-messages');
      res.setHeader('X-RateLimit-Scope', 'user');
      return sendJson(res, 429, { message: 'You are being rate limited.', retry_after: seconds, global: false });
    }
    const { nonce, enforce_nonce: enforce } = (body ?? {}) as { nonce?: string; enforce_nonce?: boolean };
    // With enforce_nonce Discord answers a repeated nonce with the message it already created.
    const key = `${channelId}:${nonce}`;
    if (nonce && enforce && this.seenNonces.has(key)) return sendJson(res, 200, this.seenNonces.get(key));
    const message = this.message(channelId, body);
    if (nonce && enforce) this.seenNonces.set(key, message);
    sendJson(res, 200, message);
  }

  private message(channelId: string, body: unknown, id = this.snowflake()): Record<string, unknown> {
    const b = (body ?? {}) as Record<string, unknown>;
    return { ...botMessage(this.appId, id, channelId, 0, b), nonce: b.nonce };
  }

  private storeCommand(command: Record<string, unknown>, guildId?: string): StoredCommand {
    const existing = this.commands.get(guildId ?? 'global')?.find((c) => c.name === command.name);
    return {
      type: 1,
      default_member_permissions: null,
      nsfw: false,
      ...command,
      id: existing?.id ?? this.snowflake(),
      application_id: this.appId,
      guild_id: guildId,
      version: this.snowflake(),
      name: String(command.name),
    };
  }
}

/** The shard Discord sends a guild's events to: `(guild_id >> 22) % num_shards`. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A message object as Discord returns it, written by the bot `appId`: `type` 0 is a default message, 20 a command's reply. */
export function botMessage(
  appId: string,
  id: string,
  channelId: string,
  type: number,
  body: { content?: unknown; embeds?: unknown; components?: unknown; flags?: unknown },
): Record<string, unknown> {
  return {
    id,
    channel_id: channelId,
    type,
    content: body.content ?? '',
    author: { id: appId, username: 'paperbot', discriminator: '0', global_name: null, avatar: null, bot: true },
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    pinned: false,
    flags: body.flags ?? 0,
  };
}

type MessageLike = { content?: string; embeds?: EmbedLike[]; components?: unknown[] };
type EmbedLike = {
  title?: string;
  description?: string;
  footer?: { text?: string };
  author?: { name?: string };
  fields?: { name?: string; value?: string }[];
};

/** The message bodies inside a request: a channel post or edit, or an interaction callback's `data`. */
function messagesIn(body: unknown): MessageLike[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  const b = body as Record<string, unknown>;
  if (typeof b.type === 'number' && 'data' in b) {
    return [4, 7].includes(b.type) && b.data && typeof b.data === 'object' ? [b.data as MessageLike] : [];
  }
  return [b as MessageLike];
}

/** Discord's 6,000-character rule counts titles, descriptions, field names and values, footers and author names. */
export function embedCharacters(embeds: EmbedLike[] | undefined): number {
  let total = 0;
  for (const e of embeds ?? []) {
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
    for (const f of e.fields ?? []) total += len(f.name) + len(f.value);
  }
  return total;
}

function len(s: string | undefined): number {
  return s ? [...s].length : 0;
}

/** Every custom_id in a message's component tree. */
export function customIds(components: unknown[] | undefined): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as { custom_id?: string; components?: unknown[] };
    if (n.custom_id) out.push(n.custom_id);
    n.components?.forEach(walk);
  };
  components?.forEach(walk);
  return out;
}
