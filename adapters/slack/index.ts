import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi, type BlockAction, type ButtonAction, type Logger as BoltLogger, type RespondFn, type SlashCommand } from '@slack/bolt';
import { clickOutcome, createActionCodec, type ActionCodec } from '../../src/actions.js';
import type { Adapter, MessageRef, PostOptions } from '../../src/adapter.js';
import type { Bot } from '../../src/bot.js';
import type { Invocation } from '../../src/services.js';
import type { SlackConfig } from './settings.js';
import { BILINGUAL_APOLOGY, ConfigError, DeliveryError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Reply, ReplyKind } from '../../src/reply.js';
import { boltLogger } from './bolt-logger.js';
import { isRefusal, toDeliveryError } from './errors.js';
import { capConnections, DEFAULT_SERVER_LIMITS, serverOptions, type SlackServerLimits } from './connection-cap.js';
import { guardRequests, MAX_BODY_BYTES } from './request-guard.js';
import { ACTION_ID_PREFIX, LIMITS, renderMessage, type SlackMessage } from './render.js';

export type SlackAdapterOptions = {
  config: SlackConfig;
  bot: Bot;
  log: Logger;
  /** Address to listen on in HTTP mode; every interface when unset. Tests pass 127.0.0.1. */
  host?: string;
  /**
   * The longest Retry-After that `post`/`update` wait out before retrying; a longer one becomes a
   * DeliveryError with `retryAfterMs` so the caller can reschedule.
   */
  maxRateLimitWaitMs?: number;
  /** How long a command may run before the ack goes out empty and the reply follows via response_url. */
  ackDeadlineMs?: number;
  /** HTTP mode's server timeouts and connection cap; the defaults suit Slack's traffic. */
  server?: SlackServerLimits;
};

/** The request path Slack posts slash commands and button clicks to in HTTP mode (Bolt's default). */
const EVENTS_PATH = '/slack/events';
/** Slack waits 3 s for the ack; past this we ack empty and send the reply to response_url instead. */
const ACK_DEADLINE_MS = 2000;
const RATE_LIMIT_ATTEMPTS = 3;
const API_TIMEOUT_MS = 10_000;
/** Transient failures (network, 5xx) are retried a little, never for the default half hour. */
const RETRY_CONFIG = { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000, randomize: true };

/** The metadata event type that carries a post's idempotency key. */
const METADATA_EVENT = 'paperbot_post';
/** How many recent messages a retry looks through for its key; a retry comes within hours. */
const HISTORY_LOOKBACK = 200;

const EXPIRED = 'This button has expired: run the command again. / 此按钮已过期，请重新运行命令。';

type ResponsePayload = SlackMessage & { response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean };

/**
 * Slack transport: `/paper` and button clicks in, the command layer, Block Kit out. Socket Mode when
 * an app token is configured, HTTP (with our extra request checks) otherwise.
 */
export class SlackAdapter implements Adapter {
  readonly platform = 'slack' as const;
  readonly mode: 'socket' | 'http';
  private readonly codec: ActionCodec = createActionCodec(LIMITS.buttonValue);
  private readonly web: InstanceType<typeof webApi.WebClient>;
  private readonly boltLog: BoltLogger;
  private app: App | undefined;
  private server: Server | undefined;
  /** Whether conversations.history is allowed; unknown until the first look. */
  private historyScope: boolean | undefined;

  constructor(private readonly options: SlackAdapterOptions) {
    const { config, log } = options;
    this.mode = config.appToken ? 'socket' : 'http';
    if (!config.appToken && !config.signingSecret) {
      throw new ConfigError('Slack HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode.');
    }
    this.boltLog = boltLogger(log);
    this.web = new webApi.WebClient(config.botToken, {
      ...this.apiUrlOption(),
      logger: this.boltLog,
      retryConfig: RETRY_CONFIG,
      // We wait out Retry-After ourselves, so a long one can go back to the caller instead.
      rejectRateLimitedCalls: true,
      timeout: API_TIMEOUT_MS,
    });
  }

  /** The HTTP port in use after start (HTTP mode), so tests can ask for port 0. */
  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  async start(): Promise<void> {
    if (this.app) return;
    const { config } = this.options;
    const identity = await this.checkToken();
    if (config.adminUsers.length === 0) {
      this.options.log.warn(
        'slack: SLACK_ADMIN_USERS is empty, so every member manages every channel (spotlight schedules, closing polls, the reading history). List the member ids who may in SLACK_ADMIN_USERS.',
      );
    }
    const receiver = this.mode === 'socket' ? this.socketReceiver() : this.httpReceiver();
    const app = new App({
      token: config.botToken,
      receiver,
      logger: this.boltLog,
      logLevel: LogLevel.WARN,
      developerMode: false,
      // Checked above, once, with a clear message; Bolt would otherwise check lazily on the first request.
      tokenVerificationEnabled: false,
      botId: identity.botId,
      botUserId: identity.userId,
      clientOptions: { ...this.apiUrlOption(), retryConfig: RETRY_CONFIG, timeout: API_TIMEOUT_MS },
    });
    app.command(/.*/, async ({ command, ack, respond }) => this.onCommand(command, ack, respond));
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: new RegExp(`^${ACTION_ID_PREFIX}`) }, async ({ body, action, ack, respond }) => {
      await ack();
      await this.onButton(body, action, respond);
    });
    app.error(async (error) => {
      this.options.log.error('slack: a listener failed', error);
    });
    if (receiver instanceof HTTPReceiver) {
      receiver.requestListener = guardRequests(receiver.requestListener, {
        endpoint: EVENTS_PATH,
        signingSecret: config.signingSecret as string,
        log: this.options.log,
      });
      const listen = this.options.host === undefined ? { port: config.port } : { port: config.port, host: this.options.host };
      const limits = { ...DEFAULT_SERVER_LIMITS, ...this.options.server };
      this.server = (await app.start(listen, serverOptions(limits))) as Server;
      capConnections(this.server, limits.maxConnections);
      this.options.log.info(`slack: listening for HTTP requests on port ${this.port}${EVENTS_PATH}`);
    } else {
      try {
        await app.start();
      } catch (error) {
        await app.stop().catch(() => {});
        const failure = toDeliveryError('apps.connections.open', error);
        if (isRefusal(error)) {
          throw new ConfigError(
            `Slack refused SLACK_APP_TOKEN (${failure.message.replace(/^paperbot: slack apps\.connections\.open: /, '')}). Generate an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and make sure Socket Mode is on.`,
          );
        }
        throw failure;
      }
      this.options.log.info('slack: connected in Socket Mode');
    }
    this.app = app;
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    this.server = undefined;
    if (app) await app.stop();
  }

  async post(channelId: string, reply: Reply, options: PostOptions = {}): Promise<MessageRef> {
    // Slack has no idempotency key for chat.postMessage. The key travels in the message's metadata
    // instead, so a retry after a crash can find the message it already made (where the workspace
    // granted a history scope) rather than posting it twice.
    const key = options.idempotencyKey;
    if (key && options.mayHaveArrived) {
      const found = await this.findPosted(channelId, key);
      if (found) return found;
    }
    const message = renderMessage(reply, this.codec);
    const metadata = key ? { metadata: { event_type: METADATA_EVENT, event_payload: { key } } } : {};
    const result = await this.call('chat.postMessage', () =>
      this.web.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false, ...metadata }),
    );
    if (!result.ts) throw new DeliveryError('slack chat.postMessage: no message ts in the response', false);
    return { platform: 'slack', channelId: result.channel ?? channelId, messageId: result.ts };
  }

  /**
   * The message an earlier attempt posted with this key, from the channel's recent history; null
   * when it is not there, or when the app has no history scope (then the re-post is logged as a
   * possible duplicate: reading a channel's history is a privacy cost the lab chooses, see README).
   */
  private async findPosted(channelId: string, key: string): Promise<MessageRef | null> {
    const where = `slack: ${channelId}: an earlier attempt at this post may have reached Slack`;
    if (this.historyScope === false) {
      this.options.log.warn(`${where}; without channels:history/groups:history it cannot be checked, so this may be a duplicate`);
      return null;
    }
    let history: Awaited<ReturnType<typeof this.web.conversations.history>>;
    try {
      history = await this.call('conversations.history', () =>
        this.web.conversations.history({ channel: channelId, limit: HISTORY_LOOKBACK, include_all_metadata: true }),
      );
    } catch (error) {
      if (error instanceof DeliveryError && /missing_scope|not_allowed_token_type/.test(error.message)) {
        this.historyScope = false;
        this.options.log.warn(`${where}; without channels:history/groups:history it cannot be checked, so this may be a duplicate`);
        return null;
      }
      // Unable to look: retrying later is better than risking a second message now.
      throw error;
    }
    this.historyScope = true;
    const hit = history.messages?.find((m) => {
      const metadata = (m as { metadata?: { event_type?: string; event_payload?: { key?: unknown } } }).metadata;
      return metadata?.event_type === METADATA_EVENT && metadata.event_payload?.key === key;
    });
    if (!hit?.ts) return null;
    this.options.log.info(`${where}; found it in the channel's history (${hit.ts}), not posting again`);
    return { platform: 'slack', channelId, messageId: hit.ts };
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    const message = renderMessage(reply, this.codec);
    await this.call('chat.update', () => this.web.chat.update({ channel: ref.channelId, ts: ref.messageId, text: message.text, blocks: message.blocks }));
  }

  private async onCommand(command: SlashCommand, ack: (r?: ResponsePayload) => Promise<void>, respond: RespondFn): Promise<void> {
    const invocation: Invocation = {
      text: command.text ?? '',
      platform: 'slack',
      channelId: command.channel_id,
      userId: command.user_id,
      userName: command.user_name,
      canManageChannel: this.canManage(command.user_id),
      everyoneManages: this.options.config.adminUsers.length === 0 ? 'SLACK_ADMIN_USERS' : undefined,
      trigger: 'command',
    };
    const handled = this.respondTo(invocation);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.ackDeadlineMs ?? ACK_DEADLINE_MS);
    });
    const first = await Promise.race([handled, late]);
    clearTimeout(timer);
    if (first !== 'late') {
      await ack(slackFields(first));
      return;
    }
    // A slow command: acknowledge now so Slack does not show a timeout, answer when it is done.
    await ack();
    await this.safeRespond(respond, await handled);
  }

  private async onButton(body: BlockAction<ButtonAction>, action: ButtonAction, respond: RespondFn): Promise<void> {
    const decoded = this.codec.decode(action.value ?? '');
    if (decoded === null || decoded === 'expired') {
      await this.safeRespond(respond, { text: EXPIRED, blocks: [], response_type: 'ephemeral', replace_original: false });
      return;
    }
    const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
    const messageTs: string | undefined = body.container?.message_ts ?? body.message?.ts;
    const invocation: Invocation = {
      text: decoded.command,
      platform: 'slack',
      channelId,
      userId: body.user.id,
      userName: body.user.username ?? body.user.name,
      canManageChannel: this.canManage(body.user.id),
      everyoneManages: this.options.config.adminUsers.length === 0 ? 'SLACK_ADMIN_USERS' : undefined,
      trigger: 'button',
      messageRef: messageTs ? { platform: 'slack', channelId, messageId: messageTs } : undefined,
    };
    const response = await this.respondTo(invocation);
    const { text, blocks } = response;
    const outcome = clickOutcome(decoded.effect, { kind: response.kind, visibility: response.response_type === 'in_channel' ? 'channel' : 'ephemeral' });
    if (outcome === 'replace') await this.safeRespond(respond, { text, blocks, replace_original: true });
    else await this.safeRespond(respond, { text, blocks, response_type: outcome === 'channel' ? 'in_channel' : 'ephemeral', replace_original: false });
  }

  /** Runs the invocation and renders it; never throws, so the ack always carries something. */
  private async respondTo(invocation: Invocation): Promise<ResponsePayload & { kind: ReplyKind }> {
    try {
      const reply = await this.options.bot.handle(invocation);
      const message = renderMessage(reply, this.codec);
      return { kind: reply.kind, response_type: reply.visibility === 'channel' ? 'in_channel' : 'ephemeral', ...message };
    } catch (error) {
      this.options.log.error(`slack: could not answer ${JSON.stringify(invocation.text.slice(0, 200))} (${invocation.channelId})`, error);
      return { kind: 'error', response_type: 'ephemeral', text: BILINGUAL_APOLOGY, blocks: [] };
    }
  }

  private async safeRespond(respond: RespondFn, payload: ResponsePayload & { kind?: ReplyKind }): Promise<void> {
    try {
      await respond(slackFields(payload));
    } catch (error) {
      this.options.log.warn(`slack: response_url post failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private canManage(userId: string): boolean {
    const admins = this.options.config.adminUsers;
    return admins.length === 0 || admins.includes(userId);
  }

  /** One Web API call, waiting out short rate limits and mapping every failure to a DeliveryError. */
  private async call<T>(method: string, send: () => Promise<T>): Promise<T> {
    const maxWait = this.options.maxRateLimitWaitMs ?? 30_000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const failure = toDeliveryError(method, error);
        const wait = failure.retryAfterMs;
        if (wait === undefined || wait > maxWait || attempt >= RATE_LIMIT_ATTEMPTS) throw failure;
        this.options.log.warn(`slack: ${method} rate limited; retrying in ${wait} ms`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** auth.test at start, so a wrong or revoked token fails here with the fix in the message. */
  private async checkToken(): Promise<{ botId?: string; userId?: string }> {
    try {
      const result = await this.web.auth.test();
      return { botId: result.bot_id, userId: result.user_id };
    } catch (error) {
      const failure = toDeliveryError('auth.test', error);
      if (isRefusal(error)) {
        throw new ConfigError(
          `Slack refused SLACK_BOT_TOKEN (${failure.message.replace(/^paperbot: slack auth.test: /, '')}). Copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, or reinstall the app to the workspace.`,
        );
      }
      throw new DeliveryError(`could not reach Slack to check SLACK_BOT_TOKEN: ${failure.message.replace(/^paperbot: /, '')}`, false);
    }
  }

  private httpReceiver(): HTTPReceiver {
    return new HTTPReceiver({
      signingSecret: this.options.config.signingSecret as string,
      endpoints: [EVENTS_PATH],
      logger: this.boltLog,
      logLevel: LogLevel.WARN,
      bodyLimit: MAX_BODY_BYTES,
      // Answer first, keep working after: the ack carries the reply as soon as it is ready.
      processBeforeResponse: false,
      customRoutes: [
        {
          path: '/healthz',
          method: ['GET'],
          handler: (_req, res) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ok: true, platform: 'slack' }));
          },
        },
      ],
    });
  }

  private socketReceiver(): SocketModeReceiver {
    return new SocketModeReceiver({
      appToken: this.options.config.appToken as string,
      logger: this.boltLog,
      logLevel: LogLevel.WARN,
      installerOptions: { clientOptions: { ...this.apiUrlOption(), retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000 } } },
    });
  }

  private apiUrlOption(): { slackApiUrl?: string } {
    const url = this.options.config.apiUrl;
    if (!url) return {};
    return { slackApiUrl: url.endsWith('/') ? url : `${url}/` };
  }
}

/** What Slack reads of a response; our own bookkeeping (the reply's kind) never leaves the process. */
function slackFields(payload: ResponsePayload & { kind?: ReplyKind }): ResponsePayload {
  const { kind: _kind, ...message } = payload;
  return message;
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  return new SlackAdapter(options);
}
