import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, ErrorCode, HTTPReceiver, LogLevel, type BlockAction, type ButtonAction, type Logger as BoltLogger, type SocketModeReceiver } from '@slack/bolt';
import { createActionCodec, type ActionCodec } from '../../src/actions.js';
import type { Adapter, ChannelTarget, MessageRef, PostOptions, Tenant } from '../../src/adapter.js';
import type { Bot } from '../../src/bot.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { portProblem, type OpsRoute } from '../../src/ops/http.js';
import type { Reply } from '../../src/reply.js';
import { onButton } from './actions.js';
import { boltLogger } from './bolt-logger.js';
import { onCommand, type ListenerContext } from './commands.js';
import { capConnections, DEFAULT_SERVER_LIMITS, serverOptions, type SlackServerLimits } from './connection-cap.js';
import { installerReceiverOptions, INSTALL_PATH, listenForRemovals, SlackTenancy } from './distribution.js';
import { isRefusal, toDeliveryError } from './errors.js';
import { EVENTS_PATH, httpReceiver, ignoreRedeliveries, socketReceiver } from './receivers.js';
import { ACTION_ID_PREFIX, LIMITS, renderMessage, type SlackMessage } from './render.js';
import { guardRequests } from './request-guard.js';
import type { SlackConfig } from './settings.js';
import { API_TIMEOUT_MS, apiUrlOption, RETRY_CONFIG, SlackWebApi } from './web-api.js';

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
  /** GET routes served beside /slack/events in HTTP mode (/healthz, /readyz, /metrics); a bare /healthz when unset. */
  routes?: OpsRoute[];
  /** HTTP mode's server timeouts and connection cap; the defaults suit Slack's traffic. */
  server?: SlackServerLimits;
};

/** Slack waits 3 s for the ack; past this we ack empty and send the reply to response_url instead. */
const ACK_DEADLINE_MS = 2000;

/**
 * Slack transport: `/paper` and button clicks in (commands.ts, actions.ts), the command layer,
 * Block Kit out (render.ts), unprompted posts through the Web API (web-api.ts). Socket Mode when an
 * app token is configured, HTTP (with our extra request checks, request-guard.ts) otherwise. One
 * workspace with SLACK_BOT_TOKEN, or many with app distribution (SLACK_CLIENT_ID…): Bolt's install
 * routes and each workspace's installation in the database (distribution.ts). Nothing a second
 * replica would need is kept in the process: installations, channels' workspaces and answered
 * requests are all in the database.
 */
export class SlackAdapter implements Adapter {
  readonly platform = 'slack' as const;
  readonly mode: 'socket' | 'http';
  private readonly codec: ActionCodec;
  private readonly boltLog: BoltLogger;
  private readonly web: SlackWebApi;
  private readonly tenancy: SlackTenancy;
  private app: App | undefined;
  private server: Server | undefined;
  private socket: SocketModeReceiver | undefined;

  constructor(private readonly options: SlackAdapterOptions) {
    const { config, log } = options;
    this.mode = config.appToken ? 'socket' : 'http';
    if (!config.appToken && !config.signingSecret) {
      throw new ConfigError('Slack HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode.');
    }
    this.boltLog = boltLogger(log);
    const { sql, clock } = options.bot.services;
    this.codec = createActionCodec({ sql, clock, maxLength: LIMITS.buttonValue });
    this.tenancy = new SlackTenancy(config, options.bot.services, log);
    this.web = new SlackWebApi(config, log, this.boltLog, (target) => this.tenancy.requireTokenFor(target), options.maxRateLimitWaitMs);
  }

  /** The HTTP port in use after start (HTTP mode), so tests can ask for port 0. */
  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  async start(): Promise<void> {
    if (this.app) return;
    const { config, log } = this.options;
    await this.tenancy.ready();
    await this.tenancy.checkTokenKey();
    const identity = config.botToken ? await this.web.checkToken() : {};
    await this.tenancy.adoptSingleWorkspaceToken(identity);
    if (config.adminUsers.length === 0) {
      log.warn(
        'slack: SLACK_ADMIN_USERS is empty, so every member manages every channel (spotlight schedules, closing polls, the reading history). List the member ids who may in SLACK_ADMIN_USERS.',
      );
    }
    const receiver =
      this.mode === 'socket'
        ? (this.socket = socketReceiver(config, this.boltLog))
        : httpReceiver(config, this.boltLog, this.options.routes, installerReceiverOptions(config, this.tenancy, log));
    const app = new App({
      // With distribution each request's token comes from its workspace's installation (Bolt's installer authorizes).
      ...(config.oauth ? {} : { token: config.botToken, botId: identity.botId, botUserId: identity.userId }),
      receiver,
      // Bolt's conversation store is a per-process memory; nothing here uses it, and a replica must not depend on one.
      convoStore: false,
      logger: this.boltLog,
      logLevel: LogLevel.WARN,
      developerMode: false,
      // Checked above, once, with a clear message; Bolt would otherwise check lazily on the first request.
      tokenVerificationEnabled: false,
      clientOptions: { ...apiUrlOption(config), retryConfig: RETRY_CONFIG, timeout: API_TIMEOUT_MS },
    });
    const context: ListenerContext = {
      bot: this.options.bot,
      codec: this.codec,
      log,
      adminUsers: config.adminUsers,
      ackDeadlineMs: this.options.ackDeadlineMs ?? ACK_DEADLINE_MS,
      noteChannel: (workspace, channelId) =>
        this.tenancy.noteChannel(workspace, channelId).catch((error: unknown) => {
          // The command still runs; only a post it makes may then lack the workspace's token.
          log.warn(`slack: could not record the workspace of channel ${channelId}: ${error instanceof Error ? error.message : String(error)}`);
        }),
    };
    // HTTP mode turns repeats away before Bolt (request-guard.ts); Socket Mode's arrive here.
    if (this.mode === 'socket') app.use(ignoreRedeliveries(log, this.tenancy.replays));
    if (config.oauth) listenForRemovals(app, this.tenancy);
    app.command(/.*/, async ({ command, ack, respond }) => onCommand(context, command, ack, respond));
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: new RegExp(`^${ACTION_ID_PREFIX}`) }, async ({ body, action, ack, respond }) => {
      await ack();
      await onButton(context, body, action, respond);
    });
    app.error(async (error) => {
      // A workspace without an installation (never installed, or uninstalled since): nothing failed here.
      if (error.code === ErrorCode.AuthorizationError) {
        log.warn(`slack: a request from a workspace with no installation of paperbot was ignored (${error.message.slice(0, 200)})`);
        return;
      }
      log.error('slack: a listener failed', error);
    });
    if (receiver instanceof HTTPReceiver) await this.listen(app, receiver);
    else await this.connect(app);
    this.app = app;
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    this.server = undefined;
    this.socket = undefined;
    if (app) await app.stop();
  }

  /** For /readyz: Socket Mode's connection is open, or HTTP mode's server is listening. */
  connected(): boolean {
    if (!this.app) return false;
    return this.mode === 'socket' ? Boolean(this.socket?.client.websocket?.isActive()) : Boolean(this.server?.listening);
  }

  async post(target: ChannelTarget, reply: Reply, options: PostOptions = {}): Promise<MessageRef> {
    return this.web.post(target, await this.render({ platform: 'slack', ...target }, reply), options);
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    await this.web.update(ref, await this.render(ref, reply));
  }

  private render(where: Tenant, reply: Reply): Promise<SlackMessage> {
    return this.codec.render(where, (buttons) => renderMessage(reply, buttons));
  }

  /** HTTP mode: our request checks in front of Bolt's listener, then the port. */
  private async listen(app: App, receiver: HTTPReceiver): Promise<void> {
    const { config } = this.options;
    receiver.requestListener = guardRequests(receiver.requestListener, {
      endpoint: EVENTS_PATH,
      signingSecret: config.signingSecret as string,
      log: this.options.log,
      replays: this.tenancy.replays,
    });
    const listen = this.options.host === undefined ? { port: config.port } : { port: config.port, host: this.options.host };
    const limits = { ...DEFAULT_SERVER_LIMITS, ...this.options.server };
    try {
      this.server = (await app.start(listen, serverOptions(limits))) as Server;
    } catch (error) {
      await app.stop().catch(() => {});
      throw portProblem(error, config.port, 'SLACK_PORT');
    }
    capConnections(this.server, limits.maxConnections);
    this.options.log.info(`slack: listening for HTTP requests on port ${this.port}${EVENTS_PATH}${config.oauth ? `, installs at ${INSTALL_PATH}` : ''}`);
  }

  /** Socket Mode: apps.connections.open with the app token, then the WebSocket. */
  private async connect(app: App): Promise<void> {
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
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  return new SlackAdapter(options);
}
