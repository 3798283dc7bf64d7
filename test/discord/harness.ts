import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/index.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import type { Bot } from '../../src/bot.js';
import type { Catalog } from '../../src/catalog/index.js';
import { loadSettings, type Settings } from '../../adapters/settings.js';
import { createLogger, type Logger } from '../../src/log.js';
import { FakeDiscord, type ReceivedRequest } from '../fakes/discord.js';
import type { SentInteraction } from '../fakes/discord-interactions.js';
import { tempDbPath } from '../helpers/temp-db.js';

export type DiscordHarness = {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  paperbot: Paperbot;
  config: Settings;
  /** Every line the adapter and core logged, token masked as in production. */
  logs: string[];
  /** The interaction callback the bot sent for `sent` (waits for it). */
  callbackFor(sent: SentInteraction, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
};

export type HarnessOptions = {
  catalog?: Catalog;
  /** Wraps the real bot, e.g. to slow it down or make it fail. */
  wrapBot?: (bot: Bot) => Bot;
  /**
   * Defaults to 10 s here, so a loaded test machine never turns an immediate answer into a deferred
   * one; the deferral tests set it low.
   */
  deferAfterMs?: number;
  env?: Record<string, string>;
};

/**
 * A real core (catalog, search, SQLite in a temporary folder) and the real discord.js client,
 * connected over 127.0.0.1 to the fake Discord.
 */
export async function startDiscordHarness(options: HarnessOptions = {}): Promise<DiscordHarness> {
  const fake = await new FakeDiscord().listen();
  const db = tempDbPath();
  const config = loadSettings({
    PAPERBOT_DB: db.dbPath,
    DISCORD_TOKEN: fake.token,
    DISCORD_APP_ID: fake.appId,
    DISCORD_API_URL: fake.apiUrl,
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: string[] = [];
  const log: Logger = createLogger('debug', [fake.token], (line) => logs.push(line));
  const paperbot = await createPaperbot({ config, log, catalog: options.catalog });
  const bot = options.wrapBot ? options.wrapBot(paperbot.bot) : paperbot.bot;
  const adapter = createDiscordAdapter({ config: config.discord!, bot, log, deferAfterMs: options.deferAfterMs ?? 10_000 });
  await adapter.start();
  paperbot.services.outbox.register(adapter);

  return {
    fake,
    adapter,
    paperbot,
    config,
    logs,
    callbackFor: (sent, timeoutMs) => fake.waitFor((r) => r.method === 'POST' && r.path === `/api/v10/interactions/${sent.id}/${sent.token}/callback`, timeoutMs),
    async close() {
      await adapter.stop();
      await fake.close();
      paperbot.close();
      db.cleanup();
    },
  };
}

type Body = {
  type?: number;
  data?: MessageBody & { choices?: { name: string; value: string }[] };
} & MessageBody;

export type MessageBody = {
  content?: string;
  flags?: number;
  embeds?: { title?: string; url?: string; description?: string; footer?: { text?: string } }[];
  components?: { type: number; components: { type: number; custom_id?: string; label?: string; style?: number }[] }[];
  allowed_mentions?: { parse?: string[] };
};

export function bodyOf(request: ReceivedRequest): Body {
  return request.body as Body;
}

export function buttonsOf(message: MessageBody) {
  return (message.components ?? []).flatMap((row) => row.components);
}
