import { ConfigError } from '../../src/errors.js';

/** What start-up and registration say when Discord answers 401. */
export function tokenRejected(): ConfigError {
  return new ConfigError('Discord rejected DISCORD_TOKEN. Copy a fresh bot token from the Discord developer portal (your application → Bot → Reset Token).');
}

/**
 * discord.js wants the API root without a version (`https://discord.com/api`); DISCORD_API_URL may be
 * written with a trailing slash or `/v10`.
 */
export function restBase(apiUrl: string | undefined): string | undefined {
  if (!apiUrl) return undefined;
  return apiUrl.replace(/\/+$/, '').replace(/\/v\d+$/, '');
}
