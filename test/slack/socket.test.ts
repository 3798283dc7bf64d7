import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { blockActionPayload } from '../fakes/slack.js';
import { APP_TOKEN, BOT_TOKEN, startSlackHarness, type SlackHarness } from './harness.js';

describe('Slack Socket Mode, real Bolt against a local Slack', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ mode: 'socket' });
    await h.fake.waitForSocket();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('opens the connection with the app token and checks the bot token once at start', () => {
    const open = h.fake.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0].authorization).toBe(`Bearer ${APP_TOKEN}`);
    const auth = h.fake.callsTo('auth.test');
    expect(auth).toHaveLength(1);
    expect(auth[0].authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(h.adapter.mode).toBe('socket');
    expect(h.adapter.port).toBeUndefined();
  });

  it('GIVEN a slash_commands envelope THEN the ack on the socket carries the Block Kit reply', async () => {
    const paper = h.paperbot.catalog.papers[0];
    const ack = await h.fake.sendEnvelope('slash_commands', {
      token: 'legacy',
      team_id: 'T0LAB',
      channel_id: 'C0PAPERS',
      user_id: 'U0ALICE',
      user_name: 'alice',
      command: '/paper',
      text: `show ${paper.id}`,
      api_app_id: 'A0PAPER',
      response_url: h.fake.responseUrl('socket-cmd'),
      trigger_id: '1.2.3',
    });
    expect(ack.response_type).toBe('ephemeral');
    expect(JSON.stringify(ack.blocks)).toContain(paper.id);
    expect(ack.text).toContain(paper.title.slice(0, 20));
    expect(h.handled.at(-1)).toMatchObject({ platform: 'slack', userId: 'U0ALICE', trigger: 'command', canManageChannel: true });
  });

  it('GIVEN an interactive envelope for a button THEN the answer goes to response_url', async () => {
    const ack = await h.fake.sendEnvelope('slash_commands', {
      channel_id: 'C0PAPERS', user_id: 'U0ALICE', user_name: 'alice', command: '/paper', text: 'segmentation',
      response_url: h.fake.responseUrl('socket-cmd-2'), trigger_id: '1', team_id: 'T0LAB', api_app_id: 'A0PAPER', token: 't',
    });
    const share = (ack.blocks as any[]).find((b) => b.type === 'actions').elements.find((e: any) => e.text.text === 'Share');
    const clickAck = await h.fake.sendEnvelope('interactive', blockActionPayload({ actionId: share.action_id, value: share.value, responseUrl: h.fake.responseUrl('socket-share') }));
    expect(clickAck).toEqual({});
    const [posted] = await h.fake.waitForResponses('socket-share');
    expect(posted.body.response_type).toBe('in_channel');
    expect(h.handled.at(-1)).toMatchObject({ trigger: 'button', text: 'share segmentation' });
  });

  it('GIVEN a command envelope delivered again (same trigger_id, a new envelope) THEN it runs once and the repeat is acknowledged empty', async () => {
    const command = {
      channel_id: 'C0PAPERS', user_id: 'U0ALICE', user_name: 'alice', command: '/paper', text: 'spotlight',
      response_url: h.fake.responseUrl('socket-redelivered'), trigger_id: '7.7.7', team_id: 'T0LAB', api_app_id: 'A0PAPER', token: 't',
    };
    const before = h.handled.length;
    const first = await h.fake.sendEnvelope('slash_commands', command);
    const again = await h.fake.sendEnvelope('slash_commands', command);
    expect(first.blocks?.length).toBeGreaterThan(0);
    expect(again).toEqual({});
    expect(h.handled.length - before).toBe(1);
    expect(h.logs.some((l) => l.includes('repeat of an already answered Socket Mode delivery (trigger)'))).toBe(true);
    // Another invocation (its own trigger_id) of the same text still runs.
    const other = await h.fake.sendEnvelope('slash_commands', { ...command, trigger_id: '7.7.8' });
    expect(other.blocks?.length).toBeGreaterThan(0);
    expect(h.handled.length - before).toBe(2);
  });

  it('GIVEN a button click delivered twice THEN the click runs once', async () => {
    const ack = await h.fake.sendEnvelope('slash_commands', {
      channel_id: 'C0PAPERS', user_id: 'U0ALICE', user_name: 'alice', command: '/paper', text: 'segmentation',
      response_url: h.fake.responseUrl('socket-cmd-3'), trigger_id: '8.8.8', team_id: 'T0LAB', api_app_id: 'A0PAPER', token: 't',
    });
    const share = (ack.blocks as any[]).find((b) => b.type === 'actions').elements.find((e: any) => e.text.text === 'Share');
    const click = blockActionPayload({ actionId: share.action_id, value: share.value, responseUrl: h.fake.responseUrl('socket-share-twice') });
    const before = h.handled.length;
    await h.fake.sendEnvelope('interactive', click);
    await h.fake.sendEnvelope('interactive', click);
    await h.fake.waitForResponses('socket-share-twice');
    expect(h.handled.length - before).toBe(1);
  });

  it('never logs either token', () => {
    const all = h.logs.join('\n');
    expect(h.logs.some((l) => l.includes('Socket Mode'))).toBe(true);
    expect(all).not.toContain(APP_TOKEN);
    expect(all).not.toContain(BOT_TOKEN);
  });
});

describe('Slack Socket Mode start-up', () => {
  it('GIVEN an app token Slack refuses THEN start() fails with a ConfigError naming SLACK_APP_TOKEN', async () => {
    const h = await startSlackHarness({ mode: 'socket', start: false });
    try {
      h.fake.failNext('apps.connections.open', 'invalid_auth');
      const error = await h.adapter.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/SLACK_APP_TOKEN.*invalid_auth.*connections:write/);
      expect(h.fake.callsTo('apps.connections.open')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
