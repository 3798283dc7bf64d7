import { DiscordAPIError, REST, Routes } from 'discord.js';
import type { DiscordConfig } from './settings.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { COMMANDS } from './command.js';
import { restBase, tokenRejected } from './api.js';

export type RegisterResult = { changed: boolean; summary: string };

type CommandJson = Record<string, unknown> & { name: string };

/**
 * Registers `/paper` with Discord: to one server when DISCORD_GUILD_ID is set (takes effect at once),
 * globally otherwise. Reads what is registered first and overwrites the list only when it differs,
 * so running it twice changes nothing. `summary` says what changed, one line per command.
 */
export async function registerCommands(config: DiscordConfig, log: Logger): Promise<RegisterResult> {
  const api = restBase(config.apiUrl);
  const rest = new REST({ version: '10', ...(api ? { api } : {}) }).setToken(config.token);
  const route = config.guildId ? Routes.applicationGuildCommands(config.appId, config.guildId) : Routes.applicationCommands(config.appId);
  const scope = config.guildId ? `server ${config.guildId}` : 'all servers (global; may take up to an hour to appear)';

  try {
    const existing = (await rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) })) as CommandJson[];
    const changes = describeChanges(existing, COMMANDS as CommandJson[]);
    if (changes.length === 0) {
      const summary = `Discord commands for ${scope}: no change (${COMMANDS.map((c) => `/${c.name}`).join(', ')} up to date).`;
      log.debug(summary);
      return { changed: false, summary };
    }
    await rest.put(route, { body: COMMANDS });
    const summary = [`Discord commands for ${scope}:`, ...changes.map((c) => `  ${c}`)].join('\n');
    log.debug(summary);
    return { changed: true, summary };
  } catch (error) {
    throw explain(error, config);
  }
}

/** One line per difference: `created /paper`, `updated /paper (description, options)`, `removed /old`. */
function describeChanges(existing: CommandJson[], wanted: CommandJson[]): string[] {
  const lines: string[] = [];
  const byName = new Map(existing.map((c) => [c.name, c]));
  for (const command of wanted) {
    const current = byName.get(command.name);
    if (!current) {
      lines.push(`created /${command.name}`);
      continue;
    }
    const differing = Object.keys(command).filter((key) => !sameValue(normalize(key, command[key]), normalize(key, current[key])));
    if (differing.length) lines.push(`updated /${command.name} (${differing.join(', ')})`);
  }
  const wantedNames = new Set(wanted.map((c) => c.name));
  for (const c of existing) if (!wantedNames.has(c.name)) lines.push(`removed /${c.name}`);
  return lines;
}

/** Discord leaves out false flags and empty lists in what it returns; compare with those filled in. */
function normalize(key: string, value: unknown): unknown {
  if (key === 'options' && Array.isArray(value)) {
    return value.map((o: Record<string, unknown>) => ({
      ...o,
      required: o.required ?? false,
      autocomplete: o.autocomplete ?? false,
      description_localizations: o.description_localizations ?? null,
      name_localizations: o.name_localizations ?? null,
    }));
  }
  if (key.endsWith('_localizations')) return value ?? null;
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

function explain(error: unknown, config: DiscordConfig): Error {
  if (!(error instanceof DiscordAPIError)) return error as Error;
  if (error.status === 401) return tokenRejected();
  if (error.status === 403 && config.guildId) {
    return new ConfigError(
      `Discord refused to register commands in server ${config.guildId} (DISCORD_GUILD_ID). Invite the bot there with the applications.commands scope (see adapters/discord/README.md), or check the id.`,
    );
  }
  if (error.status === 403 || error.status === 404) {
    return new ConfigError(`Discord does not know application ${config.appId}: DISCORD_APP_ID must be the Application ID of the bot whose token is in DISCORD_TOKEN.`);
  }
  return error;
}
