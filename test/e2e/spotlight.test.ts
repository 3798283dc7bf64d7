import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubscriptions } from '../../src/capabilities/spotlight/channel.js';
import type { SpotlightPost } from '../../src/capabilities/spotlight/deliver.js';
import * as spotlightStore from '../../src/capabilities/spotlight/store.js';
import { CHANNEL_ID, PERMISSIONS } from '../fakes/discord-interactions.js';
import { discordText, Lab, slackText, type DiscordMessage } from './lab.js';
import { channelRef } from '../spotlight/harness.js';

/**
 * Issue 5 end to end: channels subscribe through the real slash commands, the injected clock moves
 * from slot to slot, and the weekly posts reach the fake Slack's chat.postMessage and the fake
 * Discord's channel-messages endpoint through the real Bolt WebClient and discord.js REST client.
 * The tests run in order: each week builds on the state the previous one left.
 */

const SLACK_LAB = 'C0PAPERS';
/** Sorts before C0PAPERS, so it is the first Slack channel each tick posts to. */
const SLACK_DOOMED = 'C0AGONE';
const DISCORD_LAB = CHANNEL_ID;
/** Sorts before DISCORD_LAB, so it is the first Discord channel each tick posts to. */
const DISCORD_DOOMED = '333333333333333300';
const ADMIN = 'U0ADMIN';
const SUBSCRIBE = 'spotlight on monday 09:00 UTC';

const mondays = ['2026-11-30', '2026-12-07', '2026-12-14', '2026-12-21', '2026-12-28'];
const slotOf = (day: string) => `${day}T09:00:00.000Z`;

describe('Weekly spotlight through the real Slack and Discord clients', () => {
  let lab: Lab;
  /** Every post the ticks reported, over all weeks. */
  const reported: SpotlightPost[] = [];

  const slackPostsTo = (channel: string) => lab.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel);
  const subscription = async (platform: 'slack' | 'discord', channel: string) =>
    (await listSubscriptions(lab.services)).find((s) => s.platform === platform && s.channel === channel);
  const tickAt = async (at: string) => {
    const posts = await lab.tick(at);
    reported.push(...posts);
    return posts;
  };

  beforeAll(async () => {
    lab = await Lab.start({ env: { SLACK_ADMIN_USERS: ADMIN }, now: '2026-11-30T08:00:00Z' });
  });
  afterAll(async () => {
    if (lab) {
      expect(lab.discord.violations).toEqual([]);
      await lab.close();
    }
  });

  it('GIVEN SLACK_ADMIN_USERS is set THEN a non-admin’s `spotlight on` is refused and subscribes nothing', async () => {
    const answer = await lab.slackCommand(SUBSCRIBE, { userId: 'U0ALICE', channelId: SLACK_LAB });
    expect(answer.response_type).toBe('ephemeral');
    expect(slackText(answer)).toMatch(/Only people who may manage this channel/);
    expect(await subscription('slack', SLACK_LAB)).toBeUndefined();
  });

  it('GIVEN a Discord member without Manage Channels THEN `spotlight on` is refused, to them alone, and subscribes nothing', async () => {
    const answer = await lab.discordCommand(SUBSCRIBE, { userId: '900000000000000001', permissions: PERMISSIONS.member, channelId: DISCORD_LAB });
    expect(answer.type).toBe(4);
    expect(answer.data?.flags).toBe(64);
    expect(discordText(answer.data!)).toMatch(/Only people who may manage this channel/);
    expect(await subscription('discord', DISCORD_LAB)).toBeUndefined();
  });

  it('GIVEN admins subscribe two Slack and two Discord channels THEN each is on, with Monday 09:00 UTC as its next slot', async () => {
    for (const channelId of [SLACK_LAB, SLACK_DOOMED]) {
      const answer = await lab.slackCommand(SUBSCRIBE, { userId: ADMIN, channelId });
      expect(slackText(answer)).not.toMatch(/Only people|Sorry/);
    }
    for (const channelId of [DISCORD_LAB, DISCORD_DOOMED]) {
      const answer = await lab.discordCommand(SUBSCRIBE, { userId: '900000000000000002', permissions: PERMISSIONS.channelManager, channelId });
      expect(answer.type).toBe(4);
      expect(discordText(answer.data!)).not.toMatch(/Only people|Sorry/);
    }
    for (const [platform, channel] of [
      ['slack', SLACK_LAB],
      ['slack', SLACK_DOOMED],
      ['discord', DISCORD_LAB],
      ['discord', DISCORD_DOOMED],
    ] as const) {
      expect(await subscription(platform, channel)).toMatchObject({ state: 'on', timezone: 'UTC', nextSlot: slotOf(mondays[0]) });
    }
  });

  it('GIVEN the slot has not come THEN nothing is posted; WHEN it comes THEN each channel gets one post, and a later tick in the same slot posts nothing more', async () => {
    expect(await tickAt('2026-11-30T08:59:00Z')).toEqual([]);
    expect(lab.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(lab.discordChannelRequests(DISCORD_LAB)).toHaveLength(0);

    const posts = await tickAt('2026-11-30T09:00:00Z');
    expect(posts.map((p) => `${p.platform}:${p.channel}`).sort()).toEqual(
      [`discord:${DISCORD_DOOMED}`, `discord:${DISCORD_LAB}`, `slack:${SLACK_DOOMED}`, `slack:${SLACK_LAB}`].sort(),
    );
    const ids = new Set(lab.services.papers.map((p) => p.id));
    for (const post of posts) {
      expect(post.slot).toBe(slotOf(mondays[0]));
      expect(ids.has(post.paper.id)).toBe(true);
    }

    for (const channel of [SLACK_LAB, SLACK_DOOMED]) {
      const [call, ...more] = slackPostsTo(channel);
      expect(more).toHaveLength(0);
      const post = posts.find((p) => p.channel === channel)!;
      expect(call.authorization).toBe('Bearer xoxb-e2e-bot-token-0123456789');
      const blocks = JSON.parse(String(call.body.blocks)) as { text?: { text: string } }[];
      expect(blocks.map((b) => b.text?.text ?? '').join('\n')).toContain(post.paper.title);
      expect(post.messageId).toMatch(/^\d+\.\d{6}$/);
    }
    for (const channel of [DISCORD_LAB, DISCORD_DOOMED]) {
      const [request, ...more] = lab.discordChannelRequests(channel);
      expect(more).toHaveLength(0);
      const body = request.body as DiscordMessage;
      expect(request.authorized).toBe(true);
      // The idempotency key travels as an enforced nonce, within Discord's 25 characters.
      expect(body.enforce_nonce).toBe(true);
      expect(typeof body.nonce).toBe('string');
      expect(body.nonce!.length).toBeGreaterThan(0);
      expect(body.nonce!.length).toBeLessThanOrEqual(25);
      expect(discordText(body)).toContain(posts.find((p) => p.channel === channel)!.paper.title);
    }
    expect(lab.discord.violations).toEqual([]);

    expect(await tickAt('2026-11-30T09:30:00Z')).toEqual([]);
    // A restart inside the slot (new Bolt app, new discord.js client, same database) posts nothing again.
    await lab.restart();
    expect(await tickAt('2026-11-30T09:31:00Z')).toEqual([]);
    expect(await tickAt('2026-12-03T12:00:00Z')).toEqual([]);
    expect(lab.slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(lab.discordChannelRequests(DISCORD_LAB)).toHaveLength(1);
    expect(lab.discordChannelRequests(DISCORD_DOOMED)).toHaveLength(1);
  });

  it('GIVEN Slack answers 429 with Retry-After: 1 and Discord answers 429 once THEN both are waited out and each channel still gets exactly one post', async () => {
    lab.slack.rateLimitNext('chat.postMessage', 1);
    lab.discord.rateLimitChannelPosts(1, 1000);
    const slackBefore = lab.slack.callsTo('chat.postMessage').length;
    const discordBefore = lab.discordChannelRequests(DISCORD_DOOMED).length;

    const posts = await tickAt(slotOf(mondays[1]));
    expect(posts).toHaveLength(4);
    expect(posts.every((p) => p.slot === slotOf(mondays[1]))).toBe(true);

    // The first Slack channel of the tick met the 429 and was sent again; the other once.
    const slackCalls = lab.slack.callsTo('chat.postMessage').slice(slackBefore);
    expect(slackCalls.map((c) => c.body.channel)).toEqual([SLACK_DOOMED, SLACK_DOOMED, SLACK_LAB]);
    expect(slackCalls[0].body.blocks).toBe(slackCalls[1].body.blocks);

    const discordRetried = lab.discordChannelRequests(DISCORD_DOOMED).slice(discordBefore);
    expect(discordRetried).toHaveLength(2);
    expect((discordRetried[0].body as DiscordMessage).nonce).toBe((discordRetried[1].body as DiscordMessage).nonce);
    expect(lab.discordChannelRequests(DISCORD_LAB)).toHaveLength(2);

    expect(await tickAt('2026-12-07T09:05:00Z')).toEqual([]);
  });

  it('GIVEN Slack answers channel_not_found and Discord 404 Unknown Channel THEN those channels are paused with the reason and the other channels are still posted', async () => {
    lab.slack.failNext('chat.postMessage', 'channel_not_found');
    lab.discord.missingChannels.add(DISCORD_DOOMED);

    const posts = await tickAt(slotOf(mondays[2]));
    expect(posts.map((p) => `${p.platform}:${p.channel}`).sort()).toEqual([`discord:${DISCORD_LAB}`, `slack:${SLACK_LAB}`]);
    expect(await subscription('slack', SLACK_DOOMED)).toMatchObject({ state: 'paused', pausedReason: expect.stringContaining('channel_not_found'), nextSlot: null });
    expect(await subscription('discord', DISCORD_DOOMED)).toMatchObject({ state: 'paused', pausedReason: expect.stringMatching(/404|Unknown Channel/), nextSlot: null });
    expect((await subscription('slack', SLACK_LAB))?.state).toBe('on');
    expect((await subscription('discord', DISCORD_LAB))?.state).toBe('on');
    expect(lab.logs.some((l) => /paused/.test(l) && l.includes(SLACK_DOOMED))).toBe(true);

    // Paused channels are not tried again the next week.
    const doomedSlack = slackPostsTo(SLACK_DOOMED).length;
    const doomedDiscord = lab.discordChannelRequests(DISCORD_DOOMED).length;
    const next = await tickAt(slotOf(mondays[3]));
    expect(next.map((p) => `${p.platform}:${p.channel}`).sort()).toEqual([`discord:${DISCORD_LAB}`, `slack:${SLACK_LAB}`]);
    expect(slackPostsTo(SLACK_DOOMED)).toHaveLength(doomedSlack);
    expect(lab.discordChannelRequests(DISCORD_DOOMED)).toHaveLength(doomedDiscord);
  });

  it('GIVEN Discord’s answer to a spotlight post is lost THEN the retry carries the same nonce and the channel ends up with one message, recorded once', async () => {
    const path = `/api/v10/channels/${DISCORD_LAB}/messages`;
    lab.proxy.loseNextResponse((method, p) => method === 'POST' && p === path);
    const slot = slotOf(mondays[4]);
    const before = lab.proxy.relayed.filter((r) => r.method === 'POST' && r.path === path).length;

    const first = await tickAt(slot);
    const later = [...(await tickAt('2026-12-28T09:03:00Z')), ...(await tickAt('2026-12-28T09:10:00Z'))];
    const toLab = [...first, ...later].filter((p) => p.platform === 'discord' && p.channel === DISCORD_LAB);
    expect(toLab).toHaveLength(1);
    expect(toLab[0].slot).toBe(slot);

    const attempts = lab.proxy.relayed.filter((r) => r.method === 'POST' && r.path === path).slice(before);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0].lost).toBe(true);
    const nonces = new Set(attempts.map((a) => (a.requestBody as DiscordMessage).nonce));
    expect(nonces.size).toBe(1);
    // The fake treats a repeated enforced nonce as the same message: every answer names one id.
    const messageIds = new Set(attempts.map((a) => (a.responseBody as { id: string }).id));
    expect(messageIds.size).toBe(1);
    expect(toLab[0].messageId).toBe([...messageIds][0]);
    // The channel is kept under its server (the guild the command came from), as every Discord channel now is.
    const workspaceId = (await subscription('discord', DISCORD_LAB))?.workspaceId;
    expect(workspaceId).toBeTruthy();
    expect((await spotlightStore.getPost(lab.services.sql, channelRef('discord', DISCORD_LAB, workspaceId), slot))).toMatchObject({ status: 'posted', messageId: toLab[0].messageId });
  });

  it('over the five weeks each live channel saw five different papers, one per slot', () => {
    for (const [platform, channel] of [
      ['slack', SLACK_LAB],
      ['discord', DISCORD_LAB],
    ] as const) {
      const posts = reported.filter((p) => p.platform === platform && p.channel === channel);
      expect(posts.map((p) => p.slot)).toEqual(mondays.map(slotOf));
      expect(new Set(posts.map((p) => p.paper.id)).size).toBe(5);
    }
  });
});
