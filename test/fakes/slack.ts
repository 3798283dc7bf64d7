import { createHmac, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenOnLoopback, readBody, sendJson } from './http.js';

/** One Web API call as the fake received it; form bodies are decoded, `blocks` stays a JSON string. */
export type ApiCall = { method: string; body: Record<string, unknown>; authorization?: string; contentType?: string };
/** One post to a `response_url`. */
export type ResponsePost = { id: string; body: Record<string, any> };

type Scripted = { kind: 'error'; error: string } | { kind: 'rate-limit'; retryAfterSeconds: number } | { kind: 'accept-and-hang' };

/** A message the fake holds in a channel, with the metadata it was posted with. */
export type StoredMessage = { ts: string; text: string; metadata?: { event_type: string; event_payload: Record<string, unknown> } };

/** The app registered with the fake for distribution: its credentials, and the Redirect URL of its OAuth settings. */
export type FakeSlackApp = { clientId: string; clientSecret: string; appId: string; redirectUrl?: string };
/** A workspace an admin installs the app into. */
export type FakeWorkspace = { teamId: string; teamName: string; enterpriseId?: string };
/** A bot token the fake issued, and whose it is. */
type IssuedToken = { workspace: FakeWorkspace; botUserId: string; botId: string; revoked: boolean };

/** The scopes `conversations.history` needs, by channel kind. */
const HISTORY_SCOPES = ['channels:history', 'groups:history'];

/**
 * A small Slack on 127.0.0.1: the Web API methods paperbot uses (`auth.test`, `chat.postMessage`,
 * `chat.update`, `apps.connections.open`, and `oauth.v2.access` for app distribution, with the
 * authorize page an admin approves installs on), `response_url` endpoints, and a Socket Mode
 * WebSocket that `apps.connections.open` points at. It answers like Slack (`ok:false` errors, HTTP 429 with
 * Retry-After when told to) and records everything for the tests to read.
 */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponsePost[] = [];
  /** Messages the bot sent back over the Socket Mode connection (acks), by envelope id. */
  readonly socketAcks = new Map<string, Record<string, any>>();
  private readonly events = new EventEmitter();
  private readonly scripted = new Map<string, Scripted[]>();
  private readonly sockets = new Set<WebSocket>();
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  /** Messages posted to each channel, oldest first. */
  readonly channels = new Map<string, StoredMessage[]>();
  private tsCounter = 0;
  private port = 0;
  /** The app whose installs the fake's OAuth pages accept (app distribution); none until a test registers one. */
  app: FakeSlackApp | undefined;
  /** The workspace whose admin approves the next install on the authorize page. */
  private approvingWorkspace: FakeWorkspace | undefined;
  /** Codes handed out by the authorize page, each good for one oauth.v2.access. */
  private readonly codes = new Map<string, { workspace: FakeWorkspace; scope: string }>();
  /** Bot tokens by value: the single-workspace token (SLACK_BOT_TOKEN, any xoxb- token the fake did not issue) is the lab's. */
  private readonly issued = new Map<string, IssuedToken>();

  /** The bot token's scopes, sent in `x-oauth-scopes` as Slack does; history only with a history scope. */
  constructor(readonly scopes: string[] = ['commands', 'chat:write']) {
    this.events.setMaxListeners(100);
    this.server = createServer((req, res) => {
      void this.route(req, res).catch((error) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket')) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  static async start(options: { scopes?: string[] } = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options.scopes);
    fake.port = await listenOnLoopback(fake.server);
    return fake;
  }

  /**
   * Registers the app for distribution, and says whose admin approves the next install: the
   * authorize page (`/oauth/v2/authorize`, beside the API) then sends the browser to the app's
   * Redirect URL with a code for that workspace.
   */
  registerApp(app: FakeSlackApp): void {
    this.app = app;
  }

  approveNextInstallAs(workspace: FakeWorkspace): void {
    this.approvingWorkspace = workspace;
  }

  /** The bot token the fake issued to a workspace's install (the latest), if any. */
  tokenOf(teamId: string): string | undefined {
    return [...this.issued].filter(([, t]) => t.workspace.teamId === teamId).at(-1)?.[0];
  }

  /** The workspace uninstalls the app: its tokens stop working, as Slack's do. */
  revokeTokensOf(teamId: string): void {
    for (const token of this.issued.values()) if (token.workspace.teamId === teamId) token.revoked = true;
  }

  /** The bot token a Web API call was made with. */
  static tokenOf(call: ApiCall): string | undefined {
    return call.authorization?.replace(/^Bearer /, '');
  }

  /** The Web API base URL, for SLACK_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A fresh response_url; what is posted to it lands in `responses` under `id`. */
  responseUrl(id: string = randomUUID()): string {
    return `http://127.0.0.1:${this.port}/respond/${id}`;
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  responsesTo(id: string): ResponsePost[] {
    return this.responses.filter((r) => r.id === id);
  }

  /** The next `times` calls to `method` answer `{ ok: false, error }`. */
  failNext(method: string, error: string, times = 1): void {
    this.script(method, { kind: 'error', error }, times);
  }

  /** The next call to `method` is carried out (a post is stored) but never answered, as if the bot died first. */
  acceptAndHangNext(method: string): void {
    this.script(method, { kind: 'accept-and-hang' }, 1);
  }

  messagesIn(channel: string): StoredMessage[] {
    return this.channels.get(channel) ?? [];
  }

  /** The next `times` calls to `method` answer HTTP 429 with `Retry-After: seconds`. */
  rateLimitNext(method: string, retryAfterSeconds: number, times = 1): void {
    this.script(method, { kind: 'rate-limit', retryAfterSeconds }, times);
  }

  /** Resolves once `count` posts reached `response_url` `id`. */
  async waitForResponses(id: string, count = 1, timeoutMs = 5000): Promise<ResponsePost[]> {
    await this.until(() => this.responsesTo(id).length >= count, timeoutMs, `${count} response(s) at ${id}`);
    return this.responsesTo(id);
  }

  /** Resolves once a Socket Mode client has connected and been greeted. */
  async waitForSocket(timeoutMs = 5000): Promise<void> {
    await this.until(() => this.sockets.size > 0, timeoutMs, 'a Socket Mode connection');
  }

  /** Resolves once no Socket Mode connection is open (the bot has closed its own). */
  async waitForNoSocket(timeoutMs = 5000): Promise<void> {
    await this.until(() => this.sockets.size === 0, timeoutMs, 'every Socket Mode connection to close');
  }

  /** Sends an envelope over every open Socket Mode connection and resolves with the bot's ack payload. */
  async sendEnvelope(type: string, payload: Record<string, unknown>, timeoutMs = 5000): Promise<Record<string, any>> {
    const envelopeId = randomUUID();
    const message = JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true, retry_attempt: 0, retry_reason: '' });
    for (const ws of this.sockets) ws.send(message);
    await this.until(() => this.socketAcks.has(envelopeId), timeoutMs, `an ack for envelope ${envelopeId}`);
    return this.socketAcks.get(envelopeId) as Record<string, any>;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private script(method: string, entry: Scripted, times: number): void {
    const queue = this.scripted.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(entry);
    this.scripted.set(method, queue);
  }

  private async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.events.off('record', check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.events.off('record', check);
        reject(new Error(`fake Slack: timed out waiting for ${what}`));
      }, timeoutMs);
      this.events.on('record', check);
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (req.method === 'POST' && url.pathname.startsWith('/respond/')) {
      this.responses.push({ id: url.pathname.slice('/respond/'.length), body: JSON.parse(raw || '{}') });
      this.events.emit('record');
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'GET' && url.pathname === '/oauth/v2/authorize') return this.authorizePage(url, res);
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      const contentType = req.headers['content-type'];
      const body = contentType?.includes('application/json') ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw));
      this.calls.push({ method, body, authorization: req.headers.authorization, contentType });
      this.events.emit('record');
      const next = this.scripted.get(method)?.shift();
      const scopeHeader = { 'x-oauth-scopes': this.scopes.join(',') };
      if (next?.kind === 'rate-limit') {
        return sendJson(res, 429, { ok: false, error: 'ratelimited' }, { ...scopeHeader, 'retry-after': String(next.retryAfterSeconds) });
      }
      if (next?.kind === 'error') return sendJson(res, 200, { ok: false, error: next.error }, scopeHeader);
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      if (token && this.issued.get(token)?.revoked) return sendJson(res, 200, { ok: false, error: 'token_revoked' }, scopeHeader);
      const answer = method === 'oauth.v2.access' ? this.exchangeCode(body) : this.answer(method, body, token);
      // Carried out, never answered: the request stays open until the client goes away.
      if (next?.kind === 'accept-and-hang') return;
      return sendJson(res, 200, answer, scopeHeader);
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  /**
   * Slack's consent page, approved at once by the admin `approveNextInstallAs` named: back to the
   * app's Redirect URL with a one-time code and the state as it came (Slack never reads the state).
   */
  private authorizePage(url: URL, res: ServerResponse): void {
    const app = this.app;
    const workspace = this.approvingWorkspace;
    const scope = url.searchParams.get('scope') ?? '';
    if (!app || url.searchParams.get('client_id') !== app.clientId || !app.redirectUrl) return sendJson(res, 400, { ok: false, error: 'invalid_client_id' });
    if (!workspace || !scope) return sendJson(res, 400, { ok: false, error: workspace ? 'invalid_scope' : 'no_workspace_approves' });
    const code = `code-${workspace.teamId}-${randomUUID()}`;
    this.codes.set(code, { workspace, scope });
    const back = new URL(url.searchParams.get('redirect_uri') ?? app.redirectUrl);
    back.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  /** oauth.v2.access: the app's credentials and a code the authorize page gave, once, for a new bot token. */
  private exchangeCode(body: Record<string, unknown>): Record<string, unknown> {
    const app = this.app;
    if (!app || body.client_id !== app.clientId || body.client_secret !== app.clientSecret) return { ok: false, error: 'invalid_client' };
    const grant = this.codes.get(String(body.code));
    if (!grant) return { ok: false, error: 'invalid_code' };
    this.codes.delete(String(body.code));
    const { workspace } = grant;
    const token = `xoxb-${workspace.teamId}-${randomUUID()}`;
    const issued: IssuedToken = { workspace, botUserId: `U0BOT${workspace.teamId}`, botId: `B0BOT${workspace.teamId}`, revoked: false };
    this.issued.set(token, issued);
    return {
      ok: true,
      app_id: app.appId,
      authed_user: { id: `U0ADMIN${workspace.teamId}` },
      scope: grant.scope,
      token_type: 'bot',
      access_token: token,
      bot_user_id: issued.botUserId,
      team: { id: workspace.teamId, name: workspace.teamName },
      enterprise: workspace.enterpriseId ? { id: workspace.enterpriseId, name: 'Org' } : null,
      is_enterprise_install: false,
    };
  }

  private answer(method: string, body: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    switch (method) {
      case 'auth.test': {
        const issued = token ? this.issued.get(token) : undefined;
        if (issued) {
          return { ok: true, url: `https://${issued.workspace.teamId.toLowerCase()}.example/`, team: issued.workspace.teamName, user: 'paperbot', team_id: issued.workspace.teamId, user_id: issued.botUserId, bot_id: issued.botId };
        }
        return { ok: true, url: 'https://lab.example/', team: 'Lab', user: 'paperbot', team_id: LAB_TEAM, user_id: 'U0BOT', bot_id: 'B0BOT' };
      }
      case 'chat.postMessage': {
        const ts = `${1_800_000_000 + this.tsCounter}.${String(++this.tsCounter).padStart(6, '0')}`;
        const channel = String(body.channel);
        const metadata = typeof body.metadata === 'string' ? JSON.parse(body.metadata) : (body.metadata as StoredMessage['metadata']);
        const stored: StoredMessage = { ts, text: String(body.text ?? ''), ...(metadata ? { metadata } : {}) };
        this.channels.set(channel, [...this.messagesIn(channel), stored]);
        return { ok: true, channel: body.channel, ts, message: { text: body.text, ts } };
      }
      case 'conversations.history': {
        if (!this.scopes.some((s) => HISTORY_SCOPES.includes(s))) return { ok: false, error: 'missing_scope', needed: 'channels:history,groups:history', provided: this.scopes.join(',') };
        const all = [...this.messagesIn(String(body.channel))].reverse();
        const limit = Number(body.limit ?? 100);
        const withMetadata = String(body.include_all_metadata) === 'true';
        const messages = all.slice(0, limit).map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) }));
        return { ok: true, messages, has_more: all.length > limit };
      }
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket` };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.events.emit('record');
    });
    ws.on('message', (data) => {
      try {
        const message = JSON.parse(String(data));
        if (message.envelope_id) {
          this.socketAcks.set(message.envelope_id, message.payload ?? {});
          this.events.emit('record');
        }
      } catch {
        // Not ours to judge: Slack ignores what it cannot parse.
      }
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0PAPER' }, debug_info: { host: 'fake' } }));
    this.events.emit('record');
  }
}

/** The workspace the fake's single bot token (SLACK_BOT_TOKEN) belongs to, and that requests come from unless told. */
export const LAB_TEAM = 'T0LAB';

// ---- Requests as Slack signs them -------------------------------------------------------------

/** `v0=` + HMAC-SHA256 over `v0:timestamp:body`, as Slack signs every request. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export type SignOptions = {
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  /** Use this signature instead of the correct one. */
  signature?: string;
  /** Leave these headers out. */
  omit?: ('x-slack-signature' | 'x-slack-request-timestamp')[];
};

export function signedHeaders(secret: string, body: string, options: SignOptions = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, body),
  };
  for (const name of options.omit ?? []) delete headers[name];
  return headers;
}

/** The form body Slack posts for `/paper <text>`. */
export function slashCommandBody(fields: { text: string; responseUrl: string; userId?: string; channelId?: string; command?: string; triggerId?: string; teamId?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: fields.teamId ?? LAB_TEAM,
    team_domain: 'lab',
    channel_id: fields.channelId ?? 'C0PAPERS',
    channel_name: 'papers',
    user_id: fields.userId ?? 'U0ALICE',
    user_name: 'alice',
    command: fields.command ?? '/paper',
    text: fields.text,
    api_app_id: 'A0PAPER',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    // Slack gives every invocation its own trigger_id; paperbot answers each one once.
    trigger_id: fields.triggerId ?? `${Date.now()}.${randomUUID()}`,
  }).toString();
}

/** An Events API delivery (JSON) as Slack posts it: `app_uninstalled`, `tokens_revoked`, … from a workspace. */
export function eventBody(teamId: string, event: Record<string, unknown>, eventId = `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A0PAPER',
    event: { ...event, event_ts: '1800000000.000300' },
    type: 'event_callback',
    event_id: eventId,
    event_time: 1_800_000_000,
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: `U0BOT${teamId}`, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

/** The JSON payload Slack sends (form-encoded as `payload=…`) when a button is clicked. */
export function blockActionPayload(fields: {
  actionId: string;
  value: string;
  responseUrl: string;
  userId?: string;
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
  teamId?: string;
}): Record<string, unknown> {
  const channelId = fields.channelId ?? 'C0PAPERS';
  const teamId = fields.teamId ?? LAB_TEAM;
  return {
    type: 'block_actions',
    user: { id: fields.userId ?? 'U0BOB', username: 'bob', name: 'bob', team_id: teamId },
    api_app_id: 'A0PAPER',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: fields.messageTs ?? '1800000000.000100', channel_id: channelId, is_ephemeral: true },
    trigger_id: fields.triggerId ?? `${Date.now()}.${randomUUID()}`,
    team: { id: teamId, domain: 'lab' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: 'papers' },
    state: { values: {} },
    response_url: fields.responseUrl,
    actions: [
      {
        action_id: fields.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: fields.value,
        type: 'button',
        action_ts: '1800000000.000200',
      },
    ],
  };
}

export function blockActionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
