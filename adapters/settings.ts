import { coreSecrets, loadConfig, type Config, type Env } from '../src/config.js';
import { discordSecrets, readDiscordSettings, type DiscordConfig } from './discord/settings.js';
import { readSlackSettings, slackSecrets, type SlackConfig } from './slack/settings.js';

/** The core's settings and those of every platform whose settings are present. */
export type Settings = Config & { slack?: SlackConfig; discord?: DiscordConfig };

/**
 * Reads every setting once, the core's first, then each adapter's own (declared and validated in
 * `adapters/<platform>/settings.ts`). A new platform adds its reader here.
 */
export function loadSettings(env: Env = process.env): Settings {
  return { ...loadConfig(env), slack: readSlackSettings(env), discord: readDiscordSettings(env) };
}

/** The secrets in the settings, for the logger to mask. */
export function secretsOf(settings: Settings): string[] {
  const secrets = [...coreSecrets(settings), ...(settings.slack ? slackSecrets(settings.slack) : []), ...(settings.discord ? discordSecrets(settings.discord) : [])];
  return secrets.filter((s): s is string => Boolean(s));
}
