import type { Adapter, MessageRef, Platform, PostOptions } from './adapter.js';
import { DeliveryError } from './errors.js';
import type { Reply } from './reply.js';

/**
 * The running adapters, by platform: how the core says something unprompted (a spotlight, a poll
 * update after a restart) without knowing which chat it goes to.
 */
export class Outbox {
  private readonly adapters = new Map<Platform, Adapter>();

  register(adapter: Adapter): void {
    this.adapters.set(adapter.platform, adapter);
  }

  unregister(platform: Platform): void {
    this.adapters.delete(platform);
  }

  has(platform: Platform): boolean {
    return this.adapters.has(platform);
  }

  async post(platform: Platform, channelId: string, reply: Reply, options?: PostOptions): Promise<MessageRef> {
    return this.adapter(platform).post(channelId, reply, options);
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    return this.adapter(ref.platform).update(ref, reply);
  }

  private adapter(platform: Platform): Adapter {
    const adapter = this.adapters.get(platform);
    if (!adapter) throw new DeliveryError(`no ${platform} adapter is running`, false);
    return adapter;
  }
}
