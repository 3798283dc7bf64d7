import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { iso, type Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import type { ShardLeaseStore } from './shard-leases.js';

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
  /** The shard count this replica would use alone: DISCORD_SHARDS, or the one Discord recommends. */
  wantedCount: () => Promise<number>;
  /** Opens shard `shardId` of `shardCount` and resolves once it is READY (throws when it cannot). */
  connect: (shardId: number, shardCount: number) => Promise<ShardConnection>;
};

type HeldShard = {
  /** The lease's end as last written by this replica (ms on the injected clock). */
  validUntil: number;
  /** Set once the shard is READY; undefined while it connects. */
  connection?: ShardConnection;
  connecting?: Promise<void>;
};

/** A name for this replica's rows: the host and process, then something unique (two starts of one pid). */
export function replicaName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * DISCORD_SHARDS: the gateway's shards spread over the replicas on one database. Each round (every
 * third of a lease, on a timer; the times on the injected clock) this replica says it is alive,
 * renews the leases of the shards it holds, and moves toward its fair share, ceil(count / live
 * replicas): above it, it closes a shard's session and then gives the lease back; below it, it
 * takes free or expired leases and then connects those shards. A shard is connected only while its
 * lease is held, and a lease is taken before its shard connects, so a guild's events reach exactly
 * one replica. A replica that dies stops renewing; once its leases run out, the others' rounds take
 * its shards over. A replica that cannot reach the database closes each shard whose lease would run
 * out before the next round, since another replica may take it then.
 */
export class ShardedGateway {
  private readonly held = new Map<number, HeldShard>();
  private readonly renewEveryMs: number;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private count?: number;
  private started = false;
  private stopped = false;
  /** A round is running (waiting for the database, perhaps). */
  private busy = false;
  /** The first connection error of the start, to fail it with Discord's reason (a rejected token). */
  private startError?: unknown;

  constructor(private readonly options: ShardedGatewayOptions) {
    this.renewEveryMs = Math.floor(options.leaseMs / 3);
  }

  /** Joins: the schema is the caller's; a first round, its shards connected, then the renewal timer. */
  async start(): Promise<void> {
    this.count = await this.options.wantedCount();
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

  /**
   * One round, then the connections it opened, READY or failed. Rounds never overlap: a round
   * asked for while one runs waits for it and then runs.
   */
  async tick(options: { failOnError?: boolean } = {}): Promise<void> {
    const previous = this.round ?? Promise.resolve();
    const next = previous.then(async () => {
      this.busy = true;
      try {
        await this.renewAndBalance(options.failOnError ?? false);
      } finally {
        this.busy = false;
      }
    });
    this.round = next.catch(() => {});
    await next;
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

  /** For /readyz: the first round is done and every shard held is connected. */
  connected(): boolean {
    return this.started && !this.stopped && [...this.held.values()].every((shard) => shard.connection?.ready() ?? false);
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
      const others = survey.leases.filter((l) => l.holder !== leases.holder);
      const count = this.agreedCount(survey.leases.map((l) => l.shardCount));
      if (count !== this.count) {
        // The count changed under us (the replicas that hold the others use another one): start again with it.
        log.warn(`discord shards: the other replicas run ${count} shard(s), this one ${this.count}; reconnecting with ${count}`);
        const dropped = this.shards();
        await Promise.allSettled(dropped.map((id) => this.close(id)));
        await leases.release(dropped);
        this.count = count;
      }
      const fairShare = Math.ceil(count / Math.max(1, survey.liveReplicas));
      const surplus = this.shards().slice(fairShare);
      if (surplus.length > 0) {
        // Closed before released: the replica that takes the lease next may connect at once.
        log.info(`discord shards: ${survey.liveReplicas} replicas share ${count} shards; handing over shard(s) ${surplus.join(', ')}`);
        await Promise.allSettled(surplus.map((id) => this.close(id)));
        await leases.release(surplus);
      }
      const taken = new Set(others.map((l) => l.shardId));
      for (let id = 0; id < count && this.held.size < fairShare; id++) {
        if (taken.has(id) || this.held.has(id)) continue;
        if (await leases.acquire(id, count, iso(now), iso(until))) this.open(id, count, until);
      }
    } catch (error) {
      if (failOnError) throw error;
      log.error('discord shards: renewing the leases failed', error);
      await this.closeExpiring(now, 'its lease could not be renewed');
    }
  }

  /** A lease that runs out before the next round may be taken then: its session must be closed first. */
  private async closeExpiring(now: number, why: string): Promise<void> {
    const expiring = [...this.held].filter(([, shard]) => shard.validUntil - now <= this.renewEveryMs).map(([id]) => id);
    for (const id of expiring) this.options.log.warn(`discord shards: closing shard ${id}: ${why}`);
    await Promise.allSettled(expiring.map((id) => this.close(id)));
  }

  /**
   * The count the running leases use wins over this replica's wish, so two counts do not run side by
   * side for longer than a round: the count of the most live leases (this replica's own included),
   * the larger on a tie, which every replica reading the same rows picks alike. None running: ours.
   */
  private agreedCount(liveCounts: number[]): number {
    if (liveCounts.length === 0) return this.count ?? 1;
    const tally = new Map<number, number>();
    for (const c of liveCounts) tally.set(c, (tally.get(c) ?? 0) + 1);
    return [...tally].sort(([countA, a], [countB, b]) => b - a || countB - countA)[0]![0];
  }

  /** Connects a shard whose lease was just taken; a shard that cannot connect is given back. */
  private open(id: number, count: number, validUntil: number): void {
    const shard: HeldShard = { validUntil };
    this.held.set(id, shard);
    shard.connecting = this.options
      .connect(id, count)
      .then(async (connection) => {
        if (this.held.get(id) === shard && !this.stopped) {
          shard.connection = connection;
          this.options.log.info(`discord shards: connected shard ${id} of ${count}`);
        } else await connection.close();
      })
      .catch(async (error: unknown) => {
        if (!this.started) this.startError ??= error;
        this.options.log.error(`discord shards: shard ${id} of ${count} could not connect; giving its lease back`, error);
        if (this.held.get(id) === shard) this.held.delete(id);
        await this.options.leases.release([id]).catch(() => {});
      })
      .finally(() => {
        shard.connecting = undefined;
      });
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
