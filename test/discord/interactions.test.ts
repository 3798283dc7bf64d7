import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot.js';
import type { Invocation } from '../../src/services.js';
import { autocomplete, buttonClick, CHANNEL_ID, GUILD_ID, PERMISSIONS, slashCommand, type SentInteraction } from '../fakes/discord-interactions.js';
import { segmentationCatalog } from './catalog.js';
import { bodyOf, buttonsOf, startDiscordHarness, type DiscordHarness, type MessageBody } from './harness.js';
import { expectSafeDiscordMessage } from './safety.js';

const EPHEMERAL = 64;

/** The real bot, watched: records each invocation and fails on purpose for one text. */
function watched(invocations: Invocation[]) {
  return (bot: Bot): Bot => ({
    services: bot.services,
    commands: bot.commands,
    async handle(invocation) {
      invocations.push(invocation);
      if (invocation.text === 'explode in transport') throw new Error('a bug below the dispatcher');
      return bot.handle(invocation);
    },
  });
}

function buttonWithEffect(message: MessageBody, code: 'u' | 'r' | 'p', nth = 0) {
  const found = buttonsOf(message).filter((b) => b.custom_id?.startsWith(`pb:${code}:`))[nth];
  if (!found?.custom_id) throw new Error(`no pb:${code} button in ${JSON.stringify(message.components)}`);
  return found.custom_id;
}

describe('Discord interactions through the real discord.js client', () => {
  let h: DiscordHarness;
  const invocations: Invocation[] = [];

  beforeAll(async () => {
    h = await startDiscordHarness({ catalog: segmentationCatalog(), wrapBot: watched(invocations) });
  });
  afterAll(async () => {
    expect(h.fake.violations).toEqual([]);
    await h.close();
  });

  async function command(query: string, who = {}): Promise<{ sent: SentInteraction; message: MessageBody; type: number }> {
    const sent = slashCommand(h.fake, query, who);
    const body = bodyOf(await h.callbackFor(sent));
    return { sent, message: body.data ?? {}, type: body.type ?? -1 };
  }

  it('answers /paper with an ephemeral message: a header, one embed per paper and Show, More and Share buttons', async () => {
    const { message, type } = await command('segmentation');
    const total = h.paperbot.services.search.search('segmentation').total;
    expect(type).toBe(4);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.content).toContain(String(total));
    expect(message.content).toContain('segmentation');
    expect(message.embeds).toHaveLength(5);
    for (const embed of message.embeds ?? []) expect(embed.url).toMatch(/^https:\/\/arxiv\.org\/abs\/seg-/);
    const codes = buttonsOf(message).map((b) => b.custom_id?.slice(0, 5));
    expect(codes.filter((c) => c === 'pb:r:')).toHaveLength(5);
    expect(codes.slice(-2)).toEqual(['pb:u:', 'pb:p:']);
    expectSafeDiscordMessage(message);
  });

  it('runs the command as the user who typed it, in their channel, with Manage Channels deciding canManageChannel', async () => {
    await command('help', { userId: '900000000000000001', userName: 'grace' });
    await command('help', { userId: '900000000000000002', permissions: PERMISSIONS.channelManager });
    await command('help', { userId: '900000000000000003', dm: true, channelId: '800000000000000001' });
    const [member, manager, dm] = invocations.slice(-3);
    expect(member).toMatchObject({
      text: 'help',
      platform: 'discord',
      channelId: CHANNEL_ID,
      userId: '900000000000000001',
      userName: 'grace (display)',
      canManageChannel: false,
      trigger: 'command',
    });
    expect(manager.canManageChannel).toBe(true);
    // A DM with the bot belongs to the user alone.
    expect(dm).toMatchObject({ channelId: '800000000000000001', canManageChannel: true });
  });

  it('autocompletes the query with command words and matching titles, at most 25, each within 100 characters', async () => {
    const answer = async (typed: string) => {
      const body = bodyOf(await h.callbackFor(autocomplete(h.fake, typed)));
      expect(body.type).toBe(8);
      const choices = body.data?.choices ?? [];
      expect(choices.length).toBeLessThanOrEqual(25);
      for (const c of choices) {
        expect(c.name.length).toBeGreaterThan(0);
        expect(c.name.length).toBeLessThanOrEqual(100);
        expect(c.value.length).toBeLessThanOrEqual(100);
      }
      return choices;
    };
    const empty = await answer('');
    expect(empty.map((c) => c.value)).toEqual(expect.arrayContaining(['help', 'show', 'share']));
    expect((await answer('he')).map((c) => c.value)).toContain('help');
    const titles = h.paperbot.services.search.complete('brain tumor', 25).map((p) => p.title);
    expect(titles.length).toBeGreaterThan(0);
    expect((await answer('brain tumor')).map((c) => c.value)).toEqual(titles.slice(0, 25));
    const ids = h.paperbot.services.search.complete('brain', 25).map((p) => `show ${p.id}`);
    expect(ids.length).toBeGreaterThan(0);
    expect((await answer('show brain')).map((c) => c.value)).toEqual(ids);
  });

  it('pages in place: More and Previous update the message (type 7) and keep its visibility', async () => {
    const first = await command('segmentation');
    const next = buttonClick(h.fake, buttonWithEffect(first.message, 'u'), first.message);
    const page2 = bodyOf(await h.callbackFor(next));
    expect(page2.type).toBe(7);
    expect(page2.data?.flags).toBeUndefined();
    const titles1 = first.message.embeds?.map((e) => e.title?.replace(/^\d+\. /, ''));
    const titles2 = page2.data?.embeds?.map((e) => e.title?.replace(/^\d+\. /, '')) ?? [];
    expect(titles2.length).toBeGreaterThan(0);
    expect(titles2.filter((t) => titles1?.includes(t))).toEqual([]);
    expectSafeDiscordMessage(page2.data!);

    const back = buttonClick(h.fake, buttonWithEffect(page2.data!, 'u'), page2.data!);
    const page1 = bodyOf(await h.callbackFor(back));
    expect(page1.type).toBe(7);
    expect(page1.data?.embeds?.map((e) => e.title)).toEqual(first.message.embeds?.map((e) => e.title));
    const click = invocations.at(-1)!;
    expect(click.trigger).toBe('button');
    expect(click.messageRef).toEqual({ platform: 'discord', workspaceId: GUILD_ID, channelId: CHANNEL_ID, messageId: String(back.payload.message && (back.payload.message as { id: string }).id) });
  });

  it('shows one paper to the clicker alone and shares results for the whole channel', async () => {
    const first = await command('segmentation');
    const show = bodyOf(await h.callbackFor(buttonClick(h.fake, buttonWithEffect(first.message, 'r', 2), first.message)));
    expect(show.type).toBe(4);
    expect(show.data?.flags).toBe(EPHEMERAL);
    expect(show.data?.embeds).toHaveLength(1);
    expect(show.data?.embeds?.[0].title).toBe(first.message.embeds?.[2].title?.replace(/^\d+\. /, ''));
    expectSafeDiscordMessage(show.data!);

    const share = bodyOf(await h.callbackFor(buttonClick(h.fake, buttonWithEffect(first.message, 'p'), first.message)));
    expect(share.type).toBe(4);
    expect(share.data?.flags ?? 0).toBe(0);
    expect(share.data?.embeds?.map((e) => e.title)).toEqual(first.message.embeds?.map((e) => e.title));
    expectSafeDiscordMessage(share.data!);
  });

  it('answers a button it can no longer read with an ephemeral "run the command again"', async () => {
    const body = bodyOf(await h.callbackFor(buttonClick(h.fake, 'pb:r:0:#zz', { content: 'old' })));
    expect(body.type).toBe(4);
    expect(body.data?.flags).toBe(EPHEMERAL);
    expect(body.data?.content).toMatch(/run the command again/i);
  });

  it('GIVEN a failure below the dispatcher THEN the user gets an ephemeral apology, the error is logged and the next command is answered', async () => {
    const { message, type } = await command('explode in transport');
    expect(type).toBe(4);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.content).toMatch(/^Sorry, something went wrong/);
    expect(h.logs.join('\n')).toContain('a bug below the dispatcher');
    expect(h.adapter.client.isReady()).toBe(true);
    const after = await command('segmentation');
    expect(after.message.embeds?.length).toBeGreaterThan(0);
  });

  it('answers a slash command other than /paper with an ephemeral note instead of letting it time out', async () => {
    const body = bodyOf(await h.callbackFor(slashCommand(h.fake, 'segmentation', {}, 'oldcommand')));
    expect(body.type).toBe(4);
    expect(body.data?.flags).toBe(EPHEMERAL);
    expect(body.data?.content).toContain('/paper');
  });

  it('never logs the bot token', () => {
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(h.fake.token);
  });
});

describe('Discord interactions that take longer than a moment', () => {
  let h: DiscordHarness;
  let release: () => void = () => {};

  beforeAll(async () => {
    h = await startDiscordHarness({
      catalog: segmentationCatalog(),
      deferAfterMs: 20,
      // Every command waits for the test to let it finish, so the adapter has to defer first.
      wrapBot: (bot) => ({
        services: bot.services,
        commands: bot.commands,
        async handle(invocation) {
          await new Promise<void>((resolve) => (release = resolve));
          if (invocation.text === 'explode late') throw new Error('a late bug below the dispatcher');
          return bot.handle(invocation);
        },
      }),
    });
  });
  afterAll(async () => {
    expect(h.fake.violations).toEqual([]);
    await h.close();
  });

  const original = (sent: SentInteraction) => `/api/v10/webhooks/${h.fake.appId}/${sent.token}/messages/@original`;

  it('defers ephemerally, then edits the original response with the result', async () => {
    const sent = slashCommand(h.fake, 'segmentation');
    const deferral = bodyOf(await h.callbackFor(sent));
    expect(deferral).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    release();
    const edit = await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === original(sent));
    expect((edit.body as MessageBody).embeds).toHaveLength(5);
    expectSafeDiscordMessage(edit.body as MessageBody);
  });

  it('defers publicly for share, and replaces the public placeholder with an ephemeral follow-up when the answer is an error', async () => {
    const ok = slashCommand(h.fake, 'share segmentation');
    expect(bodyOf(await h.callbackFor(ok))).toEqual({ type: 5 });
    release();
    await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === original(ok));

    const failing = slashCommand(h.fake, 'share segmentation --page 99');
    expect(bodyOf(await h.callbackFor(failing))).toEqual({ type: 5 });
    release();
    const followUp = await h.fake.waitFor((r) => r.method === 'POST' && r.path === `/api/v10/webhooks/${h.fake.appId}/${failing.token}`);
    expect((followUp.body as MessageBody).flags).toBe(EPHEMERAL);
    expect(h.fake.responsesTo(failing).map((r) => r.method)).toEqual(['POST', 'DELETE', 'POST']);
  });

  it('GIVEN a failure after deferring THEN the placeholder is removed and the user gets an ephemeral apology', async () => {
    const sent = slashCommand(h.fake, 'explode late');
    expect(bodyOf(await h.callbackFor(sent))).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    release();
    const apology = await h.fake.waitFor((r) => r.method === 'POST' && r.path === `/api/v10/webhooks/${h.fake.appId}/${sent.token}`);
    expect(apology.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/^Sorry/) });
    expect(h.fake.responsesTo(sent).map((r) => r.method)).toEqual(['POST', 'DELETE', 'POST']);
    expect(h.logs.join('\n')).toContain('a late bug below the dispatcher');
  });

  it('acknowledges a slow page click with a deferred update (type 6), then edits the message', async () => {
    const sent = slashCommand(h.fake, 'segmentation');
    await h.callbackFor(sent);
    release();
    const first = (await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === original(sent))).body as MessageBody;
    const click = buttonClick(h.fake, buttonWithEffect(first, 'u'), first);
    expect(bodyOf(await h.callbackFor(click))).toEqual({ type: 6 });
    release();
    const edit = await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === original(click));
    expect((edit.body as MessageBody).embeds?.length).toBeGreaterThan(0);
  });
});
