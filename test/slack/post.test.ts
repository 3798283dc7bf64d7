import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DeliveryError } from '../../src/errors.js';
import { reply } from '../../src/reply.js';
import { startSlackHarness, type SlackHarness } from './harness.js';

const spotlight = () =>
  reply('spotlight', 'en', {
    visibility: 'channel',
    title: 'Paper of the week <!channel>',
    intro: ['@here read this & discuss <@U0ALICE>'],
    cards: [{ title: 'A <b>bold</b> & <!here> title', url: 'https://arxiv.org/abs/1505.04597', meta: 'U-Net · EM', lines: ['id: u-net-2015'], action: { label: 'Show', command: 'show u-net-2015', effect: 'reply' } }],
    actions: [],
  });

async function expectDeliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('Slack adapter posting unprompted messages (chat.postMessage / chat.update)', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ maxRateLimitWaitMs: 2000 });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.fake.calls.length = 0;
  });

  it('GIVEN post() THEN chat.postMessage gets the channel, escaped blocks and a text fallback, and the ts comes back as the message id', async () => {
    const ref = await h.adapter.post({ workspaceId: '', channelId: 'C0PAPERS' }, spotlight());
    const [call] = h.fake.callsTo('chat.postMessage');
    expect(call.contentType).toContain('application/x-www-form-urlencoded');
    expect(call.body.channel).toBe('C0PAPERS');
    expect(ref).toEqual({ platform: 'slack', workspaceId: '', channelId: 'C0PAPERS', messageId: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(typeof call.body.blocks).toBe('string');
    const blocks = JSON.parse(call.body.blocks as string);
    const json = JSON.stringify(blocks);
    expect(json).not.toMatch(/<!channel>|<!here>|<@U0ALICE>|<b>/);
    expect(json).not.toMatch(/@here/);
    expect(json).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &lt;!here&gt;');
    expect(blocks[0]).toMatchObject({ type: 'header' });
    expect(String(call.body.text)).toContain('Paper of the week');
    expect(call.body.unfurl_links).toBe('false');
  });

  it('GIVEN update() THEN chat.update targets the same channel and ts', async () => {
    const ref = await h.adapter.post({ workspaceId: '', channelId: 'C0PAPERS' }, spotlight());
    await h.adapter.update(ref, reply('poll', 'en', { title: 'Votes: 3', intro: ['closed'] }));
    const [call] = h.fake.callsTo('chat.update');
    expect(call.body).toMatchObject({ channel: 'C0PAPERS', ts: ref.messageId });
    expect(JSON.parse(call.body.blocks as string)[0]).toMatchObject({ type: 'header', text: { text: 'Votes: 3' } });
  });

  it('GIVEN a 429 with Retry-After: 1 THEN post() waits it out and succeeds on the next try', async () => {
    h.fake.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const ref = await h.adapter.post({ workspaceId: '', channelId: 'C0PAPERS' }, spotlight());
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(ref.messageId).toMatch(/^\d+\.\d+$/);
  });

  it('GIVEN a 429 longer than it will wait THEN post() fails at once with retryAfterMs for the caller to reschedule', async () => {
    h.fake.rateLimitNext('chat.postMessage', 120);
    const error = await expectDeliveryError(h.adapter.post({ workspaceId: '', channelId: 'C0PAPERS' }, spotlight()));
    expect(error.permanent).toBe(false);
    expect(error.retryAfterMs).toBe(120_000);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it.each(['channel_not_found', 'is_archived', 'not_in_channel', 'channel_is_archived', 'missing_scope'])(
    'GIVEN Slack answers %s THEN post() throws a permanent DeliveryError naming it, without retrying',
    async (code) => {
      h.fake.failNext('chat.postMessage', code);
      const error = await expectDeliveryError(h.adapter.post({ workspaceId: '', channelId: 'C0GONE' }, spotlight()));
      expect(error.permanent).toBe(true);
      expect(error.message).toContain(code);
      expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    },
  );

  it.each(['invalid_auth', 'token_revoked', 'account_inactive'])(
    'GIVEN Slack answers %s (the token, not the channel) THEN the DeliveryError is retryable, so no channel is paused for it',
    async (code) => {
      h.fake.failNext('chat.postMessage', code);
      const error = await expectDeliveryError(h.adapter.post({ workspaceId: '', channelId: 'C0PAPERS' }, spotlight()));
      expect(error.permanent).toBe(false);
      expect(error.message).toMatch(new RegExp(`${code}.*SLACK_BOT_TOKEN`));
    },
  );

  it('GIVEN a transient Slack error THEN post() throws a DeliveryError that is not permanent', async () => {
    h.fake.failNext('chat.postMessage', 'internal_error');
    const error = await expectDeliveryError(h.adapter.post({ workspaceId: '', channelId: 'C0PAPERS' }, spotlight()));
    expect(error.permanent).toBe(false);
  });

  it('GIVEN update() of a deleted message THEN the DeliveryError is permanent', async () => {
    h.fake.failNext('chat.update', 'message_not_found');
    const error = await expectDeliveryError(h.adapter.update({ platform: 'slack', workspaceId: '', channelId: 'C0PAPERS', messageId: '1.2' }, spotlight()));
    expect(error.permanent).toBe(true);
  });
});

describe('Slack adapter start-up', () => {
  it('GIVEN a bot token Slack refuses THEN start() fails with a ConfigError naming SLACK_BOT_TOKEN and how to fix it', async () => {
    const h = await startSlackHarness({ start: false });
    try {
      h.fake.failNext('auth.test', 'invalid_auth');
      const error = await h.adapter.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/SLACK_BOT_TOKEN.*invalid_auth.*OAuth & Permissions/);
      expect(h.adapter.port).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
