import { afterEach, describe, expect, it } from 'vitest';
import { startPlatformAdapters } from '../../adapters/index.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import { loadSettings, type Settings } from '../../adapters/settings.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { reply } from '../../src/reply.js';
import { FakeDiscord } from '../fakes/discord.js';
import { CHANNEL_ID } from '../fakes/discord-interactions.js';
import { FakeSlack } from '../fakes/slack.js';
import { tempDbPath } from '../helpers/temp-db.js';

const SLACK_BOT_TOKEN = 'xoxb-start-test-token-0123456789';
const SLACK_APP_TOKEN = 'xapp-start-test-token-0123456789';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Slack in Socket Mode (so nothing listens beyond 127.0.0.1) and Discord, each against its fake. */
async function bootWith(discordToken?: string): Promise<{ paperbot: Paperbot; settings: Settings; slack: FakeSlack; discord: FakeDiscord }> {
  const slack = await FakeSlack.start();
  const discord = await new FakeDiscord().listen();
  const db = tempDbPath();
  const settings = loadSettings({
    SLACK_BOT_TOKEN,
    SLACK_APP_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    DISCORD_TOKEN: discordToken ?? discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiUrl,
    PAPERBOT_DB: db.dbPath,
  });
  const paperbot = await createPaperbot({ config: settings, log: createLogger('error', [SLACK_BOT_TOKEN, SLACK_APP_TOKEN, discord.token], () => {}) });
  cleanup.push(async () => {
    paperbot.close();
    await slack.close();
    await discord.close();
    db.cleanup();
  });
  return { paperbot, settings, slack, discord };
}

describe('starting the chat adapters', () => {
  it('GIVEN Slack and Discord settings THEN both adapters start and take unprompted posts', async () => {
    const { paperbot, settings, slack, discord } = await bootWith();
    const adapters = await startPlatformAdapters(paperbot, settings, paperbot.services.log);
    cleanup.push(async () => void (await Promise.all(adapters.map((a) => a.stop()))));
    expect(adapters.map((a) => a.platform)).toEqual(['slack', 'discord']);
    expect(paperbot.services.outbox.has('slack')).toBe(true);
    expect(paperbot.services.outbox.has('discord')).toBe(true);
    await slack.waitForSocket();
    expect(discord.identifies).toBe(1);
  });

  it('GIVEN receive: false (a one-shot spotlight tick) THEN nothing connects or listens, and both adapters still post', async () => {
    const { paperbot, settings, slack, discord } = await bootWith();
    const adapters = await startPlatformAdapters(paperbot, settings, paperbot.services.log, { receive: false });
    cleanup.push(async () => void (await Promise.all(adapters.map((a) => a.stop()))));
    expect(slack.callsTo('apps.connections.open')).toHaveLength(0);
    expect(discord.identifies).toBe(0);
    const hello = reply('info', 'en', { intro: ['hello'] });
    await paperbot.services.outbox.post({ platform: 'slack', workspaceId: '', channelId: 'C0PAPERS' }, hello);
    await paperbot.services.outbox.post({ platform: 'discord', workspaceId: '', channelId: CHANNEL_ID }, hello);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(discord.requests.filter((r) => r.method === 'POST' && r.path === `/api/v10/channels/${CHANNEL_ID}/messages`)).toHaveLength(1);
  });

  it('GIVEN the core still being built (paperbot start) THEN the platforms connect meanwhile, and a command that comes first is answered once it is ready', async () => {
    const { paperbot, settings, slack, discord } = await bootWith();
    let coreReady: (built: Paperbot) => void = () => {};
    const core = new Promise<Paperbot>((resolve) => {
      coreReady = resolve;
    });
    const starting = startPlatformAdapters(core, settings, paperbot.services.log, { early: paperbot.services });
    await slack.waitForSocket();
    await discord.waitFor((r) => r.path.includes('/gateway'));
    const early = slack.sendEnvelope('slash_commands', {
      channel_id: 'C0PAPERS', user_id: 'U0ALICE', user_name: 'alice', command: '/paper', text: 'segmentation',
      response_url: slack.responseUrl('early'), trigger_id: '1.2.3', team_id: 'T0LAB', api_app_id: 'A0PAPER', token: 't',
    });
    expect(paperbot.services.outbox.has('slack')).toBe(false);
    coreReady(paperbot);
    const adapters = await starting;
    cleanup.push(async () => void (await Promise.all(adapters.map((a) => a.stop()))));
    expect(paperbot.services.outbox.has('slack')).toBe(true);
    expect(paperbot.services.outbox.has('discord')).toBe(true);
    expect(JSON.stringify(await early)).toMatch(/segmentation/i);
  });

  it('GIVEN the core fails while the platforms connect THEN they are closed again and the core’s error is what start reports', async () => {
    const { paperbot, settings, slack } = await bootWith();
    const failure = new ConfigError('PAPERBOT_DB "/nowhere" cannot hold the state database.');
    const error = await startPlatformAdapters(Promise.reject(failure), settings, paperbot.services.log, { early: paperbot.services }).catch((e: unknown) => e);
    expect(error).toBe(failure);
    await slack.waitForNoSocket();
    expect(paperbot.services.outbox.has('slack')).toBe(false);
  });

  it('GIVEN Discord rejects its token after Slack has connected THEN start fails naming DISCORD_TOKEN and Slack is closed again', async () => {
    const { paperbot, settings, slack } = await bootWith('not-the-right-token-42');
    const error = await startPlatformAdapters(paperbot, settings, paperbot.services.log).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('DISCORD_TOKEN');
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
    await slack.waitForNoSocket();
    expect(paperbot.services.outbox.has('slack')).toBe(false);
    expect(paperbot.services.outbox.has('discord')).toBe(false);
  });
});
