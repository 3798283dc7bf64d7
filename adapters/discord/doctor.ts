import { DiscordAPIError, REST, Routes } from 'discord.js';
import { ok, problem, type Finding } from '../../src/ops/doctor.js';
import { restBase } from './api.js';
import { COMMANDS } from './command.js';
import { describeChanges, type CommandJson } from './register.js';
import type { DiscordConfig } from './settings.js';

/**
 * `paperbot doctor` for Discord: the token against the current application (whose id must be
 * DISCORD_APP_ID), then the registered commands against the code's definition.
 */
export async function checkDiscord(config: DiscordConfig): Promise<Finding[]> {
  const api = restBase(config.apiUrl);
  const rest = new REST({ version: '10', retries: 0, timeout: 10_000, ...(api ? { api } : {}) }).setToken(config.token);
  let application: { id: string; name?: string };
  try {
    application = (await rest.get(Routes.currentApplication())) as { id: string; name?: string };
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) {
      return [problem('Discord DISCORD_TOKEN', 'Discord rejected it', 'copy a fresh bot token from the developer portal (your application → Bot → Reset Token)')];
    }
    return [problem('Discord DISCORD_TOKEN', `could not reach Discord (${error instanceof Error ? error.message : String(error)})`, 'check the network, or DISCORD_API_URL if set')];
  }
  const findings: Finding[] = [ok('Discord DISCORD_TOKEN', `works (application ${application.name ?? application.id})`)];
  if (application.id !== config.appId) {
    findings.push(problem('Discord DISCORD_APP_ID', `is ${config.appId}, but the token belongs to application ${application.id}`, `set DISCORD_APP_ID=${application.id}`));
    return findings;
  }
  const route = config.guildId ? Routes.applicationGuildCommands(config.appId, config.guildId) : Routes.applicationCommands(config.appId);
  const scope = config.guildId ? `server ${config.guildId}` : 'global';
  try {
    const registered = (await rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) })) as CommandJson[];
    const changes = describeChanges(registered, COMMANDS as CommandJson[]);
    if (changes.length === 0) findings.push(ok('Discord command', `/${COMMANDS.map((c) => c.name).join(', /')} registered (${scope}) as the code defines it`));
    else findings.push(problem('Discord command', `registered commands (${scope}) differ from the code: ${changes.join('; ')}`, 'run npm run register'));
  } catch (error) {
    const detail = error instanceof DiscordAPIError ? `Discord answered ${error.status}` : String(error);
    findings.push(problem('Discord command', `could not read the registered commands (${scope}): ${detail}`, config.guildId ? 'check DISCORD_GUILD_ID and that the bot is in that server' : undefined));
  }
  return findings;
}
