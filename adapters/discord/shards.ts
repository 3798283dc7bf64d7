import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { iso, type Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { describeClose, fixForClose, GatewayClosedError, reshardForClose } from './close-codes.js';
import type { ShardLeaseStore, ShardSurvey } from './shard-leases.js';

/** One shard's gateway session, as the adapter opened it. */
type ShardConnection = {
  /** Whether the session is up (READY, or resumed). */
  ready(): boolean;
  close(): Promise<void>;
};

export type ShardedGatewayOptions = {
  leases: ShardLeaseStore;
  clock: Clock;
  log: Logger;
  leaseMs: number;
  /** The shard count this replica would use alone: DISCORD_SHARDS, or the one Discord recommends now (asked each call). */
  wantedCount: () => Promise<number>;
  /** DISCORD_SHARDS=auto: the count follows Discord's recommendation while the replicas run, not only at start. */
  followsRecommendation: boolean;
  /**
   * Opens shard `shardId` of `shardCount` and resolves once it is READY; throws GatewayClosedError when
   * Discord closes it for good meanwhile, another error when it cannot connect. `onClosedForGood` is
   * called when Discord closes the session for good later (discord.js then leaves it closed).
   */
  connect: (shardId: number, shardCount: number, onClosedForGood: (code: number) => void) => Promise<ShardConnection>;
};

type HeldShard = {
  /** The lease's end as last written by this replica (ms on the injected clock). */
  validUntil: number;
  /** Set once the shard is READY; undefined while it connects. */
  connection?: ShardConnection;
  connecting?: Promise<void>;
};

/**
 * How often one replica asks Discord for its recommended count (DISCORD_SHARDS=auto). GET /gateway/bot
 * is rate-limited per route like any other (no fixed number is published for it; discord.js's REST
 * reads the X-RateLimit headers and waits), and within the application's global 50 requests a second;
 * every shard session's login asks it too. Its answer changes only as the bot joins servers by the
 * thousand (Discord requires a shard per 2,500 servers), so one request every 15 minutes for the whole
 * deployment is plenty, and a 4011 (sharding required) does not wait for it.
 */
const COUNT_CHECK_MS = 15 * 60_000;

/**
 * The first back-off after Discord closed a shard for good, doubled with each failure in a row up to
 * an hour. The causes (a token, an intent in the portal, the library's version) are the same on every
 * replica and are fixed by a person, so the replicas share one back-off in the lease row: together
 * they identify for the shard once per back-off, not once per round each (every IDENTIFY counts
 * against the day's session_start_limit, 1,000 for most bots).
 */
const CLOSED_BACKOFF_MS = 60_000;
const CLOSED_MAX_BACKOFF_MS = 60 * 60_000;

/** A name for this replica's rows: the host and process, then something unique (two starts of one pid). */
export function replicaName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * DISCORD_SHARDS: the gateway's shards spread over the replicas on one database. Each round (every
 * third of a lease, on a timer; the times on the injected clock) this replica says it is alive,
 * follows the shard count's generation, renews the leases of the shards it holds, and moves toward its
 * fair share, ceil(count / live replicas): above it, it closes a shard's session and then gives the
 * lease back; below it, it takes free or expired leases and then connects those shards. A shard is
 * connected only while its lease is held, and a lease is taken before its shard connects, so a guild's
 * events reach exactly one replica. A replica that dies stops renewing; once its leases run out, the
 * others' rounds take its shards over. A replica that cannot reach the database closes each shard
 * whose lease would run out before the next round, since another replica may take it then.
 *
 * The count lives in the database as a generation (see shard-leases.ts). With `auto`, one replica per
 * 15 minutes asks Discord for its recommended count and, when it changed, starts a new generation;
 * a session closed with 4011 (sharding required) or 4010 (invalid shard) starts one at once. Each
 * replica notices the new generation at its next round, closes its sessions and gives their leases
 * back; sessions of the new count open once no lease of the old one is held, so no server's events
 * reach two sessions while the count changes (the cost: its shards are down for about one round).
 *
 * A shard Discord closes for good (4004, 4010–4014) is logged as an error with what to fix, and its
 * lease is given up into a back-off that every replica respects; /readyz lists it until then.
 */
export class ShardedGateway {
  private readonly held = new Map<number, HeldShard>();
  private readonly renewEveryMs: number;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private count?: number;
  private generation?: number;
  /** Shards of this generation that Discord closed for good and no replica holds, as the last round read them. */
  private closed: ShardSurvey['leases'] = [];
  private started = false;
  private stopped = false;
  /** A round is running (waiting for the database, perhaps). */
  private busy = false;
  /** The first connection error of the start, to fail it with Discord's reason (a rejected token). */
  private startError?: unknown;

  constructor(private readonly options: ShardedGatewayOptions) {
    this.renewEveryMs = Math.floor(options.leaseMs / 3);
  }

  /** Joins: the schema is the caller's; the count's generation, a first round, its shards connected, then the renewal timer. */
  async start(): Promise<void> {
    await this.join(await this.options.wantedCount());
    await this.tick({ failOnError: true });
    if (this.startError !== undefined) {
      // A shard that cannot connect at start (a rejected token, no gateway) fails the start, as one session's would.
      await this.stop();
      throw this.startError;
    }
    this.started = true;
    this.timer = setInterval(() => this.onTimer(), this.renewEveryMs);
    this.timer.unref();
  }

  /**
   * The count to start with: the generation's, which the running replicas use (a replica set to another
   * number joins them, so two counts never run side by side). When no replica holds a shard, this
   * replica's wish is the newest word (a restart with a new DISCORD_SHARDS, or Discord's recommendation
   * since the last run) and starts a new generation.
   */
  private async join(wanted: number): Promise<void> {
    const { leases, clock, log } = this.options;
    const now = clock.now().getTime();
    const running = (await leases.survey(iso(now))).leases.filter((l) => l.closedCode === null);
    let current = (await leases.generation()) ?? (await leases.firstGeneration(running[0]?.shardCount ?? wanted, iso(now), iso(now + COUNT_CHECK_MS)));
    if (current.shardCount !== wanted && running.length === 0) {
      await leases.changeGeneration(current.generation, wanted, `a replica started with ${wanted} shard(s) while none ran`, iso(now));
      current = (await leases.generation()) ?? current;
    } else if (current.shardCount !== wanted) {
      log.warn(`discord shards: the running replicas use ${current.shardCount} shard(s), this one would use ${wanted}; joining with ${current.shardCount}`);
    }
    this.generation = current.generation;
    this.count = current.shardCount;
  }

  /**
   * A round every third of a lease. While the last one still waits for the database (a query that
   * hangs rather than fails), no other is queued behind it, but a shard whose lease would run out
   * before the next timer is closed all the same: another replica may take it then.
   */
  private onTimer(): void {
    if (!this.busy) {
      void this.tick().catch(() => {});
      return;
    }
    const now = this.options.clock.now().getTime();
    void this.closeExpiring(now, 'its lease could not be renewed in time (the database is slow to answer)');
  }

  /** Runs `work` after the rounds and shard closures queued before it: they never overlap. */
  private serial(work: () => Promise<void>): Promise<void> {
    const next = (this.round ?? Promise.resolve()).then(work);
    this.round = next.catch(() => {});
    return next;
  }

  /**
   * One round, then the connections it opened, READY or failed. Rounds never overlap: a round
   * asked for while one runs waits for it and then runs.
   */
  async tick(options: { failOnError?: boolean } = {}): Promise<void> {
    await this.serial(async () => {
      this.busy = true;
      try {
        await this.renewAndBalance(options.failOnError ?? false);
      } finally {
        this.busy = false;
      }
    });
    await Promise.allSettled([...this.held.values()].map((shard) => shard.connecting));
  }

  /** The shards this replica holds, in order. */
  shards(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** The shard count the replicas agreed on (after the first round). */
  shardCount(): number | undefined {
    return this.count;
  }

  /**
   * For /readyz: the first round is done, every shard held is connected, and no shard of the count is
   * left unserved because Discord closed it for good (every replica says so, whichever held it).
   */
  connected(): boolean {
    return this.started && !this.stopped && this.closed.length === 0 && [...this.held.values()].every((shard) => shard.connection?.ready() ?? false);
  }

  /** What /readyz says beside "not connected": each shard Discord closed for good, until when, and the fix. */
  problems(): string[] {
    return this.closed.map(
      (l) =>
        `shard ${l.shardId} of ${l.shardCount} closed by Discord with ${describeClose(l.closedCode ?? 0)} at ${l.closedAt}, tried again after ${l.expiresAt}: ${fixForClose(l.closedCode ?? 0)}`,
    );
  }

  /** For the metrics: the shards held and up here, and those Discord closed for good (as the last round read them). */
  states(): { connected: number; closed: number } {
    const connected = [...this.held.values()].filter((shard) => shard.connection?.ready() ?? false).length;
    return { connected, closed: this.closed.length };
  }

  /** Closes every session, then gives the leases back and leaves, so the others take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Sessions first (a round waiting for the database must not keep them open), then what that round took.
    const shards = this.shards();
    await Promise.allSettled(shards.map((id) => this.close(id)));
    await this.round?.catch(() => {});
    const takenMeanwhile = this.shards();
    await Promise.allSettled(takenMeanwhile.map((id) => this.close(id)));
    shards.push(...takenMeanwhile);
    try {
      await this.options.leases.release(shards);
      await this.options.leases.leave();
    } catch (error) {
      // The leases then run out on their own; the others take the shards over after them.
      this.options.log.warn(`discord shards: could not give back shard(s) ${shards.join(', ')} (${messageOf(error)}); they pass to another replica when their leases run out`);
    }
  }

  private async renewAndBalance(failOnError: boolean): Promise<void> {
    if (this.stopped) return;
    const { leases, clock, log, leaseMs } = this.options;
    const now = clock.now().getTime();
    const until = now + leaseMs;
    try {
      await leases.heartbeat(iso(now), iso(until));
      await this.checkRecommendedCount(now);
      await this.followGeneration();
      const mine = this.shards();
      const kept = await leases.renew(mine, iso(until));
      for (const id of mine) {
        const shard = this.held.get(id);
        if (kept.has(id) && shard) shard.validUntil = until;
        else {
          log.warn(`discord shards: shard ${id}'s lease passed to another replica; closing its session`);
          await this.close(id);
        }
      }
      const survey = await leases.survey(iso(now));
      const generation = this.generation;
      const count = this.count ?? 1;
      this.closed = survey.leases.filter((l) => l.closedCode !== null && l.generation === generation);
      const older = survey.leases.filter((l) => l.closedCode === null && l.generation !== generation);
      if (older.length > 0) {
        // Their sessions may still be open: a server's events would reach both counts' sessions.
        log.info(`discord shards: waiting for shard(s) ${older.map((l) => `${l.shardId} of ${l.shardCount}`).join(', ')} to close before connecting shards of ${count}`);
        return;
      }
      const fairShare = Math.ceil(count / Math.max(1, survey.liveReplicas));
      const surplus = this.shards().slice(fairShare);
      if (surplus.length > 0) {
        // Closed before released: the replica that takes the lease next may connect at once.
        log.info(`discord shards: ${survey.liveReplicas} replicas share ${count} shards; handing over shard(s) ${surplus.join(', ')}`);
        await Promise.allSettled(surplus.map((id) => this.close(id)));
        await leases.release(surplus);
      }
      // Held by another replica, or in a back-off after Discord closed it for good.
      const taken = new Set(survey.leases.filter((l) => l.holder !== leases.holder && l.generation === generation).map((l) => l.shardId));
      for (let id = 0; id < count && this.held.size < fairShare; id++) {
        if (taken.has(id) || this.held.has(id)) continue;
        if (await leases.acquire(id, generation ?? 0, count, iso(now), iso(until))) this.open(id, count, until);
      }
    } catch (error) {
      if (failOnError) throw error;
      log.error('discord shards: renewing the leases failed', error);
      await this.closeExpiring(now, 'its lease could not be renewed');
    }
  }

  /**
   * With `auto`: the one replica whose claim moved the check forward asks Discord for its recommended
   * count, and starts a new generation when it differs. A failed request waits for the next check.
   */
  private async checkRecommendedCount(now: number): Promise<void> {
    const { leases, log, followsRecommendation } = this.options;
    if (!followsRecommendation || !(await leases.claimCountCheck(iso(now), iso(now + COUNT_CHECK_MS)))) return;
    let recommended: number;
    try {
      recommended = await this.options.wantedCount();
    } catch (error) {
      log.warn(`discord shards: could not ask Discord for its recommended shard count (${messageOf(error)}); asking again in ${COUNT_CHECK_MS / 60_000} min`);
      return;
    }
    if (recommended !== this.count) await this.changeCount(recommended, `Discord recommends ${recommended} shard(s)`);
  }

  /** Starts the next generation with `count`, unless another replica already moved past ours. */
  private async changeCount(count: number, reason: string): Promise<void> {
    const { leases, clock, log } = this.options;
    if (this.generation === undefined) return;
    if (await leases.changeGeneration(this.generation, count, reason, iso(clock.now().getTime()))) {
      log.warn(`discord shards: moving every replica from ${this.count} to ${count} shard(s): ${reason}`);
    }
  }

  /** A newer generation in the database: this replica's sessions close and their leases go back, to be leased anew under its count. */
  private async followGeneration(): Promise<void> {
    const { leases, log } = this.options;
    const current = await leases.generation();
    if (!current || current.generation === this.generation) return;
    const dropped = this.shards();
    log.warn(
      `discord shards: the shard count is now ${current.shardCount} (was ${this.count}; ${current.reason})${dropped.length ? `; closing shard(s) ${dropped.join(', ')} to lease anew` : ''}`,
    );
    await Promise.allSettled(dropped.map((id) => this.close(id)));
    await leases.release(dropped);
    this.generation = current.generation;
    this.count = current.shardCount;
  }

  /** A lease that runs out before the next round may be taken then: its session must be closed first. */
  private async closeExpiring(now: number, why: string): Promise<void> {
    const expiring = [...this.held].filter(([, shard]) => shard.validUntil - now <= this.renewEveryMs).map(([id]) => id);
    for (const id of expiring) this.options.log.warn(`discord shards: closing shard ${id}: ${why}`);
    await Promise.allSettled(expiring.map((id) => this.close(id)));
  }

  /** Connects a shard whose lease was just taken; a shard that cannot connect is given back, one Discord closed for good goes into its back-off. */
  private open(id: number, count: number, validUntil: number): void {
    const shard: HeldShard = { validUntil };
    const generation = this.generation;
    this.held.set(id, shard);
    // Later, while running: closed and put into its back-off after the rounds queued before.
    const onClosedForGood = (code: number) => {
      void this.serial(async () => {
        if (this.held.get(id) !== shard) return;
        await this.close(id);
        await this.closedForGood(id, count, generation, code);
      }).catch((error: unknown) => this.options.log.error(`discord shards: recording shard ${id}'s close failed`, error));
    };
    shard.connecting = this.options
      .connect(id, count, onClosedForGood)
      .then(async (connection) => {
        if (this.held.get(id) === shard && !this.stopped) {
          shard.connection = connection;
          this.options.log.info(`discord shards: connected shard ${id} of ${count}`);
        } else await connection.close();
      })
      .catch(async (error: unknown) => {
        if (this.held.get(id) === shard) this.held.delete(id);
        if (error instanceof GatewayClosedError) {
          // Not a failed start: the process stays up, the lease goes into its back-off, and /readyz says why.
          await this.closedForGood(id, count, generation, error.code).catch((e: unknown) => this.options.log.error(`discord shards: recording shard ${id}'s close failed`, e));
          return;
        }
        if (!this.started) this.startError ??= error;
        this.options.log.error(`discord shards: shard ${id} of ${count} could not connect; giving its lease back`, error);
        await this.options.leases.release([id]).catch(() => {});
      })
      .finally(() => {
        shard.connecting = undefined;
      });
  }

  /**
   * After Discord closed shard `id` for good (its session already closed): the error that says what to
   * fix, the lease into its back-off, and for 4010/4011 with `auto`, a new count (Discord's recommended
   * one; for 4011 at least one more than now, since Discord says this count is too small).
   */
  private async closedForGood(id: number, count: number, generation: number | undefined, code: number): Promise<void> {
    const { leases, clock, log, followsRecommendation } = this.options;
    const now = clock.now().getTime();
    const retryAt = await leases.closedForGood(id, code, now, CLOSED_BACKOFF_MS, CLOSED_MAX_BACKOFF_MS);
    log.error(
      `discord shards: Discord closed shard ${id} of ${count} for good with ${describeClose(code)}: ${fixForClose(code)}.` +
        (retryAt === null ? '' : ` Its lease is given up; no replica connects it again before ${iso(retryAt)}.`),
    );
    if (retryAt !== null && generation !== undefined && generation === this.generation) {
      // Seen at once on this replica (the others read it at their next round).
      this.closed.push({ shardId: id, shardCount: count, generation, holder: '', expiresAt: iso(retryAt), closedCode: code, closedAt: iso(now) });
    }
    const reshard = reshardForClose(code);
    if (!reshard || !followsRecommendation || generation !== this.generation) return;
    const recommended = await this.options.wantedCount();
    const target = reshard === 'more' ? Math.max(recommended, count + 1) : recommended;
    if (target !== count) await this.changeCount(target, `Discord closed shard ${id} of ${count} with ${describeClose(code)}`);
  }

  private async close(id: number): Promise<void> {
    const shard = this.held.get(id);
    if (!shard) return;
    this.held.delete(id);
    await shard.connecting;
    await shard.connection?.close().catch((error: unknown) => this.options.log.warn(`discord shards: closing shard ${id}: ${messageOf(error)}`));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
