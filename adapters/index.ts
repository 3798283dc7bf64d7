import type { Adapter } from '../src/adapter.js';
import type { Paperbot } from '../src/app.js';
import type { Logger } from '../src/log.js';
import type { DiscordConfig } from './discord/settings.js';
import type { Settings } from './settings.js';

export type StartOptions = {
  /**
   * False: the adapters only post (Web API and REST calls) and receive nothing: no HTTP port, no
   * Socket Mode connection, no gateway session. A one-shot `paperbot spotlight tick` from system
   * cron needs no more, and must not take the port of a bot running beside it.
   */
  receive?: boolean;
};

/**
 * Starts every chat adapter whose settings are present and registers it for unprompted posts. The
 * chat clients are imported only here, so a search from the command line never loads one.
 */
export async function startPlatformAdapters(
  paperbot: Paperbot,
  config: Settings,
  log: Logger,
  { receive = true }: StartOptions = {},
): Promise<Adapter[]> {
  const { outbox } = paperbot.services;
  const started: Adapter[] = [];
  const begin = async (adapter: Adapter, description: string) => {
    started.push(adapter);
    if (receive) await adapter.start();
    outbox.register(adapter);
    log.info(receive ? `${adapter.platform} adapter started (${description})` : `${adapter.platform} adapter ready to post`);
  };
  try {
    if (config.slack) {
      const { createSlackAdapter } = await import('./slack/index.js');
      await begin(createSlackAdapter({ config: config.slack, bot: paperbot.bot, log }), config.slack.appToken ? 'Socket Mode' : 'HTTP');
    }
    if (config.discord) {
      const { createDiscordAdapter } = await import('./discord/index.js');
      await begin(createDiscordAdapter({ config: config.discord, bot: paperbot.bot, log }), 'gateway');
    }
  } catch (error) {
    // One adapter failing to start must not leave the others running (an open port keeps the process alive).
    await Promise.allSettled(started.map((adapter) => adapter.stop()));
    for (const adapter of started) outbox.unregister(adapter.platform);
    throw error;
  }
  return started;
}

export async function registerDiscordCommands(config: DiscordConfig, log: Logger): Promise<string> {
  const { registerCommands } = await import('./discord/register.js');
  const result = await registerCommands(config, log);
  return result.summary;
}
