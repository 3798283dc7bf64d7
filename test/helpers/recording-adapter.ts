import type { Adapter, ChannelTarget, MessageRef, Platform } from '../../src/adapter.js';
import { DeliveryError } from '../../src/errors.js';
import type { Reply } from '../../src/reply.js';

/** One post that reached a "channel", with the idempotency key it carried. */
export type Delivered = { ref: MessageRef; reply: Reply; key?: string };

/**
 * The platform edge, recorded: every post and update the core made, and every message as a user
 * would now see it. Each call yields to the event loop first, as a network round trip would. It
 * can be told to fail (the next calls, one channel, or every post or update) and, like Discord's
 * enforced nonce, to answer a repeated idempotency key with the message it already made.
 */
export class RecordingAdapter implements Adapter {
  readonly posts: Delivered[] = [];
  readonly updates: { ref: MessageRef; reply: Reply }[] = [];
  /** The current content of every message, by message id. */
  readonly messages = new Map<string, Reply>();
  /** Every call to post, including those that failed. */
  readonly attempts: { workspaceId: string; channelId: string; key?: string }[] = [];
  /** Errors thrown by the next calls to post, in order. */
  readonly failures: Error[] = [];
  /** Channels that always fail with this error. */
  readonly brokenChannels = new Map<string, Error>();
  dedupeByKey = false;
  /** Every post fails for good, as in a channel that no longer exists. */
  failPosts = false;
  /** Every update fails for good, as for a deleted message. */
  failUpdates = false;
  private next = 1;

  constructor(readonly platform: Platform = 'console') {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async post({ workspaceId, channelId }: ChannelTarget, reply: Reply, options?: { idempotencyKey?: string }): Promise<MessageRef> {
    await new Promise((r) => setImmediate(r));
    const key = options?.idempotencyKey;
    this.attempts.push({ workspaceId, channelId, key });
    const broken = this.brokenChannels.get(channelId);
    if (broken) throw broken;
    if (this.failPosts) throw new DeliveryError('channel_not_found', true);
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (this.dedupeByKey && key) {
      const earlier = this.posts.find((d) => d.key === key && d.ref.channelId === channelId && d.ref.workspaceId === workspaceId);
      if (earlier) return earlier.ref;
    }
    const ref: MessageRef = { platform: this.platform, workspaceId, channelId, messageId: `${this.platform}-${this.next++}` };
    this.posts.push({ ref, reply, key });
    this.messages.set(ref.messageId, reply);
    return ref;
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failUpdates) throw new DeliveryError('message_not_found', true);
    this.updates.push({ ref, reply });
    this.messages.set(ref.messageId, reply);
  }

  /** The posts that reached one channel. */
  in(channelId: string): Delivered[] {
    return this.posts.filter((d) => d.ref.channelId === channelId);
  }

  /** The poll messages posted, newest last. */
  polls(): Delivered[] {
    return this.posts.filter((p) => p.reply.kind === 'poll');
  }
}
