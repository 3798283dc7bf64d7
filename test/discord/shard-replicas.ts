import { afterAll, beforeAll, expect } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/index.js';
import { loadSettings } from '../../adapters/settings.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { FakeDiscord, type FakeDiscordOptions } from '../fakes/discord.js';
import { guildOnShard, slashCommand, type SentInteraction } from '../fakes/discord-interactions.js';
import { freshDatabase, type Engine, type FreshDatabase } from '../helpers/engines.js';
import { segmentationCatalog } from './catalog.js';
import { bodyOf } from './harness.js';

/**
 * The longest lease the setting allows: its renewal timer (every 200 s of real time) never fires
 * during a test, so the rounds are the ones the test runs, on the manual clock.
 */
export const LEASE_SECONDS = 600;

export type Replica = {
  name: string;
  paperbot: Paperbot;
  adapter: DiscordAdapter;
  /** The channels of the commands this replica's bot answered, in order. */
  answered: string[];
  logs: string[];
};

/** A channel id per test interaction, so the replica that answered it can be told from its bot's record. */
let nextChannel = 900_000_000_000_000_000n;
const freshChannel = () => (nextChannel++).toString();

/**
 * Replicas of the bot with DISCORD_SHARDS on one database of `engine` against one fake Discord, each
 * with its own core and store pool, as separate processes would have; set up before the describe's
 * tests and checked after them: no request broke Discord's schema and no shard was ever identified
 * while another session held it (or held a shard of another count).
 */
export function useShardReplicas(engine: Engine, fakeOptions: FakeDiscordOptions) {
  const clock = new ManualClock('2026-12-01T10:00:00Z');
  const replicas: Replica[] = [];
  const sent: SentInteraction[] = [];
  let fake!: FakeDiscord;
  let db!: FreshDatabase;

  beforeAll(async () => {
    fake = await new FakeDiscord(fakeOptions).listen();
    db = await freshDatabase(engine);
  });

  afterAll(async () => {
    for (const r of replicas) {
      await r.adapter.stop();
      await r.paperbot.close().catch(() => {});
    }
    await fake.close();
    await db.cleanup();
    expect(fake.violations).toEqual([]);
    expect(fake.responseViolations).toEqual([]);
    expect(fake.shardClashes).toEqual([]);
  });

  return {
    clock,
    replicas,
    sent,
    get fake() {
      return fake;
    },

    async startReplica(name: string, env: Record<string, string> = {}): Promise<Replica> {
      const config = loadSettings({
        ...db.env,
        DISCORD_TOKEN: fake.token,
        DISCORD_APP_ID: fake.appId,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_SHARDS: 'auto',
        DISCORD_SHARD_LEASE_SECONDS: String(LEASE_SECONDS),
        ...env,
      });
      const logs: string[] = [];
      const log = createLogger('info', [fake.token], (line) => logs.push(`${name}: ${line}`));
      const answered: string[] = [];
      const paperbot = await createPaperbot({
        config,
        log,
        clock,
        catalog: segmentationCatalog(),
        hooks: { onHandled: ({ invocation }) => answered.push(invocation.channelId) },
      });
      const adapter = createDiscordAdapter({ config: config.discord!, bot: paperbot.bot, log, deferAfterMs: 10_000 });
      await adapter.start();
      const replica = { name, paperbot, adapter, answered, logs };
      replicas.push(replica);
      return replica;
    },

    /** Sends `/paper segmentation` in a server on `shard` of `count` and waits for its answer. */
    async commandOnShard(shard: number, count: number): Promise<{ interaction: SentInteraction; channelId: string }> {
      const channelId = freshChannel();
      const interaction = slashCommand(fake, 'segmentation', { guildId: guildOnShard(shard, count), channelId });
      sent.push(interaction);
      const callback = await fake.waitFor(
        (r) => r.method === 'POST' && r.path === `/api/v10/interactions/${interaction.id}/${interaction.token}/callback`,
      );
      expect(bodyOf(callback).type).toBe(4);
      return { interaction, channelId };
    },

    /** The shards with an open session at the fake, in order. */
    openShards(): number[] {
      return fake.shardConnections().map((c) => c.shard);
    },

    /** Every command sent was answered exactly once, by one replica. */
    expectEachAnsweredOnce(): void {
      for (const interaction of sent) expect(fake.responsesTo(interaction)).toHaveLength(1);
      const answered = replicas.flatMap((r) => r.answered);
      expect(new Set(answered).size).toBe(answered.length);
    },
  };
}
