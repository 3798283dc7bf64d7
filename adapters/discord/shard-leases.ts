import type { PortableMigration } from '../../src/store/migrations.js';
import { iso } from '../../src/clock.js';
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
const shardLeaseMigration: PortableMigration = {
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

/**
 * The shard count the replicas run, as one row per application, and what the leases need to follow it
 * without a restart (issue 15's remaining limits):
 *
 * - `discord_shard_generations`: the count and its generation, a number that goes up by one each time
 *   the count changes (Discord recommends another, or closes a session with 4011 sharding required).
 *   Every replica reads it on each lease round; one that finds a newer generation closes its sessions,
 *   gives its leases back and leases anew under the new count. Changing it is a compare-and-set on the
 *   generation, so two replicas that see the change at once make one new generation, not two.
 *   `next_count_check_at` paces the check of Discord's recommended count: the one replica whose
 *   conditional update moves it forward asks Discord, the others leave it (no lease to hold: a check
 *   that dies half-way is simply made again an interval later).
 * - Each lease row names its generation. Sessions of a new generation open only once no lease of an
 *   older one is held (released after its session closed, or run out, and a replica closes a session
 *   before its lease can run out), so a server's events never reach two sessions of two counts.
 * - A shard that Discord closed for good (4004, 4010–4014: discord.js does not reconnect from these)
 *   keeps its row with no holder, the close code, and a back-off as `expires_at`: no replica takes it
 *   before then, so the replicas together identify for it once per back-off, which doubles with each
 *   failure in a row (`failures`, set back to 0 once a session of it lasts to a renewal).
 *
 * Rows left from migration 75 have generation 0, the generation the first replica writes, so leases
 * running across the upgrade stay valid.
 */
const shardGenerationMigration: PortableMigration = {
  version: 76,
  name: 'discord-shard-generations',
  portable: () => `
CREATE TABLE discord_shard_generations (
  app_id TEXT PRIMARY KEY,
  generation INTEGER NOT NULL,
  shard_count INTEGER NOT NULL,
  reason TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  next_count_check_at TEXT NOT NULL
);
ALTER TABLE discord_shard_leases ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE discord_shard_leases ADD COLUMN closed_code INTEGER;
ALTER TABLE discord_shard_leases ADD COLUMN closed_at TEXT;
ALTER TABLE discord_shard_leases ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;`,
};

/** What the Discord adapter adds to the schema, for the commands that check a database's versions. */
export const discordMigrations = [shardLeaseMigration, shardGenerationMigration];

type ShardLease = {
  shardId: number;
  shardCount: number;
  generation: number;
  /** Empty for a shard Discord closed for good (no replica holds it until `expiresAt`). */
  holder: string;
  expiresAt: string;
  /** The close code of a shard Discord closed for good, and when; null while it is held. */
  closedCode: number | null;
  closedAt: string | null;
};

/** The leases and the replicas alive at one moment, as one replica reads them. */
export type ShardSurvey = { leases: ShardLease[]; liveReplicas: number };

/** The shard count the replicas agreed on, and its generation. */
export type ShardGeneration = { generation: number; shardCount: number; reason: string; changedAt: string };

type LeaseRow = {
  shard_id: number;
  shard_count: number;
  generation: number;
  holder: string;
  expires_at: string;
  closed_code: number | null;
  closed_at: string | null;
};

export class ShardLeaseStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly appId: string,
    /** This replica's name in the rows (unique per process). */
    readonly holder: string,
  ) {}

  /** The count the replicas run and its generation; null before the first replica wrote one. */
  async generation(): Promise<ShardGeneration | null> {
    const row = await this.db.one<{ generation: number; shard_count: number; reason: string; changed_at: string }>(
      'SELECT generation, shard_count, reason, changed_at FROM discord_shard_generations WHERE app_id = ?',
      [this.appId],
    );
    return row && { generation: Number(row.generation), shardCount: Number(row.shard_count), reason: row.reason, changedAt: row.changed_at };
  }

  /** Writes generation 0 with `shardCount` unless a replica wrote one first; returns the row that stands. */
  async firstGeneration(shardCount: number, now: string, nextCheck: string): Promise<ShardGeneration> {
    await this.db.run(
      `INSERT INTO discord_shard_generations (app_id, generation, shard_count, reason, changed_at, next_count_check_at) VALUES (?, 0, ?, ?, ?, ?)
       ON CONFLICT (app_id) DO NOTHING`,
      [this.appId, shardCount, 'the first replica started', now, nextCheck],
    );
    const written = await this.generation();
    if (!written) throw new Error('discord shards: the shard count row was not written');
    return written;
  }

  /** Moves from generation `from` to the next, with `shardCount`; false when another replica moved it first. */
  async changeGeneration(from: number, shardCount: number, reason: string, now: string): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE discord_shard_generations SET generation = generation + 1, shard_count = ?, reason = ?, changed_at = ? WHERE app_id = ? AND generation = ?',
      [shardCount, reason, now, this.appId, from],
    );
    return changed === 1;
  }

  /**
   * True for the one replica that may ask Discord for its recommended count now: the check is due
   * (`next_count_check_at` passed) and this replica's update moved it to `next` first.
   */
  async claimCountCheck(now: string, next: string): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE discord_shard_generations SET next_count_check_at = ? WHERE app_id = ? AND next_count_check_at <= ?',
      [next, this.appId, now],
    );
    return changed === 1;
  }

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
   * a replica takes the lease before it connects); one another replica took is not. A shard renewed
   * has had a session for a whole round: its count of failures in a row starts again.
   */
  async renew(shards: readonly number[], until: string): Promise<Set<number>> {
    if (shards.length === 0) return new Set();
    const rows = await this.db.all<{ shard_id: number }>(
      `UPDATE discord_shard_leases SET expires_at = ?, failures = 0 WHERE app_id = ? AND holder = ? AND shard_id IN (${shards.map(() => '?').join(', ')})
       RETURNING shard_id`,
      [until, this.appId, this.holder, ...shards],
    );
    return new Set(rows.map((r) => Number(r.shard_id)));
  }

  /**
   * Takes shard `shardId` of generation `generation` until `until` if nobody holds it or its lease ran
   * out by `now` (a back-off after Discord closed it for good included; one of an older generation does
   * not hold); true when taken. Nothing is taken once the generation has moved on.
   *
   * Why the no-op update of the generation row first: it locks that row (PostgreSQL) or the database
   * (SQLite) for the transaction, and changeGeneration needs the same lock, so a lease of the old
   * generation cannot be written after a replica has read the new one (PostgreSQL's read committed
   * would otherwise let this insert commit just after a replica checked that no old lease is held).
   */
  async acquire(shardId: number, generation: number, shardCount: number, now: string, until: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const current = await tx.run('UPDATE discord_shard_generations SET generation = generation WHERE app_id = ? AND generation = ?', [
        this.appId,
        generation,
      ]);
      if (current !== 1) return false;
      const changed = await tx.run(
        `INSERT INTO discord_shard_leases (app_id, shard_id, shard_count, generation, holder, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (app_id, shard_id) DO UPDATE SET shard_count = excluded.shard_count, generation = excluded.generation, holder = excluded.holder,
           expires_at = excluded.expires_at, closed_code = NULL, closed_at = NULL
         WHERE discord_shard_leases.expires_at <= ? OR discord_shard_leases.holder = excluded.holder
           OR (discord_shard_leases.closed_code IS NOT NULL AND discord_shard_leases.generation <> excluded.generation)`,
        [this.appId, shardId, shardCount, generation, this.holder, until, now],
      );
      return changed === 1;
    });
  }

  /**
   * After Discord closed shard `shardId` for good: the lease stays as a row no replica holds, with the
   * code, until `now` plus a back-off that doubles with each failure in a row (from `backoffMs`, at most
   * `maxBackoffMs`). Returns when the shard may be tried again, or null when the lease was no longer ours.
   */
  async closedForGood(shardId: number, code: number, now: number, backoffMs: number, maxBackoffMs: number): Promise<number | null> {
    return this.db.transaction(async (tx) => {
      const row = await tx.one<{ failures: number }>('SELECT failures FROM discord_shard_leases WHERE app_id = ? AND shard_id = ? AND holder = ?', [
        this.appId,
        shardId,
        this.holder,
      ]);
      if (!row) return null;
      const failures = Number(row.failures) + 1;
      const retryAt = now + Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(failures - 1, 20));
      // Still ours at the write too: the lease may have run out and another replica taken the shard
      // since the read, and its live session must not be parked.
      const parked = await tx.run(
        `UPDATE discord_shard_leases SET holder = '', closed_code = ?, closed_at = ?, expires_at = ?, failures = ? WHERE app_id = ? AND shard_id = ? AND holder = ?`,
        [code, iso(now), iso(retryAt), failures, this.appId, shardId, this.holder],
      );
      return parked > 0 ? retryAt : null;
    });
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

  /** The leases still running at `now` (back-offs included) and how many replicas are alive (this one included once it has beaten). */
  async survey(now: string): Promise<ShardSurvey> {
    const leases = await this.db.all<LeaseRow>(
      `SELECT shard_id, shard_count, generation, holder, expires_at, closed_code, closed_at FROM discord_shard_leases
       WHERE app_id = ? AND expires_at > ? ORDER BY shard_id`,
      [this.appId, now],
    );
    const replicas = await this.db.one<{ n: number }>(
      'SELECT CAST(COUNT(*) AS INTEGER) AS n FROM discord_gateway_replicas WHERE app_id = ? AND expires_at > ?',
      [this.appId, now],
    );
    return {
      leases: leases.map((r) => ({
        shardId: Number(r.shard_id),
        shardCount: Number(r.shard_count),
        generation: Number(r.generation),
        holder: r.holder,
        expiresAt: r.expires_at,
        closedCode: r.closed_code === null ? null : Number(r.closed_code),
        closedAt: r.closed_at,
      })),
      liveReplicas: Number(replicas?.n ?? 0),
    };
  }
}
