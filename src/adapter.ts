import type { Reply } from './reply.js';

/**
 * A platform's name (`console`, `slack`, `discord`, …), as its adapter calls itself. The core keeps
 * it as a key (state is per platform and channel) and never branches on it.
 */
export type Platform = string;

export type PostOptions = { idempotencyKey?: string; mayHaveArrived?: boolean };

/** Where a posted message lives, so it can be updated later (paging, poll counts after a restart). */
export type MessageRef = { platform: Platform; channelId: string; messageId: string };

/**
 * What the core asks of a chat platform, as hubot's Adapter: run, close, and post or update a
 * message in a channel. Replies to a user's own command go back through the platform's reply
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
  post(channelId: string, reply: Reply, options?: PostOptions): Promise<MessageRef>;
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
