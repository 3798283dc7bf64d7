import { createHash } from 'node:crypto';
import { Client, DiscordAPIError, Events, GatewayIntentBits, HTTPError, RateLimitError, Routes, type APIMessage } from 'discord.js';
import { createActionCodec } from '../../src/actions.js';
import type { Adapter, MessageRef } from '../../src/adapter.js';
import type { Bot } from '../../src/bot.js';
import type { DiscordConfig } from './settings.js';
import { DeliveryError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Reply } from '../../src/reply.js';
import { DEFAULT_DEFER_AFTER_MS, handleInteraction } from './interactions.js';
import { restBase, tokenRejected } from './api.js';
import { LIMITS } from './limits.js';
import { renderMessage } from './render.js';


export type DiscordAdapterOptions = {
  config: DiscordConfig;
  bot: Bot;
  log: Logger;
  /** How long a command may run before the interaction is deferred (Discord allows 3 s). */
  deferAfterMs?: number;
};

export type DiscordAdapter = Adapter & {
  readonly platform: 'discord';
  /** The discord.js client, for tests and diagnostics. */
  readonly client: Client;
};

/** How long stop() waits for interactions still being answered before closing the connection. */
const DRAIN_MS = 5000;

/**
 * paperbot on Discord: the `/paper` slash command, its autocomplete and its buttons in, embeds out.
 * Only the Guilds intent (no privileged intents); nothing the bot sends can ping anyone.
 */
export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const { config, bot, log } = options;
  const codec = createActionCodec(LIMITS.customId);
  const api = restBase(config.apiUrl);
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    ...(api ? { rest: { api } } : {}),
  });
  // Posting needs only REST: set the token now, so an adapter that is never started can still post.
  client.rest.setToken(config.token);
  const inflight = new Set<Promise<void>>();
  const deps = { bot, rest: client.rest, codec, log, deferAfterMs: options.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS };

  client.on(Events.InteractionCreate, (interaction) => {
    const running = handleInteraction(interaction, deps)
      .catch((error: unknown) => log.error('discord interaction handler failed', error))
      .finally(() => inflight.delete(running));
    inflight.add(running);
  });
  // Without an `error` listener an exception in a handler would end the process.
  client.on(Events.Error, (error) => log.error('discord client error', error));
  client.on(Events.ShardError, (error) => log.error('discord gateway error', error));
  client.on(Events.Warn, (message) => log.warn(`discord: ${message}`));
  client.on(Events.ShardResume, () => log.info('discord gateway resumed'));
  client.rest.on('rateLimited', (info) => log.warn(`discord rate limit on ${info.method} ${info.route}: waiting ${info.retryAfter} ms`));

  return {
    platform: 'discord',
    client,

    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      try {
        await client.login(config.token);
      } catch (error) {
        // Nothing else will stop a client that never connected.
        await client.destroy().catch(() => {});
        if (isUnauthorized(error)) throw tokenRejected();
        throw error;
      }
      await ready;
      log.info(`discord: connected as ${client.user?.tag ?? config.appId}`);
    },

    async stop() {
      await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      await client.destroy();
    },

    async post(channelId: string, reply: Reply, postOptions: { idempotencyKey?: string } = {}): Promise<MessageRef> {
      const body: Record<string, unknown> = { ...renderMessage(reply, codec) };
      if (postOptions.idempotencyKey) {
        // Discord refuses a second message with the same nonce, so a retry after a lost response is safe.
        body.nonce = nonceFor(postOptions.idempotencyKey);
        body.enforce_nonce = true;
      }
      try {
        // Straight to REST: client.channels.fetch() would need the guild in the cache.
        const message = (await client.rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
        return { platform: 'discord', channelId, messageId: message.id };
      } catch (error) {
        throw deliveryError(error, `posting to discord channel ${channelId}`);
      }
    },

    async update(ref: MessageRef, reply: Reply): Promise<void> {
      try {
        await client.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), { body: renderMessage(reply, codec) });
      } catch (error) {
        throw deliveryError(error, `updating discord message ${ref.messageId} in ${ref.channelId}`);
      }
    },
  };
}

/** Discord nonces are at most 25 characters; a hash keeps any key within that and stable across retries. */
function nonceFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, LIMITS.nonce);
}

/** Missing channel, missing access or permission, a deleted message: retrying cannot help. */
const PERMANENT_CODES = new Set([10003, 10008, 50001, 50013, 50083]);

function deliveryError(error: unknown, what: string): DeliveryError {
  if (error instanceof RateLimitError) return new DeliveryError(`${what}: rate limited`, false, error.retryAfter);
  if (error instanceof DiscordAPIError) {
    const permanent = error.status === 403 || error.status === 404 || PERMANENT_CODES.has(Number(error.code));
    return new DeliveryError(`${what}: Discord answered ${error.status} ${error.message}`, permanent);
  }
  if (error instanceof HTTPError) return new DeliveryError(`${what}: HTTP ${error.status}`, false);
  return new DeliveryError(`${what}: ${error instanceof Error ? error.message : String(error)}`, false);
}

function isUnauthorized(error: unknown): boolean {
  return (error instanceof DiscordAPIError && error.status === 401) || (error instanceof Error && error.name.includes('TokenInvalid'));
}
