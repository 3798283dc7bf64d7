import type { Platform } from '../../adapter.js';
import type { Paper } from '../../catalog/paper.js';
import * as delivery from '../../delivery/index.js';
import { CLAIM_COLUMNS, stmt, toClaim, type ClaimRow } from '../../delivery/index.js';
import type { Db } from '../../store/db.js';

/**
 * Reads and writes of the digest's state: its schedule and claims in the delivery layer's tables
 * (kind `digest`), and what is its own: each claim's window and the papers it carries. Every
 * multi-step change runs in the caller's transaction.
 */

const KIND = 'digest';

/** A channel's digest settings: a delivery subscription. */
export type DigestSubscription = delivery.Subscription;

/** A digest claim with the end of the catalog window it covers and how many papers it carries. */
export type DigestPost = ClaimRow & { windowTo: string; paperCount: number };

export type DigestItem = { paperId: string; topic: string; rank: number };

const POSTS = `SELECT ${CLAIM_COLUMNS}, COALESCE(w.window_to, c.slot) AS windowTo, COALESCE(w.paper_count, 0) AS paperCount
  FROM delivery_claims c LEFT JOIN digest_windows w ON w.claim_id = c.id WHERE c.kind = '${KIND}'`;
type PostRecord = Omit<DigestPost, 'inFlight'> & { inFlight: number };
/** Statuses whose window counts as covered: the next digest starts where they end. */
const COVERED = "'posted', 'unknown', 'pending', 'empty'";

export function getSubscription(db: Db, platform: Platform, channel: string): DigestSubscription | null {
  return delivery.getSubscription(db, KIND, platform, channel);
}

export function activeSubscriptions(db: Db): DigestSubscription[] {
  return delivery.activeSubscriptions(db, KIND);
}

/** Turns the digest on; a digest already on keeps its window (and when it was turned on). */
export function subscribe(db: Db, s: delivery.SubscribeInput): DigestSubscription | null {
  delivery.subscribe(db, KIND, s, 'keep');
  return getSubscription(db, s.platform, s.channel);
}

export function unsubscribe(db: Db, platform: Platform, channel: string, now: string): boolean {
  return delivery.unsubscribe(db, KIND, platform, channel, now);
}

export function getPost(db: Db, platform: Platform, channel: string, slot: string): DigestPost | null {
  const r = stmt<[Platform, string, string], PostRecord>(db, `${POSTS} AND c.platform = ? AND c.channel = ? AND c.slot = ?`).get(platform, channel, slot);
  return r ? toClaim(r) : null;
}

export function postById(db: Db, id: number): DigestPost | null {
  const r = stmt<[number], PostRecord>(db, `${POSTS} AND c.id = ?`).get(id);
  return r ? toClaim(r) : null;
}

export function pendingPosts(db: Db, platform: Platform, channel: string): DigestPost[] {
  return stmt<[Platform, string], PostRecord>(db, `${POSTS} AND c.platform = ? AND c.channel = ? AND c.status = 'pending' AND c.carried_by IS NULL ORDER BY c.slot`)
    .all(platform, channel)
    .map(toClaim);
}

/** Where the channel's next digest window starts: the end of the last window covered (posted or empty), else when the digest was turned on. */
export function windowStart(db: Db, sub: DigestSubscription): string {
  const r = stmt<[Platform, string], { w: string | null }>(
    db,
    `SELECT MAX(w.window_to) AS w FROM delivery_claims c JOIN digest_windows w ON w.claim_id = c.id
      WHERE c.kind = '${KIND}' AND c.platform = ? AND c.channel = ? AND c.status IN (${COVERED})`,
  ).get(sub.platform, sub.channel);
  const w = r?.w ?? null;
  return w !== null && w > sub.enabledAt ? w : sub.enabledAt;
}

/** Where a given post's window started: the end of the window covered before it. */
export function windowStartBefore(db: Db, sub: DigestSubscription, post: DigestPost): string {
  const r = stmt<[Platform, string, number, string], { w: string | null }>(
    db,
    `SELECT MAX(w.window_to) AS w FROM delivery_claims c JOIN digest_windows w ON w.claim_id = c.id
      WHERE c.kind = '${KIND}' AND c.platform = ? AND c.channel = ? AND c.status IN (${COVERED}) AND c.id != ? AND w.window_to <= ?`,
  ).get(sub.platform, sub.channel, post.id, post.windowTo);
  return r?.w ?? sub.enabledAt;
}

export type NewPost = { platform: Platform; channel: string; slot: string; trigger: 'schedule' | 'now'; windowTo: string; now: string; leaseUntil: string | null; items: DigestItem[] };

/**
 * Claims the slot with its papers (`empty` when there are none: the window moves on, nothing is
 * posted). The papers' rows go in under (channel, paper): a paper already in an earlier digest of the
 * channel makes the insert fail, so the caller must leave those out (and does, reading inside the
 * same transaction). Null when the slot is taken.
 */
export function insertPost(db: Db, p: NewPost): number | null {
  const leaseUntil = p.items.length === 0 ? null : p.leaseUntil;
  const id = delivery.insertClaim(db, { kind: KIND, platform: p.platform, channel: p.channel, slot: p.slot, trigger: p.trigger, now: p.now, leaseUntil });
  if (id === null) return null;
  stmt(db, 'INSERT INTO digest_windows (claim_id, window_to, paper_count) VALUES (?, ?, ?)').run(id, p.windowTo, p.items.length);
  const item = stmt(db, 'INSERT INTO digest_papers (platform, channel, paper_id, claim_id, topic, rank) VALUES (?, ?, ?, ?, ?, ?)');
  for (const it of p.items) item.run(p.platform, p.channel, it.paperId, id, it.topic, it.rank);
  return id;
}

export function insertSkipped(db: Db, platform: Platform, channel: string, slot: string, windowTo: string, now: string, reason: string): boolean {
  const id = delivery.insertSkipped(db, KIND, { platform, channel }, slot, now, reason);
  if (id !== null) stmt(db, 'INSERT INTO digest_windows (claim_id, window_to, paper_count) VALUES (?, ?, 0)').run(id, windowTo);
  return id !== null;
}

/** The papers a channel has had in any digest (or has on its way). */
export function deliveredPaperIds(db: Db, platform: Platform, channel: string): Set<string> {
  return new Set(stmt(db, 'SELECT paper_id FROM digest_papers WHERE platform = ? AND channel = ?').pluck().all(platform, channel) as string[]);
}

export function itemsOf(db: Db, postId: number): DigestItem[] {
  return stmt<[number], DigestItem>(db, 'SELECT paper_id AS paperId, topic, rank FROM digest_papers WHERE claim_id = ? ORDER BY rank').all(postId);
}

/**
 * Ends a pending post (and what it carried). A post that cannot have reached the channel (failed,
 * expired) gives its papers back for the next digest; one whose outcome is unknown keeps them (they
 * may be there). Only a post whose next attempt is due is ended when `dueBy` is given.
 */
export function endPost(db: Db, id: number, status: 'failed' | 'expired' | 'unknown', error: string | null, dueBy?: string): boolean {
  const ended = delivery.endClaim(db, id, status, error, dueBy);
  if (ended && status !== 'unknown') givePapersBack(db, id);
  return ended;
}

/** A post that cannot have reached the channel frees its papers for the channel's next digest. */
export function givePapersBack(db: Db, id: number): void {
  stmt(db, 'DELETE FROM digest_papers WHERE claim_id = ?').run(id);
}

/** The latest posted digest of a channel, for `status` and `more`. */
export function lastPosted(db: Db, platform: Platform, channel: string): DigestPost | null {
  const r = stmt<[Platform, string], PostRecord>(db, `${POSTS} AND c.platform = ? AND c.channel = ? AND c.status = 'posted' ORDER BY c.slot DESC, c.id DESC LIMIT 1`).get(
    platform,
    channel,
  );
  return r ? toClaim(r) : null;
}

export type Entered = { paper: Paper; enteredAt: string };

/** Papers that entered the catalog (from anywhere but the bundled list) in (from, to], oldest first. */
export function enteredBetween(db: Db, from: string, to: string): Entered[] {
  const rows = stmt<[string, string], { record: string; enteredAt: string }>(
    db,
    `SELECT record, added_at AS enteredAt FROM catalog_papers
      WHERE added_at > ? AND added_at <= ? AND origin != 'bundled' AND hidden = 0 ORDER BY added_at, rowid`,
  ).all(from, to);
  return rows.map((r) => ({ paper: JSON.parse(r.record) as Paper, enteredAt: r.enteredAt }));
}
