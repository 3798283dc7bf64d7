import { httpUrl, settingReader, urlSecrets, wholeNumber, type Env } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

export type DiscordConfig = {
  token: string;
  appId: string;
  guildId?: string;
  apiUrl?: string;
  /**
   * DISCORD_SHARDS: the gateway's shards spread over the replicas on one database, each shard held
   * by one replica at a time through a lease. Absent: one process connects the gateway alone, as
   * a single bot always has.
   */
  shards?: ShardSettings;
};

type ShardSettings = {
  /** `auto`: the count Discord recommends (GET /gateway/bot); a number: exactly that many. */
  count: 'auto' | number;
  /** How long a shard's lease lasts unrenewed: how soon another replica takes over a dead one's shards. */
  leaseMs: number;
};

/** Discord allows far fewer shards than this; a larger number is a typo. */
const MAX_SHARDS = 4096;
const DEFAULT_LEASE_SECONDS = 30;

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
  return { token, appId, guildId, apiUrl: httpUrl(get('DISCORD_API_URL'), 'DISCORD_API_URL'), shards: readShardSettings(get) };
}

function readShardSettings(get: (name: string) => string | undefined): ShardSettings | undefined {
  const raw = get('DISCORD_SHARDS');
  const leaseRaw = get('DISCORD_SHARD_LEASE_SECONDS');
  if (raw === undefined) {
    if (leaseRaw !== undefined) {
      throw new ConfigError('DISCORD_SHARD_LEASE_SECONDS is set but DISCORD_SHARDS is not. Set DISCORD_SHARDS=auto to spread the gateway\'s shards over the replicas, or unset DISCORD_SHARD_LEASE_SECONDS.');
    }
    return undefined;
  }
  let count: 'auto' | number;
  if (raw.toLowerCase() === 'auto') count = 'auto';
  else if (/^[0-9]{1,5}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_SHARDS) count = Number(raw);
  else {
    throw new ConfigError(
      `DISCORD_SHARDS must be auto (the shard count Discord recommends) or a whole number of shards from 1 to ${MAX_SHARDS}; got "${raw}". Unset it to run one process on the gateway alone.`,
    );
  }
  // At least 10 s: a lease is renewed three times in its span, and a shorter one would hand shards over on a slow query.
  const leaseSeconds = wholeNumber(leaseRaw, DEFAULT_LEASE_SECONDS, 'DISCORD_SHARD_LEASE_SECONDS', 10, 600);
  return { count, leaseMs: leaseSeconds * 1000 };
}

/** What the logger must mask. */
export function discordSecrets(config: DiscordConfig): string[] {
  return [config.token, ...urlSecrets(config.apiUrl)];
}
