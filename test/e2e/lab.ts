import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/index.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/index.js';
import type { Services } from '../../src/services.js';
import { ManualClock } from '../../src/clock.js';
import { loadSettings } from '../../adapters/settings.js';
import { createLogger } from '../../src/log.js';
import { readingStore, type Poll } from '../../src/capabilities/reading/store.js';
import type { SpotlightPost } from '../../src/capabilities/spotlight/deliver.js';
import { tick } from '../../src/capabilities/spotlight/tick.js';
import { FakeDiscord, type ReceivedRequest } from '../fakes/discord.js';
import { buttonClick, slashCommand, type Who } from '../fakes/discord-interactions.js';
import { blockActionBody, blockActionPayload, FakeSlack, signedHeaders, slashCommandBody } from '../fakes/slack.js';
import { readingCatalog } from '../reading/catalog.js';
import { LossyProxy } from './lossy-proxy.js';

const SIGNING_SECRET = 'e2e-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-e2e-bot-token-0123456789';

type SlackBlock = { type: string; text?: { text: string }; accessory?: SlackButton; elements?: SlackButton[] };
export type SlackButton = { action_id: string; value: string; text: { text: string } };
/** A message as Slack would show it: the ack of a slash command, a response_url post, a chat.postMessage. */
export type SlackMessage = { text?: string; blocks: SlackBlock[]; response_type?: string; replace_original?: boolean };

export type DiscordMessage = {
  content?: string;
  flags?: number;
  embeds?: { title?: string; url?: string; description?: string; footer?: { text?: string } }[];
  components?: { type: number; components: { type: number; custom_id?: string; label?: string }[] }[];
  nonce?: string;
  enforce_nonce?: boolean;
};
/** An interaction callback as the fake Discord received it. */
export type DiscordCallback = { type: number; data?: DiscordMessage };

export type LabOptions = {
  env?: Record<string, string>;
  catalog?: Catalog;
  /** Where the injected clock starts. */
  now?: string;
};

/**
 * The whole bot as it runs in a lab: the real core on a SQLite file, the real Bolt app and the real
 * discord.js client, each talking over 127.0.0.1 to the fake Slack and the fake Discord (Discord's
 * REST through a proxy that can lose an answer). `restart()` stops the adapters and the core and
 * starts new ones on the same database file and the same fakes, as a redeploy would.
 */
export class Lab {
  readonly logs: string[] = [];
  core!: Paperbot;
  slackAdapter!: SlackAdapter;
  discordAdapter!: DiscordAdapter;
  private readonly dir = mkdtempSync(join(tmpdir(), 'paperbot-e2e-'));
  readonly dbPath = join(this.dir, 'state.db');

  private constructor(
    readonly slack: FakeSlack,
    readonly discord: FakeDiscord,
    readonly proxy: LossyProxy,
    readonly clock: ManualClock,
    private readonly options: LabOptions,
  ) {}

  static async start(options: LabOptions = {}): Promise<Lab> {
    const slack = await FakeSlack.start();
    const discord = await new FakeDiscord().listen();
    const proxy = await LossyProxy.start(discord.port);
    const lab = new Lab(slack, discord, proxy, new ManualClock(options.now ?? '2026-11-30T08:00:00Z'), options);
    try {
      await lab.boot();
    } catch (error) {
      await lab.close();
      throw error;
    }
    return lab;
  }

  get services(): Services {
    return this.core.services;
  }

  private async boot(): Promise<void> {
    const config = loadSettings({
      PAPERBOT_DB: this.dbPath,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.slack.apiUrl,
      SLACK_PORT: '0',
      DISCORD_TOKEN: this.discord.token,
      DISCORD_APP_ID: this.discord.appId,
      DISCORD_API_URL: this.proxy.apiUrl,
      LOG_LEVEL: 'info',
      ...this.options.env,
    });
    const log = createLogger('info', [BOT_TOKEN, SIGNING_SECRET, this.discord.token], (line) => this.logs.push(line));
    this.core = await createPaperbot({ config, log, clock: this.clock, catalog: this.options.catalog ?? readingCatalog });
    this.slackAdapter = createSlackAdapter({ config: config.slack!, bot: this.core.bot, log, host: '127.0.0.1', maxRateLimitWaitMs: 2000 });
    await this.slackAdapter.start();
    this.core.services.outbox.register(this.slackAdapter);
    // Generous, so a loaded machine never turns an immediate answer into a deferred one.
    this.discordAdapter = createDiscordAdapter({ config: config.discord!, bot: this.core.bot, log, deferAfterMs: 10_000 });
    await this.discordAdapter.start();
    this.core.services.outbox.register(this.discordAdapter);
  }

  private async shutdown(): Promise<void> {
    await this.slackAdapter?.stop().catch(() => {});
    await this.discordAdapter?.stop().catch(() => {});
    this.core?.close();
  }

  /** Stops the adapters and the core, then starts new ones on the same database file and fakes. */
  async restart(): Promise<void> {
    await this.shutdown();
    await this.boot();
  }

  async close(): Promise<void> {
    await this.shutdown();
    await this.proxy.close();
    await this.discord.close();
    await this.slack.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Moves the injected clock and runs the spotlight due-check, as the scheduler does each minute. */
  tick(at: string): Promise<SpotlightPost[]> {
    this.clock.set(at);
    return tick(this.services, this.clock.now());
  }

  /** The reading group's poll `id` as the database holds it. */
  async poll(id: number): Promise<Poll> {
    const poll = await readingStore(this.services.sql).poll(id);
    if (!poll) throw new Error(`no poll #${id}`);
    return poll;
  }

  // ---- Slack ----

  /** A signed `/paper <text>`; resolves with what the user sees: the ack's body, or the response_url post after a late ack. */
  async slackCommand(text: string, who: { userId?: string; channelId?: string; teamId?: string } = {}): Promise<SlackMessage> {
    const responseId = randomUUID();
    const body = slashCommandBody({ text, responseUrl: this.slack.responseUrl(responseId), userId: who.userId, channelId: who.channelId, teamId: who.teamId });
    const res = await this.postToSlackApp(body);
    if (res.status !== 200) throw new Error(`slash command "${text}" got HTTP ${res.status}`);
    const ack = await res.text();
    if (ack.trim()) return JSON.parse(ack) as SlackMessage;
    return (await this.slack.waitForResponses(responseId, 1, 15_000))[0].body as SlackMessage;
  }

  /** A signed block_actions click on `button` of the message `messageTs`; resolves with the response_url post. */
  async slackClick(button: SlackButton, who: { userId: string; channelId?: string; messageTs: string; teamId?: string }): Promise<SlackMessage> {
    const responseId = randomUUID();
    const payload = blockActionPayload({
      actionId: button.action_id,
      value: button.value,
      responseUrl: this.slack.responseUrl(responseId),
      userId: who.userId,
      channelId: who.channelId,
      messageTs: who.messageTs,
      teamId: who.teamId,
    });
    // A click on a message in the channel, not on an ephemeral one.
    (payload.container as Record<string, unknown>).is_ephemeral = false;
    const res = await this.postToSlackApp(blockActionBody(payload));
    if (res.status !== 200) throw new Error(`click on ${button.text.text} got HTTP ${res.status}`);
    return (await this.slack.waitForResponses(responseId, 1, 15_000))[0].body as SlackMessage;
  }

  private postToSlackApp(body: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.slackAdapter.port}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  }

  // ---- Discord ----

  /** `/paper query:<text>` over the gateway; resolves with the interaction callback the bot sent. */
  async discordCommand(text: string, who: Who = {}): Promise<DiscordCallback> {
    const sent = slashCommand(this.discord, text, who);
    return (await this.discordCallback(sent)).body as DiscordCallback;
  }

  /** A click on `customId` of the channel message `message`; resolves with the interaction callback. */
  async discordClick(customId: string, message: { id: string } & DiscordMessage, who: Who): Promise<DiscordCallback> {
    const sent = buttonClick(this.discord, customId, message, who);
    return (await this.discordCallback(sent)).body as DiscordCallback;
  }

  private discordCallback(sent: { id: string; token: string }): Promise<ReceivedRequest> {
    return this.discord.waitFor((r) => r.method === 'POST' && r.path === `/api/v10/interactions/${sent.id}/${sent.token}/callback`, 15_000);
  }

  /** The requests that reached the fake Discord's channel-messages endpoint for `channelId`. */
  discordChannelRequests(channelId: string, method: 'POST' | 'PATCH' = 'POST'): ReceivedRequest[] {
    const prefix = `/api/v10/channels/${channelId}/messages`;
    return this.discord.requests.filter((r) => r.method === method && (method === 'POST' ? r.path === prefix : r.path.startsWith(`${prefix}/`)));
  }
}

// ---- Reading what the platforms show ----

const VOTES = /(?:Votes|votes): (\d+)/;

/** The vote count on each paper of a rendered poll (Slack blocks), in order. */
export function slackVoteCounts(message: SlackMessage): number[] {
  return message.blocks
    .filter((b) => b.type === 'section' && b.text && VOTES.test(b.text.text))
    .map((b) => Number(VOTES.exec(b.text!.text)![1]));
}

export function slackButtons(message: SlackMessage): SlackButton[] {
  return message.blocks.flatMap((b) => (b.accessory ? [b.accessory] : b.type === 'actions' ? (b.elements ?? []) : []));
}

export function slackButton(message: SlackMessage, label: string): SlackButton {
  const found = slackButtons(message).find((b) => b.text.text === label);
  if (!found) throw new Error(`no "${label}" button among ${slackButtons(message).map((b) => b.text.text).join(', ')}`);
  return found;
}

/** Everything a Slack message says, for text assertions. */
export function slackText(message: SlackMessage): string {
  return [message.text ?? '', ...message.blocks.map((b) => b.text?.text ?? '')].join('\n');
}

/** The vote count on each paper of a rendered poll (Discord embeds), in order. */
export function discordVoteCounts(message: DiscordMessage): number[] {
  return (message.embeds ?? []).filter((e) => VOTES.test(e.description ?? '')).map((e) => Number(VOTES.exec(e.description!)![1]));
}

export function discordButton(message: DiscordMessage, label: string): string {
  const buttons = (message.components ?? []).flatMap((row) => row.components);
  const found = buttons.find((b) => b.label === label);
  if (!found?.custom_id) throw new Error(`no "${label}" button among ${buttons.map((b) => b.label).join(', ')}`);
  return found.custom_id;
}

export function discordText(message: DiscordMessage): string {
  return [message.content ?? '', ...(message.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? '', e.footer?.text ?? ''])].join('\n');
}
