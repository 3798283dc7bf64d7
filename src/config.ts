import { ConfigError } from './errors.js';
import type { LogLevel } from './log.js';
import { DEFAULT_SOURCE_URLS, type SourceSettings } from './catalog/sources/resolve.js';

export type SlackConfig = {
  botToken: string;
  /** Socket Mode when set; HTTP mode otherwise. */
  appToken?: string;
  signingSecret?: string;
  port: number;
  apiUrl?: string;
  /** Who may change a channel's spotlight; empty means anyone. */
  adminUsers: string[];
};

export type DiscordConfig = {
  token: string;
  appId: string;
  guildId?: string;
  apiUrl?: string;
};

export type Config = {
  /** SQLite file for spotlight and reading-group state. */
  dbPath: string;
  /** Extra catalog sources (markdown lists in the bundled format, BibTeX files), after the bundled ones. */
  extraSources: string[];
  logLevel: LogLevel;
  spotlight: { timezone: string; graceHours: number };
  /** Where papers are resolved (arXiv, Crossref, NCBI, OpenAlex) and who we say we are. */
  sources: SourceSettings;
  feeds: FeedsConfig;
  slack?: SlackConfig;
  discord?: DiscordConfig;
};

/** How feeds are read (their sources' URLs are in SourceSettings). */
export type FeedsConfig = {
  /** PAPERBOT_ALLOW_PRIVATE_FEEDS: feed URLs may reach private addresses (an intranet feed, tests). */
  allowPrivate: boolean;
  pollMinutes: number;
  timeoutMs: number;
};

type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * Reads the environment once into a typed, validated object (as probot's readEnvOptions). Tests
 * pass their own object. Every failure names the variable and how to fix it.
 */
export function loadConfig(env: Env = process.env): Config {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  const logLevel = (get('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${env.LOG_LEVEL}".`);
  }

  const timezone = get('SPOTLIGHT_TIMEZONE') ?? 'UTC';
  if (!isTimeZone(timezone)) {
    throw new ConfigError(
      `SPOTLIGHT_TIMEZONE "${timezone}" is not an IANA time zone. Use a name such as Europe/Berlin, Asia/Shanghai or UTC.`,
    );
  }
  const graceHours = number(get('SPOTLIGHT_GRACE_HOURS'), 24, 'SPOTLIGHT_GRACE_HOURS', 0, 24 * 14);

  const config: Config = {
    dbPath: get('PAPERBOT_DB') ?? 'paperbot.db',
    extraSources: commaList(get('PAPERBOT_SOURCES')),
    logLevel,
    spotlight: { timezone, graceHours },
    sources: sourceSettings(get),
    feeds: {
      allowPrivate: flag(get('PAPERBOT_ALLOW_PRIVATE_FEEDS'), 'PAPERBOT_ALLOW_PRIVATE_FEEDS'),
      pollMinutes: number(get('FEEDS_POLL_MINUTES'), 60, 'FEEDS_POLL_MINUTES', 5, 24 * 60),
      timeoutMs: number(get('FEEDS_TIMEOUT_SECONDS'), 20, 'FEEDS_TIMEOUT_SECONDS', 1, 300) * 1000,
    },
  };

  const slackVars = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'].filter(get);
  if (slackVars.length > 0) config.slack = slackConfig(get);

  const discordToken = get('DISCORD_TOKEN');
  const discordAppId = get('DISCORD_APP_ID');
  if (discordToken || discordAppId) {
    if (!discordToken) {
      throw new ConfigError(
        'DISCORD_APP_ID is set but DISCORD_TOKEN is not. Copy the bot token from the Discord developer portal (your application → Bot → Reset Token) into DISCORD_TOKEN, or unset DISCORD_APP_ID to run without Discord.',
      );
    }
    if (!discordAppId) {
      throw new ConfigError(
        'DISCORD_TOKEN is set but DISCORD_APP_ID is not. Copy the Application ID from the Discord developer portal (your application → General Information) into DISCORD_APP_ID.',
      );
    }
    if (!/^\d{15,25}$/.test(discordAppId)) {
      throw new ConfigError(`DISCORD_APP_ID must be the numeric Application ID (a snowflake); got "${discordAppId}".`);
    }
    const guildId = get('DISCORD_GUILD_ID');
    if (guildId && !/^\d{15,25}$/.test(guildId)) {
      throw new ConfigError(
        `DISCORD_GUILD_ID must be a numeric server id (enable Developer Mode, right-click the server → Copy Server ID); got "${guildId}".`,
      );
    }
    config.discord = { token: discordToken, appId: discordAppId, guildId, apiUrl: url(get('DISCORD_API_URL'), 'DISCORD_API_URL') };
  }
  return config;
}

function slackConfig(get: (name: string) => string | undefined): SlackConfig {
  const botToken = get('SLACK_BOT_TOKEN');
  const appToken = get('SLACK_APP_TOKEN');
  const signingSecret = get('SLACK_SIGNING_SECRET');
  if (!botToken) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is required to run on Slack. Install the app to your workspace and copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.',
    );
  }
  if (!botToken.startsWith('xoxb-')) {
    throw new ConfigError('SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (OAuth & Permissions → Bot User OAuth Token).');
  }
  if (appToken && !appToken.startsWith('xapp-')) {
    throw new ConfigError(
      'SLACK_APP_TOKEN must be an app-level token starting with "xapp-" with the connections:write scope (Basic Information → App-Level Tokens).',
    );
  }
  if (!appToken && !signingSecret) {
    throw new ConfigError(
      'Slack needs either SLACK_APP_TOKEN (Socket Mode, no public URL needed) or SLACK_SIGNING_SECRET (HTTP mode; Basic Information → Signing Secret).',
    );
  }
  return {
    botToken,
    appToken,
    signingSecret,
    port: number(get('SLACK_PORT'), 3000, 'SLACK_PORT', 0, 65535),
    apiUrl: url(get('SLACK_API_URL'), 'SLACK_API_URL'),
    adminUsers: commaList(get('SLACK_ADMIN_USERS')),
  };
}

function flag(raw: string | undefined, name: string): boolean {
  if (raw === undefined) return false;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}".`);
}

function sourceSettings(get: (name: string) => string | undefined): SourceSettings {
  const contactEmail = get('PAPERBOT_CONTACT_EMAIL');
  if (contactEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contactEmail)) {
    throw new ConfigError(
      `PAPERBOT_CONTACT_EMAIL must be an e-mail address (sent to arXiv, Crossref and NCBI so they can reach the lab); got "${contactEmail}".`,
    );
  }
  const ncbiApiKey = get('NCBI_API_KEY');
  if (ncbiApiKey && !/^[A-Za-z0-9]{20,64}$/.test(ncbiApiKey)) {
    throw new ConfigError('NCBI_API_KEY must be the key from your NCBI account settings (letters and digits), or empty.');
  }
  return {
    arxivApiUrl: url(get('ARXIV_API_URL'), 'ARXIV_API_URL') ?? DEFAULT_SOURCE_URLS.arxivApiUrl,
    crossrefApiUrl: (url(get('CROSSREF_API_URL'), 'CROSSREF_API_URL') ?? DEFAULT_SOURCE_URLS.crossrefApiUrl).replace(/\/+$/, ''),
    ncbiEutilsUrl: (url(get('NCBI_EUTILS_URL'), 'NCBI_EUTILS_URL') ?? DEFAULT_SOURCE_URLS.ncbiEutilsUrl).replace(/\/+$/, ''),
    openalexApiUrl: (url(get('OPENALEX_API_URL'), 'OPENALEX_API_URL') ?? DEFAULT_SOURCE_URLS.openalexApiUrl).replace(/\/+$/, ''),
    contactEmail,
    ncbiApiKey,
    openalexApiKey: get('OPENALEX_API_KEY'),
  };
}

function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function number(raw: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return n;
}

function url(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    return raw;
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL such as http://127.0.0.1:8080/api/; got "${raw}".`);
  }
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The secrets in a config, for the logger to mask. */
export function secretsOf(config: Config): string[] {
  return [
    config.slack?.botToken,
    config.slack?.appToken,
    config.slack?.signingSecret,
    config.discord?.token,
    config.sources.ncbiApiKey,
    config.sources.openalexApiKey,
  ].filter(
    (s): s is string => Boolean(s),
  );
}
