import type { Adapter, MessageRef, Platform, PostOptions, Tenant } from './adapter.js';
import { DeliveryError } from './errors.js';
import type { Reply } from './reply.js';

/**
 * The running adapters, by platform: how the core says something unprompted (a spotlight, a poll
 * update after a restart) without knowing which chat it goes to.
 */
/**
 * Hears how each unprompted post or update ended (metrics): delivered, failed for good, or failed
 * in a way that is retried; `retry` when it was a later attempt at the same post.
 */
export type DeliveryObserver = (event: { platform: Platform; outcome: 'ok' | 'failed' | 'retry'; retry: boolean }) => void;

/** The adapter's options, and `attempt`: which try at this post this is (1 the first), when the caller retries it. */
type OutboxPostOptions = PostOptions & { attempt?: number };

export class Outbox {
  private readonly adapters = new Map<Platform, Adapter>();

  constructor(private readonly onDelivered?: DeliveryObserver) {}

  register(adapter: Adapter): void {
    this.adapters.set(adapter.platform, adapter);
  }

  unregister(platform: Platform): void {
    this.adapters.delete(platform);
  }

  has(platform: Platform): boolean {
    return this.adapters.has(platform);
  }

  /** Posts to the tenant's channel: the adapter posts as the workspace the state belongs to, never as whichever last used the channel. */
  async post(to: Tenant, reply: Reply, options: OutboxPostOptions = {}): Promise<MessageRef> {
    const { attempt, ...adapterOptions } = options;
    const { platform, workspaceId, channelId } = to;
    return this.observed(platform, attempt, () => this.adapter(platform).post({ workspaceId, channelId }, reply, adapterOptions));
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    return this.observed(ref.platform, undefined, () => this.adapter(ref.platform).update(ref, reply));
  }

  private async observed<T>(platform: Platform, attempt: number | undefined, send: () => Promise<T>): Promise<T> {
    const retry = (attempt ?? 1) > 1;
    try {
      const result = await send();
      this.onDelivered?.({ platform, outcome: 'ok', retry });
      return result;
    } catch (error) {
      this.onDelivered?.({ platform, outcome: error instanceof DeliveryError && error.permanent ? 'failed' : 'retry', retry });
      throw error;
    }
  }

  private adapter(platform: Platform): Adapter {
    const adapter = this.adapters.get(platform);
    if (!adapter) throw new DeliveryError(`no ${platform} adapter is running`, false);
    return adapter;
  }
}
