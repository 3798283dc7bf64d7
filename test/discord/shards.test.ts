import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDiscordAdapter } from '../../adapters/discord/index.js';
import { checkShards } from '../../adapters/discord/doctor.js';
import { readDiscordSettings } from '../../adapters/discord/settings.js';
import { discordMigrations, ShardLeaseStore } from '../../adapters/discord/shard-leases.js';
import { loadSettings } from '../../adapters/settings.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import { migrations } from '../../src/capabilities/index.js';
import { checkDatabase } from '../../src/ops/doctor.js';
import { Metrics } from '../../src/ops/metrics.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { migrateSql } from '../../src/store/sql/migrate.js';
import { FakeDiscord, shardOfGuild } from '../fakes/discord.js';
import { guildOnShard } from '../fakes/discord-interactions.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';
import { tempDbPath } from '../helpers/temp-db.js';
import { segmentationCatalog } from './catalog.js';
import { LEASE_SECONDS, type Replica, useShardReplicas } from './shard-replicas.js';

const RENEW_SECONDS = LEASE_SECONDS / 3;
const SHARDS = 2;

describe.each(testedEngines())('Discord gateway shards spread over two replicas on %s', (engine) => {
  const set = useShardReplicas(engine, { shards: SHARDS, maxConcurrency: SHARDS });
  const { clock, replicas, sent } = set;
  const startReplica = (name: string, env?: Record<string, string>) => set.startReplica(name, env);
  const commandOnShard = (shard: number) => set.commandOnShard(shard, SHARDS);
  const openShards = () => set.openShards();

  it('GIVEN a second replica joins THEN the replicas share the recommended shards, each connected once', async () => {
    const a = await startReplica('a');
    expect(a.adapter.shards?.shardCount()).toBe(SHARDS);
    // Alone, a replica holds every shard.
    expect(a.adapter.shards?.shards()).toEqual([0, 1]);
    expect(openShards()).toEqual([0, 1]);

    const b = await startReplica('b');
    expect(b.adapter.shards?.shards()).toEqual([]);
    // The next rounds: a hands its surplus over, b takes it.
    await a.adapter.shards!.tick();
    await b.adapter.shards!.tick();
    expect(a.adapter.shards?.shards()).toEqual([0]);
    expect(b.adapter.shards?.shards()).toEqual([1]);
    // Discord's view: one open session per shard, identified as [id, count].
    expect(set.fake.shardConnections()).toEqual([
      expect.objectContaining({ shard: 0, count: SHARDS }),
      expect.objectContaining({ shard: 1, count: SHARDS }),
    ]);
    expect(set.fake.identifiedShards).toEqual(
      expect.arrayContaining([
        [0, SHARDS],
        [1, SHARDS],
      ]),
    );
    expect(a.adapter.gatewayClients()).toHaveLength(1);
    expect(b.adapter.gatewayClients()).toHaveLength(1);
    expect(a.adapter.connected()).toBe(true);
    expect(b.adapter.connected()).toBe(true);
  });

  it('GIVEN a command in a server on each shard THEN the replica holding that shard answers it', async () => {
    const [a, b] = replicas as [Replica, Replica];
    expect(shardOfGuild(guildOnShard(0, SHARDS), SHARDS)).toBe(0);
    expect(shardOfGuild(guildOnShard(1, SHARDS), SHARDS)).toBe(1);
    const onZero = await commandOnShard(0);
    const onOne = await commandOnShard(1);
    expect(a.answered).toContain(onZero.channelId);
    expect(b.answered).toContain(onOne.channelId);
    expect(b.answered).not.toContain(onZero.channelId);
    expect(a.answered).not.toContain(onOne.channelId);
  });

  it('GIVEN a replica dies without giving its shards back THEN after its lease the other connects them and answers there', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const before = set.fake.shardConnections().find((c) => c.shard === 0)!;
    // A crash: the gateway sessions drop and nothing renews or releases a lease (its store is gone).
    for (const client of a.adapter.gatewayClients()) await client.destroy();
    await a.paperbot.close();
    expect(openShards()).toEqual([1]);
    // /readyz on the dead replica would say not ready: a shard it holds is not connected.
    expect(a.adapter.connected()).toBe(false);

    // Within the lease, shard 0 is still a's: b leaves it alone.
    clock.advance((LEASE_SECONDS - 1) * 1000);
    await b.adapter.shards!.tick();
    expect(b.adapter.shards?.shards()).toEqual([1]);
    expect(openShards()).toEqual([1]);

    clock.advance(2000);
    await b.adapter.shards!.tick();
    expect(b.adapter.shards?.shards()).toEqual([0, 1]);
    expect(b.adapter.connected()).toBe(true);
    const after = set.fake.shardConnections();
    expect(after.map((c) => c.shard)).toEqual([0, 1]);
    expect(after.find((c) => c.shard === 0)?.connection).not.toBe(before.connection);

    const onZero = await commandOnShard(0);
    expect(b.answered).toContain(onZero.channelId);
    expect(a.answered).not.toContain(onZero.channelId);
  });

  it('GIVEN a replica that joins and later stops cleanly THEN it takes a share, and its shard returns to the others without waiting for the lease', async () => {
    const b = replicas[1] as Replica;
    const c = await startReplica('c');
    await b.adapter.shards!.tick();
    await c.adapter.shards!.tick();
    expect(b.adapter.shards?.shards()).toEqual([0]);
    expect(c.adapter.shards?.shards()).toEqual([1]);
    expect(openShards()).toEqual([0, 1]);
    const onOne = await commandOnShard(1);
    expect(c.answered).toContain(onOne.channelId);

    await c.adapter.stop();
    expect(openShards()).toEqual([0]);
    // The clock has not moved: the lease was given back, not left to run out.
    await b.adapter.shards!.tick();
    expect(b.adapter.shards?.shards()).toEqual([0, 1]);
    expect(openShards()).toEqual([0, 1]);
    expect(b.adapter.connected()).toBe(true);
  });

  it('GIVEN a replica that loses its database THEN it closes its shards before their leases run out, and the other takes them after', async () => {
    const b = replicas[1] as Replica;
    const d = await startReplica('d');
    await b.adapter.shards!.tick();
    await d.adapter.shards!.tick();
    expect(d.adapter.shards?.shards()).toEqual([1]);
    // d's store goes away while its gateway session stays up.
    await d.paperbot.close();
    clock.advance((RENEW_SECONDS + 1) * 1000);
    await d.adapter.shards!.tick();
    // Its lease has more than a round left: the session stays.
    expect(d.adapter.shards?.shards()).toEqual([1]);
    clock.advance(RENEW_SECONDS * 1000);
    await d.adapter.shards!.tick();
    // Less than a round left and no renewal: closed before another replica could take it.
    expect(d.adapter.shards?.shards()).toEqual([]);
    expect(openShards()).toEqual([0]);
    expect(d.logs.join('\n')).toMatch(/closing shard 1: its lease could not be renewed/);

    await b.adapter.shards!.tick();
    expect(b.adapter.shards?.shards()).toEqual([0]);
    clock.advance(RENEW_SECONDS * 1000);
    await b.adapter.shards!.tick();
    expect(b.adapter.shards?.shards()).toEqual([0, 1]);
    expect(openShards()).toEqual([0, 1]);
    const onOne = await commandOnShard(1);
    expect(b.answered).toContain(onOne.channelId);
  });

  it('GIVEN a replica set to another shard count THEN it joins with the count the running replicas use', async () => {
    const b = replicas[1] as Replica;
    const e = await startReplica('e', { DISCORD_SHARDS: '3' });
    expect(e.adapter.shards?.shardCount()).toBe(SHARDS);
    await b.adapter.shards!.tick();
    await e.adapter.shards!.tick();
    expect(e.adapter.shards?.shards()).toEqual([1]);
    expect(set.fake.shardConnections().map((c) => [c.shard, c.count])).toEqual([
      [0, SHARDS],
      [1, SHARDS],
    ]);
    expect(set.fake.identifiedShards.filter((shard) => shard?.[1] !== SHARDS)).toEqual([]);
  });

  it('THEN every command was answered exactly once', () => {
    expect(sent.length).toBe(5);
    set.expectEachAnsweredOnce();
  });
});

describe.each(testedEngines())('Discord closing a shard for good on %s', (engine) => {
  const set = useShardReplicas(engine, { shards: SHARDS, maxConcurrency: SHARDS });
  const disallowed = { code: 4014, reason: 'Disallowed intent(s).' };
  const tickBoth = async (a: Replica, b: Replica) => {
    await a.adapter.shards!.tick();
    await b.adapter.shards!.tick();
  };

  it('GIVEN Discord closes a shard with 4014 THEN its holder logs the fix and gives the lease up, every replica reports it, and none identifies for it before the back-off', async () => {
    const a = await set.startReplica('a');
    const b = await set.startReplica('b');
    await tickBoth(a, b);
    expect(b.adapter.shards?.shards()).toEqual([1]);

    // The portal stops allowing the bot's intents: the session ends, and every IDENTIFY is refused.
    set.fake.refuseIdentify(disallowed);
    const identifies = set.fake.identifies;
    set.fake.closeShard(1, disallowed.code, disallowed.reason);
    await vi.waitFor(() => expect(b.adapter.shards?.shards()).toEqual([]), { timeout: 20_000 });
    // A round queues behind the handling of the close.
    await b.adapter.shards!.tick();
    expect(b.logs.join('\n')).toMatch(/Discord closed shard 1 of 2 for good with 4014 \(disallowed intents\): .*Privileged Gateway Intents/);
    expect(b.logs.join('\n')).toMatch(/no replica connects it again before 2026-12-01T10:01:00.000Z/);
    expect(set.openShards()).toEqual([0]);
    expect(b.adapter.gatewayClients()).toEqual([]);
    // Neither replica says ready while the shard's servers go unserved, and both say why.
    await a.adapter.shards!.tick();
    for (const r of [a, b]) {
      expect(r.adapter.connected()).toBe(false);
      expect(r.adapter.problems()).toEqual([expect.stringMatching(/^shard 1 of 2 closed by Discord with 4014 \(disallowed intents\) at .*, tried again after 2026-12-01T10:01:00.000Z: .*developer portal/)]);
    }
    // The metric as /metrics would serve it from each replica.
    const metrics = new Metrics({ processMetrics: false });
    metrics.observeGatewayShards(() => [a, b].map((r) => ({ platform: `discord-${r.name}`, ...r.adapter.shardStates!() })));
    const shardGauge = async () => (await metrics.text()).split('\n').filter((line) => line.startsWith('paperbot_gateway_shards{'));
    expect(await shardGauge()).toEqual([
      'paperbot_gateway_shards{platform="discord-a",state="connected"} 1',
      'paperbot_gateway_shards{platform="discord-a",state="closed"} 1',
      'paperbot_gateway_shards{platform="discord-b",state="connected"} 0',
      'paperbot_gateway_shards{platform="discord-b",state="closed"} 1',
    ]);
    // `paperbot doctor` reads the same from the leases, on any machine.
    const doctor = await checkShards(a.paperbot.services.sql, set.fake.appId, set.clock.now());
    expect(doctor.map((f) => f.status)).toEqual(['ok', 'problem']);
    expect(doctor[0]?.detail).toMatch(/^2 shard\(s\) \(generation \d+, 2 replica\(s\) alive\); shard 0 on \S+$/);
    expect(doctor[1]).toMatchObject({
      detail: expect.stringMatching(/^shard 1 was closed by Discord with 4014 \(disallowed intents\) at .*; the replicas try again after 2026-12-01T10:01:00.000Z$/),
      fix: expect.stringContaining('Privileged Gateway Intents'),
    });
    // b's fair share is one shard and shard 1 is free of holders, yet it stays closed until the back-off ends.
    await tickBoth(a, b);
    expect(b.adapter.shards?.shards()).toEqual([]);
    expect(set.fake.identifies).toBe(identifies);

    // After the back-off one replica tries once, is refused again, and the next back-off is twice as long.
    set.clock.advance(61_000);
    await tickBoth(b, a);
    expect(set.fake.identifies).toBe(identifies + 1);
    expect(b.logs.join('\n')).toMatch(/no replica connects it again before 2026-12-01T10:03:01.000Z/);
    set.clock.advance(61_000);
    await tickBoth(b, a);
    expect(set.fake.identifies).toBe(identifies + 1);

    // The operator fixes the portal: after the back-off the shard connects and is served again.
    set.fake.refuseIdentify(undefined);
    set.clock.advance(60_000);
    await tickBoth(b, a);
    expect(b.adapter.shards?.shards()).toEqual([1]);
    expect(set.openShards()).toEqual([0, 1]);
    for (const r of [a, b]) {
      expect(r.adapter.connected()).toBe(true);
      expect(r.adapter.problems()).toEqual([]);
    }
    expect(await shardGauge()).toEqual([
      'paperbot_gateway_shards{platform="discord-a",state="connected"} 1',
      'paperbot_gateway_shards{platform="discord-a",state="closed"} 0',
      'paperbot_gateway_shards{platform="discord-b",state="connected"} 1',
      'paperbot_gateway_shards{platform="discord-b",state="closed"} 0',
    ]);
    expect((await checkShards(b.paperbot.services.sql, set.fake.appId, set.clock.now())).map((f) => [f.status, f.detail])).toEqual([
      ['ok', expect.stringMatching(/^2 shard\(s\) .*shard 0 on \S+, shard 1 on \S+$/)],
    ]);
    const onOne = await set.commandOnShard(1, SHARDS);
    expect(b.answered).toContain(onOne.channelId);
    set.expectEachAnsweredOnce();
  });
});

describe.each(testedEngines())('Discord shard count changing under running replicas on %s', (engine) => {
  const set = useShardReplicas(engine, { shards: 2, maxConcurrency: 16 });
  /** How often one replica asks Discord for its recommended count (shards.ts). */
  const COUNT_CHECK_MS = 15 * 60_000;
  const gatewayChecks = () => set.fake.requests.filter((r) => r.method === 'GET' && r.path === '/api/v10/gateway/bot').length;
  const commandEverywhere = async (count: number, holders: Map<number, Replica>) => {
    for (let shard = 0; shard < count; shard++) {
      const { channelId } = await set.commandOnShard(shard, count);
      expect(holders.get(shard)?.answered, `shard ${shard} of ${count}`).toContain(channelId);
    }
  };
  /** Moves the clock on by `ms` in steps of a renewal at most, each replica running its round after each step, as their timers would. */
  const roundsFor = async (ms: number, replicas: Replica[]) => {
    for (let left = ms; left > 0; left -= RENEW_SECONDS * 1000) {
      set.clock.advance(Math.min(left, RENEW_SECONDS * 1000));
      for (const r of replicas) await r.adapter.shards!.tick();
    }
  };
  const holdersOf = (replicas: Replica[]) => new Map(replicas.flatMap((r) => (r.adapter.shards?.shards() ?? []).map((id) => [id, r] as const)));

  it('GIVEN Discord recommends 4 shards instead of 2 THEN the replicas move to 4 without a restart, never running both counts at once', async () => {
    const a = await set.startReplica('a');
    const b = await set.startReplica('b');
    await a.adapter.shards!.tick();
    await b.adapter.shards!.tick();
    expect([a, b].map((r) => r.adapter.shards?.shards())).toEqual([[0], [1]]);
    await commandEverywhere(2, holdersOf([a, b]));

    set.fake.recommendShards(4);
    // Before the check is due, the rounds (each a third of a lease apart, as the timers run them) do not ask Discord.
    const before = gatewayChecks();
    await roundsFor(COUNT_CHECK_MS - 1000, [a, b]);
    expect(gatewayChecks()).toBe(before);
    expect([a, b].map((r) => r.adapter.shards?.shards())).toEqual([[0], [1]]);
    expect(a.adapter.shards?.shardCount()).toBe(2);

    // Due: the first replica's round asks, moves the count, and closes its session; b's shard of 2 is still open, so a connects nothing yet.
    set.clock.advance(2000);
    await a.adapter.shards!.tick();
    expect(gatewayChecks()).toBe(before + 1);
    expect(a.adapter.shards?.shardCount()).toBe(4);
    expect(a.adapter.shards?.shards()).toEqual([]);
    expect(set.fake.shardConnections().map((c) => [c.shard, c.count])).toEqual([[1, 2]]);
    expect(a.logs.join('\n')).toMatch(/moving every replica from 2 to 4 shard\(s\): Discord recommends 4 shard\(s\)/);

    // b's round: it alone asks nothing (the check is taken), follows the count, closes its old session and takes its share of the new.
    await b.adapter.shards!.tick();
    expect(gatewayChecks()).toBe(before + 1 + 2);
    expect(b.logs.join('\n')).toMatch(/the shard count is now 4 \(was 2; Discord recommends 4 shard\(s\)\); closing shard\(s\) 1 to lease anew/);
    expect(b.adapter.shards?.shards()).toEqual([0, 1]);
    await a.adapter.shards!.tick();
    expect(a.adapter.shards?.shards()).toEqual([2, 3]);
    expect(set.fake.shardConnections().map((c) => [c.shard, c.count])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    for (const r of [a, b]) expect(r.adapter.connected()).toBe(true);
    await commandEverywhere(4, holdersOf([a, b]));
  });

  it('GIVEN Discord closes a session with 4011 sharding required THEN the replicas move to a larger count at once, without waiting for the check', async () => {
    const [a, b] = set.replicas as [Replica, Replica];
    // Discord's recommendation lags behind: still 4.
    set.fake.closeShard(2, 4011, 'Sharding required.');
    await vi.waitFor(() => expect(a.adapter.shards?.shards()).toEqual([3]), { timeout: 20_000 });
    await a.adapter.shards!.tick();
    expect(a.logs.join('\n')).toMatch(/Discord closed shard 2 of 4 for good with 4011 \(sharding required\)/);
    expect(a.adapter.shards?.shardCount()).toBe(5);
    await b.adapter.shards!.tick();
    await a.adapter.shards!.tick();
    await b.adapter.shards!.tick();
    expect(set.fake.shardConnections().map((c) => [c.shard, c.count])).toEqual([0, 1, 2, 3, 4].map((id) => [id, 5]));
    expect([...(a.adapter.shards?.shards() ?? []), ...(b.adapter.shards?.shards() ?? [])].sort()).toEqual([0, 1, 2, 3, 4]);
    await commandEverywhere(5, holdersOf([a, b]));
    set.expectEachAnsweredOnce();
  });
});

describe.each(testedEngines())('Discord shard leases on %s', (engine) => {
  let db: FreshDatabase;
  const pools: Paperbot[] = [];

  beforeAll(async () => {
    db = await freshDatabase(engine);
  });
  afterAll(async () => {
    for (const p of pools) await p.close();
    await db.cleanup();
  });

  it('GIVEN two replicas racing for the same shards THEN each shard goes to exactly one of them', async () => {
    const config = loadSettings(db.env);
    for (let i = 0; i < 2; i++) pools.push(await createPaperbot({ config, catalog: segmentationCatalog() }));
    await migrateSql(pools[0]!.services.sql, discordMigrations);
    const [a, b] = pools.map((p, i) => new ShardLeaseStore(p.services.sql, '111111111111111111', `replica-${i}`)) as [
      ShardLeaseStore,
      ShardLeaseStore,
    ];
    const now = '2026-12-01T10:00:00.000Z';
    const until = '2026-12-01T10:00:30.000Z';
    expect(await a.firstGeneration(8, now, now)).toMatchObject({ generation: 0, shardCount: 8 });
    expect(await b.firstGeneration(4, now, now)).toMatchObject({ generation: 0, shardCount: 8 });
    const shards = Array.from({ length: 8 }, (_, i) => i);
    const results = await Promise.all(shards.flatMap((id) => [a.acquire(id, 0, 8, now, until), b.acquire(id, 0, 8, now, until)]));
    for (const id of shards) expect(Number(results[2 * id]) + Number(results[2 * id + 1]), `shard ${id}`).toBe(1);
    const survey = await a.survey(now);
    expect(survey.leases.map((l) => l.shardId)).toEqual(shards);

    // A running lease stays with its holder; once it has run out, another replica may take it.
    const heldByA = survey.leases.find((l) => l.holder === 'replica-0')!.shardId;
    expect(await b.acquire(heldByA, 0, 8, '2026-12-01T10:00:29.000Z', '2026-12-01T10:00:59.000Z')).toBe(false);
    expect(await b.acquire(heldByA, 0, 8, until, '2026-12-01T10:01:00.000Z')).toBe(true);
    // The old holder cannot renew a lease that passed on.
    expect((await a.renew([heldByA], '2026-12-01T10:01:00.000Z')).has(heldByA)).toBe(false);
  });

  it('GIVEN the count check due THEN exactly one of two racing replicas claims it, and none again before its interval', async () => {
    const [a, b] = pools.map((p, i) => new ShardLeaseStore(p.services.sql, '111111111111111111', `replica-${i}`)) as [
      ShardLeaseStore,
      ShardLeaseStore,
    ];
    const now = '2026-12-01T10:05:00.000Z';
    const next = '2026-12-01T10:20:00.000Z';
    const claims = await Promise.all([a.claimCountCheck(now, next), b.claimCountCheck(now, next), a.claimCountCheck(now, next), b.claimCountCheck(now, next)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await b.claimCountCheck('2026-12-01T10:19:59.000Z', '2026-12-01T10:35:00.000Z')).toBe(false);
    expect(await b.claimCountCheck(next, '2026-12-01T10:35:00.000Z')).toBe(true);
  });

  it('GIVEN two replicas moving the count at once THEN one new generation results, and no lease of the old one can be taken after it', async () => {
    const [a, b] = pools.map((p, i) => new ShardLeaseStore(p.services.sql, '111111111111111111', `replica-${i}`)) as [
      ShardLeaseStore,
      ShardLeaseStore,
    ];
    const now = '2026-12-01T11:00:00.000Z';
    const moved = await Promise.all([a.changeGeneration(0, 16, 'test a', now), b.changeGeneration(0, 12, 'test b', now)]);
    expect(moved.filter(Boolean)).toHaveLength(1);
    const current = (await a.generation())!;
    expect(current.generation).toBe(1);
    expect([16, 12]).toContain(current.shardCount);
    // Every lease above ran out at 10:01: a replica still on generation 0 takes nothing.
    expect(await b.acquire(3, 0, 8, now, '2026-12-01T11:00:30.000Z')).toBe(false);
    expect(await b.acquire(3, 1, current.shardCount, now, '2026-12-01T11:00:30.000Z')).toBe(true);
  });

  it('GIVEN a shard Discord closed for good THEN its lease waits out a back-off that doubles with each failure in a row, for every replica', async () => {
    const [a, b] = pools.map((p, i) => new ShardLeaseStore(p.services.sql, '111111111111111111', `replica-${i}`)) as [
      ShardLeaseStore,
      ShardLeaseStore,
    ];
    const at = Date.parse('2026-12-01T12:00:00.000Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(await a.acquire(5, 1, 12, iso(at), iso(at + 30_000))).toBe(true);
    expect(await b.closedForGood(5, 4014, at, 60_000, 3_600_000)).toBeNull();
    expect(await a.closedForGood(5, 4014, at, 60_000, 3_600_000)).toBe(at + 60_000);
    const parked = (await b.survey(iso(at))).leases.find((l) => l.shardId === 5);
    expect(parked).toMatchObject({ holder: '', closedCode: 4014, expiresAt: iso(at + 60_000) });
    expect(await b.acquire(5, 1, 12, iso(at + 59_000), iso(at + 89_000))).toBe(false);
    expect(await b.acquire(5, 1, 12, iso(at + 60_000), iso(at + 90_000))).toBe(true);
    // Closed again before a renewal: twice as long.
    expect(await b.closedForGood(5, 4014, at + 61_000, 60_000, 3_600_000)).toBe(at + 61_000 + 120_000);
  });

  // paperbot doctor reads SQLite files only.
  if (engine === 'sqlite')
    it('GIVEN the shard-lease migration applied THEN paperbot doctor knows its version and reports nothing pending', async () => {
      const adapterVersions = discordMigrations.map((m) => m.version);
      const known = [...migrations.map((m) => m.version), ...adapterVersions];
      const findings = await checkDatabase(db.dbPath, known, adapterVersions);
      expect(findings.map((f) => f.status)).toEqual(['ok']);
      // Without the adapter's versions it would take the file for a newer paperbot's.
      const withoutAdapter = await checkDatabase(
        db.dbPath,
        migrations.map((m) => m.version),
      );
      expect(withoutAdapter.map((f) => f.detail).join(' ')).toMatch(/does not know \(75, 76\)/);
    });
});

describe('Discord shards at start', () => {
  it('GIVEN DISCORD_SHARDS and a token Discord rejects THEN start fails with the fix, holding no shard', async () => {
    const fake = await new FakeDiscord({ shards: 2 }).listen();
    const db = tempDbPath();
    const config = loadSettings({
      PAPERBOT_DB: db.dbPath,
      DISCORD_TOKEN: 'a-revoked-token',
      DISCORD_APP_ID: fake.appId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_SHARDS: 'auto',
    });
    const paperbot = await createPaperbot({ config, catalog: segmentationCatalog() });
    try {
      const adapter = createDiscordAdapter({ config: config.discord!, bot: paperbot.bot, log: silentLogger });
      await expect(adapter.start()).rejects.toThrow(/Discord rejected DISCORD_TOKEN/);
      expect(adapter.connected()).toBe(false);
      expect(fake.shardConnections()).toEqual([]);
      expect(await paperbot.services.sql.all('SELECT shard_id FROM discord_shard_leases')).toEqual([]);
    } finally {
      await paperbot.close();
      await fake.close();
      db.cleanup();
    }
  });
});

describe('Discord without DISCORD_SHARDS, its one session closed for good', () => {
  it('GIVEN Discord refuses the identify with 4014 at start THEN start fails with the fix; GIVEN it closes the running session THEN the bot logs the fix and /readyz says why', async () => {
    const fake = await new FakeDiscord().listen();
    const db = tempDbPath();
    const config = loadSettings({ PAPERBOT_DB: db.dbPath, DISCORD_TOKEN: fake.token, DISCORD_APP_ID: fake.appId, DISCORD_API_URL: fake.apiUrl });
    const paperbot = await createPaperbot({ config, catalog: segmentationCatalog() });
    const logs: string[] = [];
    const log = createLogger('info', [fake.token], (line) => logs.push(line));
    try {
      fake.refuseIdentify({ code: 4014, reason: 'Disallowed intent(s).' });
      const refused = createDiscordAdapter({ config: config.discord!, bot: paperbot.bot, log });
      await expect(refused.start()).rejects.toThrow(/4014 \(disallowed intents\): .*Privileged Gateway Intents/);

      fake.refuseIdentify(undefined);
      const adapter = createDiscordAdapter({ config: config.discord!, bot: paperbot.bot, log });
      await adapter.start();
      expect(adapter.connected()).toBe(true);
      fake.closeShard(0, 4014, 'Disallowed intent(s).');
      await vi.waitFor(() => expect(adapter.connected()).toBe(false), { timeout: 20_000 });
      expect(adapter.problems()).toEqual([expect.stringMatching(/^closed by Discord with 4014 \(disallowed intents\): .*developer portal/)]);
      expect(logs.join('\n')).toMatch(/ERROR discord: Discord closed the gateway session for good with 4014/);
      await adapter.stop();
    } finally {
      await paperbot.close();
      await fake.close();
      db.cleanup();
    }
  });
});

describe('DISCORD_SHARDS', () => {
  const base = { DISCORD_TOKEN: 't', DISCORD_APP_ID: '123456789012345678' };

  it('GIVEN no setting THEN the bot holds the gateway alone, as before', () => {
    expect(readDiscordSettings(base)?.shards).toBeUndefined();
  });

  it('GIVEN auto or a number THEN it is read with the default lease of 30 s, or the one given', () => {
    expect(readDiscordSettings({ ...base, DISCORD_SHARDS: 'auto' })?.shards).toEqual({ count: 'auto', leaseMs: 30_000 });
    expect(readDiscordSettings({ ...base, DISCORD_SHARDS: '4', DISCORD_SHARD_LEASE_SECONDS: '60' })?.shards).toEqual({
      count: 4,
      leaseMs: 60_000,
    });
  });

  it('GIVEN a malformed value THEN start-up fails with what to write instead', () => {
    for (const bad of ['0', 'two', '-1', '99999']) {
      expect(() => readDiscordSettings({ ...base, DISCORD_SHARDS: bad })).toThrow(ConfigError);
    }
    expect(() => readDiscordSettings({ ...base, DISCORD_SHARDS: 'many' })).toThrow(
      /auto .* or a whole number of shards from 1 to 4096; got "many"/,
    );
    expect(() => readDiscordSettings({ ...base, DISCORD_SHARDS: 'auto', DISCORD_SHARD_LEASE_SECONDS: '5' })).toThrow(
      /DISCORD_SHARD_LEASE_SECONDS must be a whole number from 10 to 600/,
    );
    expect(() => readDiscordSettings({ ...base, DISCORD_SHARD_LEASE_SECONDS: '30' })).toThrow(/Set DISCORD_SHARDS=auto/);
  });
});
