import type { Adapter } from '../src/adapter.js';
import type { Paperbot } from '../src/app.js';
import type { Logger } from '../src/log.js';
import type { DiscordConfig } from '../src/config.js';

/**
 * Starts every chat adapter whose settings are present and registers it for unprompted posts.
 * Loaded lazily by the CLI, so a search from the command line never loads a chat client.
 */
export async function startPlatformAdapters(paperbot: Paperbot, log: Logger): Promise<Adapter[]> {
  const { config, outbox } = paperbot.services;
  const started: Adapter[] = [];
  if (config.slack) {
    const { createSlackAdapter } = await import('./slack/index.js');
    const slack = createSlackAdapter({ config: config.slack, bot: paperbot.bot, log });
    await slack.start();
    outbox.register(slack);
    started.push(slack);
    log.info(`slack adapter started (${config.slack.appToken ? 'Socket Mode' : `HTTP on port ${config.slack.port}`})`);
  }
  if (config.discord) {
    const { createDiscordAdapter } = await import('./discord/index.js');
    const discord = createDiscordAdapter({ config: config.discord, bot: paperbot.bot, log });
    await discord.start();
    outbox.register(discord);
    started.push(discord);
    log.info('discord adapter started');
  }
  return started;
}

export async function registerDiscordCommands(config: DiscordConfig, log: Logger): Promise<string> {
  const { registerCommands } = await import('./discord/register.js');
  const result = await registerCommands(config, log);
  return result.summary;
}

export { ConsoleAdapter, CONSOLE_CHANNEL } from './console/index.js';
export { renderConsole } from './console/render.js';
