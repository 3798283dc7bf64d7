import { webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { ChannelTarget, MessageRef, PostOptions } from '../../src/adapter.js';
import { ConfigError, DeliveryError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { isRefusal, toDeliveryError } from './errors.js';
import type { SlackMessage } from './render.js';
import type { SlackConfig } from './settings.js';

const RATE_LIMIT_ATTEMPTS = 3;
export const API_TIMEOUT_MS = 10_000;
/** Transient failures (network, 5xx) are retried a little, never for the default half hour. */
export const RETRY_CONFIG = { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000, randomize: true };
/** The metadata event type that carries a post's idempotency key. */
const METADATA_EVENT = 'paperbot_post';
/** How many recent messages a retry looks through for its key; a retry comes within hours. */
const HISTORY_LOOKBACK = 200;

/** Bolt's and the Web API client's `slackApiUrl` for SLACK_API_URL (the fakes in tests), with its trailing slash. */
export function apiUrlOption(config: SlackConfig): { slackApiUrl?: string } {
  const url = config.apiUrl;
  if (!url) return {};
  return { slackApiUrl: url.endsWith('/') ? url : `${url}/` };
}

/** The bot token that posts in a workspace's channel (the single workspace's, or that workspace's installation). */
export type TokenFor = (target: ChannelTarget) => Promise<string>;

/**
 * The Web API calls the adapter makes itself: the token check at start, and unprompted posts and
 * updates, each with the token of the channel's workspace.
 */
export class SlackWebApi {
  private readonly web: InstanceType<typeof webApi.WebClient>;
  /** Whether conversations.history is allowed, by token (each workspace granted its own scopes); unknown until the first look. */
  private readonly historyScope = new Map<string, boolean>();

  constructor(
    private readonly config: SlackConfig,
    private readonly log: Logger,
    boltLog: BoltLogger,
    private readonly tokenFor: TokenFor,
    /** The longest Retry-After waited out before retrying; a longer one becomes a DeliveryError with `retryAfterMs`. */
    private readonly maxRateLimitWaitMs = 30_000,
  ) {
    this.web = new webApi.WebClient(config.botToken, {
      ...apiUrlOption(config),
      logger: boltLog,
      retryConfig: RETRY_CONFIG,
      // We wait out Retry-After ourselves, so a long one can go back to the caller instead.
      rejectRateLimitedCalls: true,
      timeout: API_TIMEOUT_MS,
    });
  }

  /** auth.test at start, so a wrong or revoked SLACK_BOT_TOKEN fails here with the fix in the message. */
  async checkToken(): Promise<{ botId?: string; userId?: string; teamId?: string; enterpriseId?: string }> {
    try {
      const result = await this.web.auth.test();
      return { botId: result.bot_id, userId: result.user_id, teamId: result.team_id, enterpriseId: result.enterprise_id };
    } catch (error) {
      const failure = toDeliveryError('auth.test', error);
      if (isRefusal(error)) {
        throw new ConfigError(
          `Slack refused SLACK_BOT_TOKEN (${failure.message.replace(/^paperbot: slack auth.test: /, '')}). Copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, or reinstall the app to the workspace.`,
        );
      }
      const where = this.config.apiUrl ? ` at ${this.config.apiUrl}` : '';
      throw new DeliveryError(
        `could not reach Slack${where} to check SLACK_BOT_TOKEN (${failure.message.replace(/^paperbot: slack auth\.test: /, '')}). Check the network, or SLACK_API_URL if set.`,
        false,
      );
    }
  }

  async post(target: ChannelTarget, message: SlackMessage, options: PostOptions = {}): Promise<MessageRef> {
    const { workspaceId, channelId } = target;
    // Slack has no idempotency key for chat.postMessage. The key travels in the message's metadata
    // instead, so a retry after a crash can find the message it already made (where the workspace
    // granted a history scope) rather than posting it twice.
    const key = options.idempotencyKey;
    const token = await this.tokenFor(target);
    if (key && options.mayHaveArrived) {
      const found = await this.findPosted(target, key, token);
      if (found) return found;
    }
    const metadata = key ? { metadata: { event_type: METADATA_EVENT, event_payload: { key } } } : {};
    const result = await this.call('chat.postMessage', () =>
      this.web.chat.postMessage({ token, channel: channelId, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false, ...metadata }),
    );
    if (!result.ts) throw new DeliveryError('slack chat.postMessage: no message ts in the response', false);
    return { platform: 'slack', workspaceId, channelId: result.channel ?? channelId, messageId: result.ts };
  }

  async update(ref: MessageRef, message: SlackMessage): Promise<void> {
    const token = await this.tokenFor(ref);
    await this.call('chat.update', () => this.web.chat.update({ token, channel: ref.channelId, ts: ref.messageId, text: message.text, blocks: message.blocks }));
  }

  /**
   * The message an earlier attempt posted with this key, from the channel's recent history; null
   * when it is not there, or when the app has no history scope (then the re-post is logged as a
   * possible duplicate: reading a channel's history is a privacy cost the lab chooses, see README).
   */
  private async findPosted({ workspaceId, channelId }: ChannelTarget, key: string, token: string): Promise<MessageRef | null> {
    const where = `slack: ${channelId}: an earlier attempt at this post may have reached Slack`;
    if (this.historyScope.get(token) === false) {
      this.log.warn(`${where}; without channels:history/groups:history it cannot be checked, so this may be a duplicate`);
      return null;
    }
    let history: Awaited<ReturnType<typeof this.web.conversations.history>>;
    try {
      history = await this.call('conversations.history', () =>
        this.web.conversations.history({ token, channel: channelId, limit: HISTORY_LOOKBACK, include_all_metadata: true }),
      );
    } catch (error) {
      if (error instanceof DeliveryError && /missing_scope|not_allowed_token_type/.test(error.message)) {
        this.historyScope.set(token, false);
        this.log.warn(`${where}; without channels:history/groups:history it cannot be checked, so this may be a duplicate`);
        return null;
      }
      // Unable to look: retrying later is better than risking a second message now.
      throw error;
    }
    this.historyScope.set(token, true);
    const hit = history.messages?.find((m) => {
      const metadata = (m as { metadata?: { event_type?: string; event_payload?: { key?: unknown } } }).metadata;
      return metadata?.event_type === METADATA_EVENT && metadata.event_payload?.key === key;
    });
    if (!hit?.ts) return null;
    this.log.info(`${where}; found it in the channel's history (${hit.ts}), not posting again`);
    return { platform: 'slack', workspaceId, channelId, messageId: hit.ts };
  }

  /** One Web API call, waiting out short rate limits and mapping every failure to a DeliveryError. */
  private async call<T>(method: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const failure = toDeliveryError(method, error);
        const wait = failure.retryAfterMs;
        if (wait === undefined || wait > this.maxRateLimitWaitMs || attempt >= RATE_LIMIT_ATTEMPTS) throw failure;
        this.log.warn(`slack: ${method} rate limited; retrying in ${wait} ms`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
}
