import type { Platform } from '../../adapter.js';
import type { SqlDatabase } from '../../store/sql/types.js';
import type { FeedSource } from './sources.js';

/** Reads and writes of the feed tables, asynchronous, on SQLite or PostgreSQL. */

export type FeedState = 'active' | 'failing' | 'gone';

/** Whose feed list a command speaks for: the workspace (Slack team, Discord server) of a platform. */
export type Tenant = { platform: Platform; workspaceId: string };

export type FeedRow = {
  id: number;
  source: string;
  kind: FeedSource['kind'];
  title: string | null;
  addedIn: string | null;
  addedAt: string;
  state: FeedState;
  etag: string | null;
  lastModified: string | null;
  nextPollAt: string;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  papersAdded: number;
  itemsSeen: number;
  itemsSkipped: number;
};

export type Success = { etag: string | null; lastModified: string | null; title?: string; added: number; seen: number; skipped: number; nextPollAt: string };

/** A new item of a feed and the catalog paper it became. */
export type SeenItem = { guidHash: string; paperId: string };

const COLUMNS = `f.id, f.source, f.kind, f.title, f.added_in AS "addedIn", f.added_at AS "addedAt", f.state, f.etag, f.last_modified AS "lastModified",
  f.next_poll_at AS "nextPollAt", f.last_polled_at AS "lastPolledAt", f.last_success_at AS "lastSuccessAt", f.last_error AS "lastError",
  f.last_error_at AS "lastErrorAt", f.failures, f.papers_added AS "papersAdded", f.items_seen AS "itemsSeen", f.items_skipped AS "itemsSkipped"`;

/** Rows per INSERT of seen items: far below either engine's limit on parameters. */
const ITEMS_PER_INSERT = 200;

const sourceLock = (source: string) => `feeds:source:${source}`;

const stores = new WeakMap<SqlDatabase, FeedStore>();
/** The channels this process has seen adopted (see `adopt`), per database. */
const adoptedChannels = new WeakMap<SqlDatabase, Set<string>>();

/** The feed store over the database's store interface. */
export function feedStore(sql: SqlDatabase): FeedStore {
  let store = stores.get(sql);
  if (!store) {
    store = new FeedStore(sql);
    stores.set(sql, store);
  }
  return store;
}

/**
 * How "once" holds across replicas (processes, or machines on one PostgreSQL):
 * - A feed is read by one replica a round: `claimDue` takes the due feeds with
 *   `SELECT … FOR UPDATE SKIP LOCKED` and, in the same transaction, moves their next read a read's
 *   length ahead (the read lease). Replicas claiming at once each lock rows the others have not
 *   locked and none waits for another (a queue, so skipping is right: a feed another replica holds is
 *   its to read); once committed, the moved `next_poll_at` keeps the feed out of every later claim
 *   until the read records its outcome, or, if that replica dies, until the lease runs out.
 * - An item enters the catalog once per feed: the seen items are checked before the intake and
 *   recorded after it (`ON CONFLICT DO NOTHING`), so a replica that dies in between only makes the
 *   next read take the item again, which the catalog merges into the record it made.
 * - Subscribing and unsubscribing one source are serialised by an advisory lock on the source, so
 *   removing a workspace's last subscription never deletes a feed another workspace is adding.
 * On SQLite every write transaction holds the file's one write lock, which gives the same orders.
 */
export class FeedStore {
  constructor(private readonly sql: SqlDatabase) {}

  /**
   * Subscriptions recorded before the adapters named a channel's workspace are in workspace ''.
   * The first command from the channel a feed was added in that names its workspace takes them
   * over (unless the workspace has that feed already). Once per channel and process.
   */
  async adopt(tenant: Tenant, channelId: string): Promise<void> {
    if (!tenant.workspaceId) return;
    let seen = adoptedChannels.get(this.sql);
    if (!seen) {
      seen = new Set();
      adoptedChannels.set(this.sql, seen);
    }
    const key = JSON.stringify([tenant.platform, tenant.workspaceId, channelId]);
    if (seen.has(key)) return;
    await this.sql.run(
      `UPDATE feed_subscriptions SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND added_in = ?
       AND feed_id NOT IN (SELECT s.feed_id FROM feed_subscriptions s WHERE s.platform = ? AND s.workspace_id = ?)`,
      [tenant.workspaceId, tenant.platform, `${tenant.platform}:${channelId}`, tenant.platform, tenant.workspaceId],
    );
    seen.add(key);
  }

  /** The tenant's feeds, in the order they were first added. */
  feeds(tenant: Tenant): Promise<FeedRow[]> {
    return this.sql.all<FeedRow>(
      `SELECT ${COLUMNS} FROM feeds f JOIN feed_subscriptions s ON s.feed_id = f.id WHERE s.platform = ? AND s.workspace_id = ? ORDER BY f.id`,
      [tenant.platform, tenant.workspaceId],
    );
  }

  /** Every feed, whoever follows it. */
  all(): Promise<FeedRow[]> {
    return this.sql.all<FeedRow>(`SELECT ${COLUMNS} FROM feeds f ORDER BY f.id`);
  }

  /**
   * Subscribes the tenant to a source: the feed is created due at once, or read again when it was
   * gone. Null when the tenant follows it already and it is not gone.
   */
  subscribe(tenant: Tenant, source: FeedSource, addedBy: string, addedIn: string, now: string): Promise<FeedRow | null> {
    return this.sql.transaction(async (tx) => {
      await tx.lock(sourceLock(source.spec));
      const revived = await tx.run(
        `INSERT INTO feeds (source, kind, added_by, added_in, added_at, next_poll_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (source) DO UPDATE SET state = 'active', failures = 0, next_poll_at = excluded.next_poll_at WHERE feeds.state = 'gone'`,
        [source.spec, source.kind, addedBy, addedIn, now, now],
      );
      const feed = await tx.one<FeedRow>(`SELECT ${COLUMNS} FROM feeds f WHERE f.source = ?`, [source.spec]);
      if (!feed) throw new Error(`feeds: ${source.spec} vanished while being added`);
      const subscribed = await tx.run(
        `INSERT INTO feed_subscriptions (platform, workspace_id, feed_id, added_by, added_in, added_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [tenant.platform, tenant.workspaceId, feed.id, addedBy, addedIn, now],
      );
      return revived + subscribed > 0 ? feed : null;
    });
  }

  /** Ends the tenant's subscription; the feed and its items go with the last one. */
  unsubscribe(tenant: Tenant, feed: Pick<FeedRow, 'id' | 'source'>): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      await tx.lock(sourceLock(feed.source));
      const ended = await tx.run('DELETE FROM feed_subscriptions WHERE platform = ? AND workspace_id = ? AND feed_id = ?', [tenant.platform, tenant.workspaceId, feed.id]);
      await tx.run('DELETE FROM feeds WHERE id = ? AND NOT EXISTS (SELECT 1 FROM feed_subscriptions s WHERE s.feed_id = feeds.id)', [feed.id]);
      return ended > 0;
    });
  }

  /**
   * Takes up to `limit` due feeds for this replica, oldest due first, and holds each until
   * `leaseUntil` (see the class comment). The rows come back as they were before the claim.
   */
  claimDue(now: string, leaseUntil: string, limit: number): Promise<FeedRow[]> {
    return this.sql.transaction(async (tx) => {
      const due = await tx.all<FeedRow>(
        `SELECT ${COLUMNS} FROM feeds f WHERE f.state <> 'gone' AND f.next_poll_at <= ? ORDER BY f.next_poll_at, f.id LIMIT ?${this.sql.dialect.skipLocked}`,
        [now, limit],
      );
      if (due.length === 0) return due;
      await tx.run(`UPDATE feeds SET next_poll_at = ?, last_polled_at = ? WHERE id IN (${due.map(() => '?').join(', ')})`, [leaseUntil, now, ...due.map((f) => f.id)]);
      return due;
    });
  }

  /** Which of these item hashes the feed has seen. */
  async seen(feedId: number, guidHashes: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < guidHashes.length; i += ITEMS_PER_INSERT) {
      const batch = guidHashes.slice(i, i + ITEMS_PER_INSERT);
      const rows = await this.sql.all<{ h: string }>(
        `SELECT guid_hash AS h FROM feed_items WHERE feed_id = ? AND guid_hash IN (${batch.map(() => '?').join(', ')})`,
        [feedId, ...batch],
      );
      for (const r of rows) found.add(r.h);
    }
    return found;
  }

  /** A read that succeeded: its new items and the feed's state, in one transaction. */
  recordRead(feedId: number, items: SeenItem[], s: Success, now: string): Promise<void> {
    return this.sql.transaction(async (tx) => {
      for (let i = 0; i < items.length; i += ITEMS_PER_INSERT) {
        const batch = items.slice(i, i + ITEMS_PER_INSERT);
        await tx.run(
          `INSERT INTO feed_items (feed_id, guid_hash, paper_id, seen_at) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
          batch.flatMap((item) => [feedId, item.guidHash, item.paperId, now]),
        );
      }
      await tx.run(
        `UPDATE feeds SET state = 'active', failures = 0, etag = ?, last_modified = ?, title = COALESCE(?, title), last_success_at = ?,
           next_poll_at = ?, papers_added = papers_added + ?, items_seen = items_seen + ?, items_skipped = items_skipped + ? WHERE id = ?`,
        [s.etag, s.lastModified, s.title || null, now, s.nextPollAt, s.added, s.seen, s.skipped, feedId],
      );
    });
  }

  async recordFailure(feedId: number, state: FeedState, error: string, nextPollAt: string, now: string): Promise<void> {
    await this.sql.run('UPDATE feeds SET state = ?, failures = failures + 1, last_error = ?, last_error_at = ?, next_poll_at = ? WHERE id = ?', [
      state,
      error.slice(0, 500),
      now,
      nextPollAt,
      feedId,
    ]);
  }
}
