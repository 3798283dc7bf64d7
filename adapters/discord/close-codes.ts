/**
 * The gateway close codes after which discord.js does not resume or reconnect (its
 * UNRECOVERABLE_CLOSE_CODES, read in discord.js 14.28's WebSocketManager: it emits `shardDisconnect`
 * with the code and leaves the shard closed; at login the same close rejects `login()` with
 * @discordjs/ws's plain "Used disallowed intents"-style Error, after the `shardDisconnect`). For each:
 * what it means and what the operator should do.
 *
 * `reshard`: the code says the shard count is wrong (4010 a shard the count does not allow, 4011 too
 * few shards for the bot's servers), so the fix is a new count rather than waiting.
 */
const CLOSED_FOR_GOOD: Record<number, { name: string; fix: string; reshard?: 'recommended' | 'more' }> = {
  4004: {
    name: 'authentication failed',
    fix: 'Discord rejected DISCORD_TOKEN: copy a fresh bot token from the developer portal (your application → Bot → Reset Token) into DISCORD_TOKEN on every replica, and restart them',
  },
  4010: {
    name: 'invalid shard',
    fix: 'the shard id or count sent was not accepted; with DISCORD_SHARDS=auto the replicas take the count Discord recommends, otherwise set DISCORD_SHARDS=auto or a count Discord accepts',
    reshard: 'recommended',
  },
  4011: {
    name: 'sharding required',
    fix: 'the bot is in too many servers for this shard count; with DISCORD_SHARDS=auto the replicas move to a larger count, otherwise set DISCORD_SHARDS=auto or a larger number on every replica',
    reshard: 'more',
  },
  4012: {
    name: 'invalid API version',
    fix: "Discord no longer accepts this discord.js's gateway version: update discord.js and redeploy",
  },
  4013: {
    name: 'invalid intents',
    fix: 'the intents paperbot sent are not a valid bitfield: a bug in the adapter (adapters/discord/index.ts, the Client intents); report it',
  },
  4014: {
    name: 'disallowed intents',
    fix: 'the bot asked for a privileged intent its application may not use: enable it in the developer portal (your application → Bot → Privileged Gateway Intents), or, for a verified bot, apply for it',
  },
};

/** True for a close code after which discord.js leaves the shard closed. */
export function closedForGood(code: number): boolean {
  return code in CLOSED_FOR_GOOD;
}

/** `4014 (disallowed intents)`: the code and its name, for logs and /readyz. */
export function describeClose(code: number): string {
  const known = CLOSED_FOR_GOOD[code];
  return known ? `${code} (${known.name})` : String(code);
}

/** What to do about a close code, for the error logged when it happens. */
export function fixForClose(code: number): string {
  return CLOSED_FOR_GOOD[code]?.fix ?? 'see Discord’s gateway close codes';
}

/** Whether the code asks for another shard count: Discord's recommended one, or more than now. */
export function reshardForClose(code: number): 'recommended' | 'more' | undefined {
  return CLOSED_FOR_GOOD[code]?.reshard;
}

/** A shard's session that Discord closed with a code discord.js does not come back from. */
export class GatewayClosedError extends Error {
  constructor(readonly code: number) {
    super(`Discord closed the gateway session with ${describeClose(code)}: ${fixForClose(code)}`);
    this.name = 'GatewayClosedError';
  }
}
