import type { Reply } from './reply.js';

/**
 * A platform's name (`console`, `slack`, `discord`, …), as its adapter calls itself. The core keeps
 * it as a key (state is per platform and channel) and never branches on it.
 */
export type Platform = string;

export type PostOptions = { idempotencyKey?: string; mayHaveArrived?: boolean };

/**
 * Where an unprompted post goes: the channel, and the workspace it belongs to (Slack team, Discord
 * server), so that the platform posts as that workspace's installation. A channel id alone is not
 * enough: a Slack Connect channel has one id in several workspaces. `''` where there is none (the
 * console, a Discord DM) or for state recorded before tenants existed.
 */
export type ChannelTarget = { workspaceId: string; channelId: string };

/** A channel as the core keys its state: platform, workspace, channel. */
export type Tenant = ChannelTarget & { platform: Platform };

/** Where a posted message lives, so it can be updated later (paging, poll counts after a restart), by the same workspace. */
export type MessageRef = Tenant & { messageId: string };

/**
 * What the core asks of a chat platform, as hubot's Adapter: run, close, and post or update a
 * message in a channel of a workspace. Replies to a user's own command go back through the platform's reply
 * mechanism inside the adapter; `post` is for what the bot says unprompted (spotlight, polls).
 */
export interface Adapter {
  readonly platform: Platform;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Posts to a channel. `idempotencyKey` lets a platform that supports it (Discord's enforced
   * nonce) refuse a duplicate when a retry follows a lost response; `mayHaveArrived` says an
   * earlier attempt with the same key may have reached the platform unrecorded (Slack then looks
   * for the key in the channel's history instead of posting twice). Throws `DeliveryError`.
   */
  post(target: ChannelTarget, reply: Reply, options?: PostOptions): Promise<MessageRef>;
  update(ref: MessageRef, reply: Reply): Promise<void>;
  /** Whether the platform connection is up (for /readyz); an adapter without one is always ready. */
  connected?(): boolean;
  /** When not connected: what is wrong and how to fix it, for /readyz (empty: nothing more to say). */
  problems?(): string[];
  /**
   * With a gateway sharded over replicas: the shards this replica holds connected, and those the
   * platform closed for good that no replica serves yet (for the metrics).
   */
  shardStates?(): { connected: number; closed: number };
}
