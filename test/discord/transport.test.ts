import { createLogger } from '../../src/log.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDiscordAdapter } from '../../adapters/discord/index.js';
import { ConfigError, DeliveryError } from '../../src/errors.js';
import { FakeDiscord } from '../fakes/discord.js';
import { reply } from '../../src/reply.js';
import { CHANNEL_ID, GUILD_ID, slashCommand } from '../fakes/discord-interactions.js';
import { segmentationCatalog } from './catalog.js';
import { bodyOf, startDiscordHarness, type DiscordHarness, type MessageBody } from './harness.js';
import { expectSafeDiscordMessage } from './safety.js';

const channelPosts = (h: DiscordHarness) => h.fake.requests.filter((r) => r.method === 'POST' && r.path === `/api/v10/channels/${CHANNEL_ID}/messages`);

describe('Discord transport: gateway sessions and channel posts', () => {
  let h: DiscordHarness;

  beforeAll(async () => {
    h = await startDiscordHarness({ catalog: segmentationCatalog() });
  });
  afterAll(async () => {
    expect(h.fake.violations).toEqual([]);
    await h.close();
  });

  it('connects with the Guilds intent only (no privileged intents) and the bot token', () => {
    expect(h.fake.identifies).toBe(1);
    expect(h.fake.lastIdentify?.intents).toBe(1);
    expect(h.fake.requests.find((r) => r.path === '/api/v10/gateway/bot')?.authorized).toBe(true);
  });

  it('GIVEN the gateway drops the connection THEN the client resumes the session and answers the next command', async () => {
    h.fake.dropConnection();
    await vi.waitFor(() => expect(h.fake.resumes).toBe(1), { timeout: 15_000, interval: 20 });
    expect(h.fake.identifies).toBe(1);
    const sent = slashCommand(h.fake, 'segmentation');
    const body = bodyOf(await h.callbackFor(sent));
    expect(body.type).toBe(4);
    expect(body.data?.embeds?.length).toBeGreaterThan(0);
  });

  it('posts a reply to a channel for everyone (no ephemeral flag) and updates it in place', async () => {
    const r = h.paperbot.bot;
    const result = await r.handle({ text: 'segmentation', platform: 'discord', channelId: CHANNEL_ID, userId: 'u', canManageChannel: false, trigger: 'command' });
    const ref = await h.adapter.post({ workspaceId: GUILD_ID, channelId: CHANNEL_ID }, result);
    expect(ref.platform).toBe('discord');
    expect(ref.channelId).toBe(CHANNEL_ID);
    // The server rides in the ref, so the update is made for the same tenant.
    expect(ref.workspaceId).toBe(GUILD_ID);
    const posted = channelPosts(h).at(-1)!;
    expect(posted.authorized).toBe(true);
    const body = posted.body as MessageBody;
    expect(body.flags).toBeUndefined();
    expectSafeDiscordMessage(body);

    await h.adapter.update(ref, reply('info', 'en', { intro: ['Poll closed.'] }));
    const edit = await h.fake.waitFor((q) => q.method === 'PATCH' && q.path === `/api/v10/channels/${CHANNEL_ID}/messages/${ref.messageId}`);
    expect((edit.body as MessageBody).content).toBe('Poll closed.');
  });

  it('GIVEN Discord answers a channel post with 429 and Retry-After THEN the post is retried after the wait and the message arrives once', async () => {
    h.fake.rateLimitChannelPosts(1, 1000);
    const before = channelPosts(h).length;
    const started = Date.now();
    const ref = await h.adapter.post({ workspaceId: GUILD_ID, channelId: CHANNEL_ID }, reply('spotlight', 'en', { intro: ['This week: U-Net'] }));
    const attempts = channelPosts(h).slice(before);
    expect(attempts).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(ref.messageId).toMatch(/^\d+$/);
    expect(h.logs.join('\n')).toMatch(/rate limit/);
  });

  it('sends an enforced nonce of at most 25 characters from the idempotency key, so a retried post is not duplicated', async () => {
    const key = `spotlight:${CHANNEL_ID}:2026-W48:${'x'.repeat(60)}`;
    const first = await h.adapter.post({ workspaceId: GUILD_ID, channelId: CHANNEL_ID }, reply('spotlight', 'en', { intro: ['Weekly paper'] }), { idempotencyKey: key });
    const again = await h.adapter.post({ workspaceId: GUILD_ID, channelId: CHANNEL_ID }, reply('spotlight', 'en', { intro: ['Weekly paper'] }), { idempotencyKey: key });
    const other = await h.adapter.post({ workspaceId: GUILD_ID, channelId: CHANNEL_ID }, reply('spotlight', 'en', { intro: ['Weekly paper'] }), { idempotencyKey: `${key}!` });
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    const bodies = channelPosts(h).slice(-3).map((r) => r.body as { nonce: string; enforce_nonce: boolean });
    expect(bodies[0].nonce.length).toBeLessThanOrEqual(25);
    expect(bodies[0].nonce).toBe(bodies[1].nonce);
    expect(bodies[2].nonce).not.toBe(bodies[0].nonce);
    expect(bodies.every((b) => b.enforce_nonce === true)).toBe(true);
  });

  it('turns a refused post into a DeliveryError; a missing channel is permanent', async () => {
    h.fake.missingChannels.add('999999999999999999');
    const error = await h.adapter.post({ workspaceId: GUILD_ID, channelId: '999999999999999999' }, reply('spotlight', 'en', { intro: ['x'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(true);
  });
});

describe('Discord start-up', () => {
  it('GIVEN a token Discord rejects THEN start fails with a message naming DISCORD_TOKEN, without the token', async () => {
    const fake = await new FakeDiscord().listen();
    const logs: string[] = [];
    const adapter = createDiscordAdapter({
      config: { token: 'not-the-right-token-42', appId: fake.appId, apiUrl: fake.apiUrl },
      // Start-up fails before any message is drawn: the bot's services are never reached.
      bot: { services: {} } as never,
      log: createLogger('info', [], (line) => logs.push(line)),
    });
    try {
      const error = await adapter.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('DISCORD_TOKEN');
      expect((error as Error).message).not.toContain('not-the-right-token-42');
      expect(fake.identifies).toBe(0);
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });
});
