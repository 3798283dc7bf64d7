import type { Db } from '../../store/db.js';
import type { FeedSource } from './sources.js';

/** Reads and writes of the feed tables. */

export type FeedState = 'active' | 'failing' | 'gone';

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

const COLUMNS = `id, source, kind, title, added_in AS addedIn, added_at AS addedAt, state, etag, last_modified AS lastModified,
  next_poll_at AS nextPollAt, last_polled_at AS lastPolledAt, last_success_at AS lastSuccessAt, last_error AS lastError,
  last_error_at AS lastErrorAt, failures, papers_added AS papersAdded, items_seen AS itemsSeen, items_skipped AS itemsSkipped`;

export function allFeeds(db: Db): FeedRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM feeds ORDER BY id`).all() as FeedRow[];
}

function feedBySource(db: Db, source: string): FeedRow | null {
  return (db.prepare(`SELECT ${COLUMNS} FROM feeds WHERE source = ?`).get(source) as FeedRow | undefined) ?? null;
}

/** Adds a feed, due at once; a feed that was gone is read again. Null when it is already there. */
export function addFeed(db: Db, source: FeedSource, addedBy: string, addedIn: string, now: string): FeedRow | null {
  const r = db
    .prepare(
      `INSERT INTO feeds (source, kind, added_by, added_in, added_at, next_poll_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET state = 'active', failures = 0, next_poll_at = excluded.next_poll_at WHERE feeds.state = 'gone'`,
    )
    .run(source.spec, source.kind, addedBy, addedIn, now, now);
  return r.changes > 0 ? feedBySource(db, source.spec) : null;
}

export function removeFeed(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM feeds WHERE id = ?').run(id).changes > 0;
}

/** Feeds due for a read, oldest due first. */
export function dueFeeds(db: Db, now: string): FeedRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM feeds WHERE state != 'gone' AND next_poll_at <= ? ORDER BY next_poll_at, id`).all(now) as FeedRow[];
}

/** Takes a due feed for this process: only one process gets it, the read holds it until `leaseUntil`. */
export function takeFeed(db: Db, id: number, now: string, leaseUntil: string): boolean {
  return db.prepare("UPDATE feeds SET next_poll_at = ?, last_polled_at = ? WHERE id = ? AND state != 'gone' AND next_poll_at <= ?").run(leaseUntil, now, id, now).changes > 0;
}

export type Success = { etag: string | null; lastModified: string | null; title?: string; added: number; seen: number; skipped: number; nextPollAt: string };

export function recordSuccess(db: Db, id: number, s: Success, now: string): void {
  db.prepare(
    `UPDATE feeds SET state = 'active', failures = 0, etag = ?, last_modified = ?, title = COALESCE(?, title), last_success_at = ?,
       next_poll_at = ?, papers_added = papers_added + ?, items_seen = items_seen + ?, items_skipped = items_skipped + ? WHERE id = ?`,
  ).run(s.etag, s.lastModified, s.title || null, now, s.nextPollAt, s.added, s.seen, s.skipped, id);
}

export function recordFailure(db: Db, id: number, state: FeedState, error: string, nextPollAt: string, now: string): void {
  db.prepare('UPDATE feeds SET state = ?, failures = failures + 1, last_error = ?, last_error_at = ?, next_poll_at = ? WHERE id = ?').run(
    state,
    error.slice(0, 500),
    now,
    nextPollAt,
    id,
  );
}

/** Records that the feed holds this item; false when it had been seen before. */
export function markSeen(db: Db, feedId: number, guidHash: string, now: string): boolean {
  return db.prepare('INSERT INTO feed_items (feed_id, guid_hash, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(feedId, guidHash, now).changes > 0;
}

export function setItemPaper(db: Db, feedId: number, guidHash: string, paperId: string): void {
  db.prepare('UPDATE feed_items SET paper_id = ? WHERE feed_id = ? AND guid_hash = ?').run(paperId, feedId, guidHash);
}
