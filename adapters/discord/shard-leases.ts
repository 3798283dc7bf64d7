import type { PortableMigration } from '../../src/store/migrations.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';

/**
 * Which replica holds which of the gateway's shards (DISCORD_SHARDS), and which replicas are alive.
 * A shard's lease row names its holder and when the lease ends; a replica renews its rows on a timer
 * and stops renewing when it dies, so after the lease another replica may take the shard.
 *
 * Why a conditional upsert and not a lock: the lease must outlive the statement (it is held for as
 * long as the gateway connection is), and the one statement that takes it
 * (`INSERT … ON CONFLICT DO UPDATE … WHERE the lease ran out or is already ours`) is atomic on both
 * engines: on PostgreSQL a second replica racing for the row waits for the first's row lock and
 * then finds the new holder's lease running, so it changes nothing; SQLite runs one writer at a time.
 * Two replicas therefore never hold one shard. Times are ISO text from each replica's injected clock
 * (they sort as time), so the replicas' clocks must agree to well within a lease.
 *
 * Keyed by the application as well, so two Discord applications may share a database.
 */
export const shardLeaseMigration: PortableMigration = {
  version: 75,
  name: 'discord-shard-leases',
  portable: () => `
CREATE TABLE discord_shard_leases (
  app_id TEXT NOT NULL,
  shard_id INTEGER NOT NULL,
  shard_count INTEGER NOT NULL,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (app_id, shard_id)
);
CREATE TABLE discord_gateway_replicas (
  app_id TEXT NOT NULL,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (app_id, holder)
);`,
};

/** What the Discord adapter adds to the schema, for the commands that check a database's versions. */
export const discordMigrations = [shardLeaseMigration];

type ShardLease = { shardId: number; shardCount: number; holder: string; expiresAt: string };

/** The leases and the replicas alive at one moment, as one replica reads them. */
export type ShardSurvey = { leases: ShardLease[]; liveReplicas: number };

export class ShardLeaseStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly appId: string,
    /** This replica's name in the rows (unique per process). */
    readonly holder: string,
  ) {}

  /** Says this replica is alive until `until`, so the others leave it its share; forgets replicas long gone. */
  async heartbeat(now: string, until: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO discord_gateway_replicas (app_id, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (app_id, holder) DO UPDATE SET expires_at = excluded.expires_at`,
        [this.appId, this.holder, until],
      );
      await tx.run('DELETE FROM discord_gateway_replicas WHERE app_id = ? AND expires_at <= ?', [this.appId, now]);
    });
  }

  /**
   * Extends this replica's leases on `shards` to `until`; returns the shards still ours. A lease
   * that ran out and was not taken by another replica is still ours (nobody else connected it, since
   * a replica takes the lease before it connects); one another replica took is not.
   */
  async renew(shards: readonly number[], until: string): Promise<Set<number>> {
    if (shards.length === 0) return new Set();
    const rows = await this.db.all<{ shard_id: number }>(
      `UPDATE discord_shard_leases SET expires_at = ? WHERE app_id = ? AND holder = ? AND shard_id IN (${shards.map(() => '?').join(', ')})
       RETURNING shard_id`,
      [until, this.appId, this.holder, ...shards],
    );
    return new Set(rows.map((r) => Number(r.shard_id)));
  }

  /** Takes shard `shardId` until `until` if nobody holds it or its lease ran out by `now`; true when taken. */
  async acquire(shardId: number, shardCount: number, now: string, until: string): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO discord_shard_leases (app_id, shard_id, shard_count, holder, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (app_id, shard_id) DO UPDATE SET shard_count = excluded.shard_count, holder = excluded.holder, expires_at = excluded.expires_at
       WHERE discord_shard_leases.expires_at <= ? OR discord_shard_leases.holder = excluded.holder`,
      [this.appId, shardId, shardCount, this.holder, until, now],
    );
    return changed === 1;
  }

  /** Gives shards back at once (after their connections closed), so another replica need not wait for the lease. */
  async release(shards: readonly number[]): Promise<void> {
    if (shards.length === 0) return;
    await this.db.run(`DELETE FROM discord_shard_leases WHERE app_id = ? AND holder = ? AND shard_id IN (${shards.map(() => '?').join(', ')})`, [
      this.appId,
      this.holder,
      ...shards,
    ]);
  }

  /** Leaves: the replica's presence goes, so the others' shares grow at their next renewal. */
  async leave(): Promise<void> {
    await this.db.run('DELETE FROM discord_gateway_replicas WHERE app_id = ? AND holder = ?', [this.appId, this.holder]);
  }

  /** The leases still running at `now` and how many replicas are alive (this one included once it has beaten). */
  async survey(now: string): Promise<ShardSurvey> {
    const leases = await this.db.all<{ shard_id: number; shard_count: number; holder: string; expires_at: string }>(
      'SELECT shard_id, shard_count, holder, expires_at FROM discord_shard_leases WHERE app_id = ? AND expires_at > ? ORDER BY shard_id',
      [this.appId, now],
    );
    const replicas = await this.db.one<{ n: number }>(
      'SELECT CAST(COUNT(*) AS INTEGER) AS n FROM discord_gateway_replicas WHERE app_id = ? AND expires_at > ?',
      [this.appId, now],
    );
    return {
      leases: leases.map((r) => ({ shardId: Number(r.shard_id), shardCount: Number(r.shard_count), holder: r.holder, expiresAt: r.expires_at })),
      liveReplicas: Number(replicas?.n ?? 0),
    };
  }
}
