import { httpUrl, settingReader, urlSecrets, type Env } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

export type DiscordConfig = {
  token: string;
  appId: string;
  guildId?: string;
  apiUrl?: string;
};

const SNOWFLAKE = /^\d{15,25}$/;

/**
 * Discord's settings, validated: undefined when neither DISCORD_TOKEN nor DISCORD_APP_ID is set
 * (Discord is not used), a ConfigError naming the variable and the fix when one is missing or malformed.
 */
export function readDiscordSettings(env: Env): DiscordConfig | undefined {
  const get = settingReader(env);
  const token = get('DISCORD_TOKEN');
  const appId = get('DISCORD_APP_ID');
  if (!token && !appId) return undefined;
  if (!token) {
    throw new ConfigError(
      'DISCORD_APP_ID is set but DISCORD_TOKEN is not. Copy the bot token from the Discord developer portal (your application → Bot → Reset Token) into DISCORD_TOKEN, or unset DISCORD_APP_ID to run without Discord.',
    );
  }
  if (!appId) {
    throw new ConfigError(
      'DISCORD_TOKEN is set but DISCORD_APP_ID is not. Copy the Application ID from the Discord developer portal (your application → General Information) into DISCORD_APP_ID.',
    );
  }
  if (!SNOWFLAKE.test(appId)) {
    throw new ConfigError(`DISCORD_APP_ID must be the numeric Application ID (a snowflake); got "${appId}".`);
  }
  const guildId = get('DISCORD_GUILD_ID');
  if (guildId && !SNOWFLAKE.test(guildId)) {
    throw new ConfigError(
      `DISCORD_GUILD_ID must be a numeric server id (enable Developer Mode, right-click the server → Copy Server ID); got "${guildId}".`,
    );
  }
  return { token, appId, guildId, apiUrl: httpUrl(get('DISCORD_API_URL'), 'DISCORD_API_URL') };
}

/** What the logger must mask. */
export function discordSecrets(config: DiscordConfig): string[] {
  return [config.token, ...urlSecrets(config.apiUrl)];
}
