import { createHash } from 'node:crypto';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  RateLimitError,
  Routes,
  SimpleIdentifyThrottler,
  type APIMessage,
  type ClientOptions,
  type RESTGetAPIGatewayBotResult,
} from 'discord.js';
import { createActionCodec } from '../../src/actions.js';
import type { Adapter, ChannelTarget, MessageRef } from '../../src/adapter.js';
import type { Bot } from '../../src/bot.js';
import type { DiscordConfig } from './settings.js';
import { DeliveryError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Reply } from '../../src/reply.js';
import { DEFAULT_DEFER_AFTER_MS, handleInteraction } from './interactions.js';
import { restBase, tokenRejected } from './api.js';
import { LIMITS } from './limits.js';
import { renderMessage } from './render.js';
import { migrateSql } from '../../src/store/sql/migrate.js';
import { discordMigrations, ShardLeaseStore } from './shard-leases.js';
import { replicaName, ShardedGateway } from './shards.js';
import { closedForGood, describeClose, fixForClose, GatewayClosedError } from './close-codes.js';


export type DiscordAdapterOptions = {
  config: DiscordConfig;
  bot: Bot;
  log: Logger;
  /** How long a command may run before the interaction is deferred (Discord allows 3 s). */
  deferAfterMs?: number;
};

export type DiscordAdapter = Adapter & {
  readonly platform: 'discord';
  /** The discord.js client that posts (and, without DISCORD_SHARDS, holds the gateway session), for tests and diagnostics. */
  readonly client: Client;
  /** With DISCORD_SHARDS: this replica's share of the gateway's shards, for tests and diagnostics. */
  readonly shards?: ShardedGateway;
  /** The clients with a gateway session: `client`, or one per shard this replica holds. */
  gatewayClients(): Client[];
  /** For /readyz: the gateway session is up; with DISCORD_SHARDS, every shard this replica holds is. */
  connected(): boolean;
  /** Each shard (or the one session) Discord closed for good, with what to fix, for /readyz. */
  problems(): string[];
  /** With DISCORD_SHARDS: the shards held and up here, and those Discord closed for good, for the metrics. */
  shardStates?(): { connected: number; closed: number };
};

/** How long start() waits for the gateway's READY after logging in. */
const READY_TIMEOUT_MS = 30_000;

/** How long stop() waits for interactions still being answered before closing the connection. */
const DRAIN_MS = 5000;

/**
 * paperbot on Discord: the `/paper` slash command, its autocomplete and its buttons in, embeds out.
 * Only the Guilds intent (no privileged intents); nothing the bot sends can ping anyone.
 */
export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const { config, bot, log } = options;
  const codec = createActionCodec({ sql: bot.services.sql, clock: bot.services.clock, maxLength: LIMITS.customId });
  const api = restBase(config.apiUrl);
  const clientOptions: ClientOptions = {
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    ...(api ? { rest: { api } } : {}),
  };
  const client = new Client(clientOptions);
  // Posting needs only REST: set the token now, so an adapter that is never started can still post.
  client.rest.setToken(config.token);
  const inflight = new Set<Promise<void>>();
  // Every shard's interactions are answered through this one REST client (one view of the rate limits).
  const deps = { bot, rest: client.rest, codec, log, deferAfterMs: options.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS };
  client.rest.on('rateLimited', (info) => log.warn(`discord rate limit on ${info.method} ${info.route}: waiting ${info.retryAfter} ms`));

  const listen = (gatewayClient: Client) => {
    gatewayClient.on(Events.InteractionCreate, (interaction) => {
      const running = handleInteraction(interaction, deps)
        .catch((error: unknown) => log.error('discord interaction handler failed', error))
        .finally(() => inflight.delete(running));
      inflight.add(running);
    });
    // Without an `error` listener an exception in a handler would end the process.
    gatewayClient.on(Events.Error, (error) => log.error('discord client error', error));
    gatewayClient.on(Events.ShardError, (error, shardId) => log.error(`discord gateway error (shard ${shardId})`, error));
    gatewayClient.on(Events.Warn, (message) => log.warn(`discord: ${message}`));
    gatewayClient.on(Events.ShardResume, (shardId) => log.info(`discord gateway resumed (shard ${shardId})`));
  };

  /**
   * Logs in and waits for READY; a client that cannot is destroyed and the reason thrown: GatewayClosedError
   * when Discord closed the session for good (discord.js then rejects login() with a bare Error, after
   * emitting shardDisconnect with the code), otherwise a setting to fix or a delivery error.
   */
  const login = async (gatewayClient: Client) => {
    let timer: NodeJS.Timeout | undefined;
    let closedCode: number | undefined;
    const stopWatching = whenClosedForGood(gatewayClient, (code) => {
      closedCode = code;
    });
    const ready = new Promise<boolean>((resolve) => {
      gatewayClient.once(Events.ClientReady, () => resolve(true));
      timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    });
    try {
      await gatewayClient.login(config.token);
      // A gateway that never says READY must fail the start, not hang it.
      if (!(await ready)) throw new DeliveryError(`Discord's gateway did not become ready within ${READY_TIMEOUT_MS / 1000} s`, false);
    } catch (error) {
      // Nothing else will stop a client that never connected.
      await gatewayClient.destroy().catch(() => {});
      throw closedCode !== undefined ? new GatewayClosedError(closedCode) : startFailure(error, api);
    } finally {
      stopWatching();
      clearTimeout(timer);
    }
  };

  const shardClients = new Set<Client>();
  const shards = config.shards ? shardedGateway(config.shards) : undefined;

  function shardedGateway(settings: NonNullable<DiscordConfig['shards']>): ShardedGateway {
    let throttler: SimpleIdentifyThrottler | undefined;
    return new ShardedGateway({
      leases: new ShardLeaseStore(bot.services.sql, config.appId, replicaName()),
      clock: bot.services.clock,
      log,
      leaseMs: settings.leaseMs,
      followsRecommendation: settings.count === 'auto',
      async wantedCount() {
        let gateway: RESTGetAPIGatewayBotResult;
        try {
          gateway = (await client.rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
        } catch (error) {
          throw startFailure(error, api);
        }
        // One identify queue for all this replica's shards: Discord's max_concurrency holds per bot, not per client.
        throttler ??= new SimpleIdentifyThrottler(gateway.session_start_limit.max_concurrency);
        return settings.count === 'auto' ? gateway.shards : settings.count;
      },
      async connect(shardId, shardCount, onClosedForGood) {
        // discord.js's own sharding: a client for the shard ids this replica holds, out of the bot's total.
        const shardClient = new Client({
          ...clientOptions,
          shards: [shardId],
          shardCount,
          ...(throttler ? { ws: { buildIdentifyThrottler: () => throttler as SimpleIdentifyThrottler } } : {}),
        });
        listen(shardClient);
        await login(shardClient);
        // Once running, discord.js leaves a session Discord closed for good closed (and isReady() stays true).
        let closedCode: number | undefined;
        whenClosedForGood(shardClient, (code) => {
          closedCode = code;
          shardClients.delete(shardClient);
          // destroy() is async: a rejection left unhandled would end the process.
          shardClient.destroy().catch((error: unknown) => log.warn(`discord: closing shard ${shardId}'s client failed (${error instanceof Error ? error.message : String(error)})`));
          onClosedForGood(code);
        });
        shardClients.add(shardClient);
        return {
          ready: () => shardClient.isReady() && closedCode === undefined,
          close: async () => {
            shardClients.delete(shardClient);
            await shardClient.destroy();
          },
        };
      },
    });
  }

  /** Without DISCORD_SHARDS: the close code when Discord ended the one session for good (discord.js does not reconnect). */
  let closedWith: number | undefined;
  if (!shards) {
    listen(client);
    whenClosedForGood(client, (code) => {
      closedWith = code;
      log.error(`discord: Discord closed the gateway session for good with ${describeClose(code)}: ${fixForClose(code)}. Then restart the bot.`);
    });
  }

  return {
    platform: 'discord',
    client,
    shards,

    gatewayClients() {
      return shards ? [...shardClients] : [client];
    },

    async start() {
      if (shards && config.shards) {
        const { count, leaseMs } = config.shards;
        await migrateSql(bot.services.sql, discordMigrations, { log });
        await shards.start();
        log.info(`discord shards: ${shards.shardCount()} shard(s)${count === 'auto' ? ' (the count Discord recommends)' : ''}, leases of ${leaseMs / 1000} s`);
        log.info(`discord: connected shard(s) ${shards.shards().join(', ') || 'none (the other replicas hold them all)'} of ${shards.shardCount()}`);
        return;
      }
      await login(client);
      log.info(`discord: connected as ${client.user?.tag ?? config.appId}`);
    },

    connected() {
      return shards ? shards.connected() : client.isReady() && closedWith === undefined;
    },

    problems() {
      if (shards) return shards.problems();
      return closedWith === undefined ? [] : [`closed by Discord with ${describeClose(closedWith)}: ${fixForClose(closedWith)}`];
    },

    ...(shards ? { shardStates: () => shards.states() } : {}),

    async stop() {
      await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      await shards?.stop();
      await client.destroy();
    },

    /**
     * A channel id names one channel of one server on Discord, so the post goes straight to it; the
     * server (`workspaceId`, the guild the state is kept under) rides in the ref, for the update.
     */
    async post({ workspaceId, channelId }: ChannelTarget, reply: Reply, postOptions: { idempotencyKey?: string } = {}): Promise<MessageRef> {
      const body: Record<string, unknown> = { ...(await codec.render({ platform: 'discord', workspaceId, channelId }, (buttons) => renderMessage(reply, buttons))) };
      if (postOptions.idempotencyKey) {
        // Discord refuses a second message with the same nonce, so a retry after a lost response is safe.
        body.nonce = nonceFor(postOptions.idempotencyKey);
        body.enforce_nonce = true;
      }
      try {
        // Straight to REST: client.channels.fetch() would need the guild in the cache.
        const message = (await client.rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
        return { platform: 'discord', workspaceId, channelId, messageId: message.id };
      } catch (error) {
        throw deliveryError(error, `posting to discord channel ${channelId}`);
      }
    },

    async update(ref: MessageRef, reply: Reply): Promise<void> {
      try {
        const body = await codec.render(ref, (buttons) => renderMessage(reply, buttons));
        await client.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), { body });
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

/** Why the gateway could not start: a rejected token is a setting to fix; anything else says where it tried. */
function startFailure(error: unknown, api: string | undefined): Error {
  if (isUnauthorized(error)) return tokenRejected();
  if (error instanceof DiscordAPIError || error instanceof DeliveryError) return error;
  return new DeliveryError(`could not reach Discord${api ? ` at ${api}` : ''} (${networkReason(error)}). Check the network, or DISCORD_API_URL if set.`, false);
}

function isUnauthorized(error: unknown): boolean {
  return (error instanceof DiscordAPIError && error.status === 401) || (error instanceof Error && error.name.includes('TokenInvalid'));
}

/** The short reason a connection failed: the system's code (ECONNREFUSED, ENOTFOUND …) when there is one. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return cause?.code ?? (error as { code?: string } | null)?.code ?? (error instanceof Error ? error.message : String(error));
}

/** Calls `handle` with the code when Discord ends `gatewayClient`'s session for good (discord.js does not reconnect then); returns how to stop. */
function whenClosedForGood(gatewayClient: Client, handle: (code: number) => void): () => void {
  const listener = ({ code }: { code: number }) => {
    if (closedForGood(code)) handle(code);
  };
  gatewayClient.on(Events.ShardDisconnect, listener);
  return () => gatewayClient.off(Events.ShardDisconnect, listener);
}
