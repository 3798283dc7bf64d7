import { DiscordAPIError, REST, Routes } from 'discord.js';
import { note, ok, problem, type Finding } from '../../src/ops/doctor.js';
import { isMissingTable } from '../../src/store/sql/dialect.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';
import { describeClose, fixForClose } from './close-codes.js';
import { ShardLeaseStore } from './shard-leases.js';
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

/**
 * `paperbot doctor` with DISCORD_SHARDS: the shard count the replicas agreed on, who holds each shard,
 * and every shard Discord closed for good, with its fix. Read from the leases the running replicas
 * keep (each replica's /readyz says the same, but only of the moment it is asked on one machine).
 */
export async function checkShards(sql: SqlDatabase, appId: string, now: Date): Promise<Finding[]> {
  const check = 'Discord shards';
  let leases: ShardLeaseStore;
  let generation: Awaited<ReturnType<ShardLeaseStore['generation']>>;
  try {
    leases = new ShardLeaseStore(sql, appId, 'doctor');
    generation = await leases.generation();
  } catch (error) {
    // No lease table yet: no replica has started with DISCORD_SHARDS on this database.
    if (isMissingTable(error)) return [note(check, 'no replica has leased a shard yet; the first start with DISCORD_SHARDS does')];
    throw error;
  }
  if (!generation) return [note(check, 'no replica has leased a shard yet; the first start with DISCORD_SHARDS does')];
  const survey = await leases.survey(now.toISOString());
  const current = survey.leases.filter((l) => l.generation === generation.generation);
  const held = current.filter((l) => l.holder);
  const closed = current.filter((l) => l.closedCode !== null);
  const unheld = Array.from({ length: generation.shardCount }, (_, id) => id).filter((id) => !current.some((l) => l.shardId === id));
  const findings: Finding[] = [
    (unheld.length > 0 ? note : ok)(
      check,
      `${generation.shardCount} shard(s) (generation ${generation.generation}, ${survey.liveReplicas} replica(s) alive); ` +
        (held.length ? held.map((l) => `shard ${l.shardId} on ${l.holder}`).join(', ') : 'none held') +
        (unheld.length ? `; not held now: ${unheld.join(', ')} (a running replica takes each within a lease)` : ''),
    ),
  ];
  for (const shard of closed) {
    const code = shard.closedCode ?? 0;
    findings.push(problem(check, `shard ${shard.shardId} was closed by Discord with ${describeClose(code)} at ${shard.closedAt}; the replicas try again after ${shard.expiresAt}`, fixForClose(code)));
  }
  return findings;
}
