import { afterEach, describe, expect, it } from 'vitest';
import { registerCommands } from '../../adapters/discord/register.js';
import type { DiscordConfig } from '../../adapters/discord/settings.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { FakeDiscord } from '../fakes/discord.js';
import { GUILD_ID } from '../fakes/discord-interactions.js';

let fake: FakeDiscord | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(guildId?: string): Promise<DiscordConfig> {
  fake = await new FakeDiscord().listen();
  return { token: fake.token, appId: fake.appId, guildId, apiUrl: `${fake.apiUrl}/v10/` };
}

describe('registering /paper with Discord (npm run register)', () => {
  it('GIVEN a guild id THEN the first run creates /paper in that server and the second reports no change', async () => {
    const config = await setup(GUILD_ID);
    const first = await registerCommands(config, silentLogger);
    expect(first.changed).toBe(true);
    expect(first.summary).toContain('created /paper');
    expect(first.summary).toContain(GUILD_ID);
    const stored = fake!.commands.get(GUILD_ID)!;
    expect(stored.map((c) => c.name)).toEqual(['paper']);
    const [query] = stored[0].options as { name: string; type: number; required: boolean; autocomplete: boolean }[];
    expect(query).toMatchObject({ name: 'query', type: 3, required: true, autocomplete: true });
    expect(fake!.commands.has('global')).toBe(false);

    const second = await registerCommands(config, silentLogger);
    expect(second).toEqual({ changed: false, summary: expect.stringContaining('no change') });
    expect(fake!.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(fake!.requests.every((r) => r.authorized)).toBe(true);
    expect(fake!.violations).toEqual([]);
  });

  it('GIVEN no guild id THEN it registers globally', async () => {
    const config = await setup();
    const result = await registerCommands(config, silentLogger);
    expect(result.summary).toContain('global');
    expect(fake!.commands.get('global')?.map((c) => c.name)).toEqual(['paper']);
  });

  it('says which fields changed and which stale commands it removed', async () => {
    const config = await setup(GUILD_ID);
    await registerCommands(config, silentLogger);
    const list = fake!.commands.get(GUILD_ID)!;
    list[0].description = 'an older description';
    list.push({ id: '1', name: 'oldpaper', description: 'gone', type: 1 });
    const result = await registerCommands(config, silentLogger);
    expect(result.changed).toBe(true);
    expect(result.summary).toContain('updated /paper (description)');
    expect(result.summary).toContain('removed /oldpaper');
    expect(fake!.commands.get(GUILD_ID)!.map((c) => c.name)).toEqual(['paper']);
  });

  it('GIVEN a wrong token THEN it fails with a message naming DISCORD_TOKEN and not showing the token', async () => {
    const config = await setup(GUILD_ID);
    const error = await registerCommands({ ...config, token: 'wrong-token-value-123' }, silentLogger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('DISCORD_TOKEN');
    expect((error as Error).message).not.toContain('wrong-token-value-123');
  });
});
