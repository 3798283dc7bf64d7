import type { Paper } from '../../catalog/paper.js';
import { CATALOG_LOCK } from '../../catalog/store.js';
import * as delivery from '../../delivery/index.js';
import { channelKey, channelParams, CLAIM_COLUMNS, toClaim, type ChannelRef, type ClaimRow } from '../../delivery/index.js';
import type { SqlDatabase, SqlQueries, SqlTransaction } from '../../store/sql/types.js';

/**
 * Reads and writes of the digest's state, on the store interface (SQLite or PostgreSQL): its
 * schedule and claims in the delivery layer's tables (kind `digest`), and what is its own: each
 * claim's window and the papers it carries. Every multi-step change runs in the caller's
 * transaction. `q` is the database or that transaction.
 */

const KIND = 'digest';

/** A channel's digest settings: a delivery subscription. */
export type DigestSubscription = delivery.Subscription;

/** A digest claim with the end of the catalog window it covers and how many papers it carries. */
export type DigestPost = ClaimRow & { windowTo: string; paperCount: number };

export type DigestItem = { paperId: string; topic: string; rank: number };

const POSTS = `SELECT ${CLAIM_COLUMNS}, COALESCE(w.window_to, c.slot) AS "windowTo", COALESCE(w.paper_count, 0) AS "paperCount"
  FROM delivery_claims c LEFT JOIN digest_windows w ON w.claim_id = c.id WHERE c.kind = '${KIND}'`;
type PostRecord = Omit<DigestPost, 'inFlight'> & { inFlight: number };
/** Statuses whose window counts as covered: the next digest starts where they end. */
const COVERED = "'posted', 'unknown', 'pending', 'empty'";

export function getSubscription(q: SqlQueries, ref: ChannelRef): Promise<DigestSubscription | null> {
  return delivery.getSubscription(q, KIND, ref);
}

export function activeSubscriptions(q: SqlQueries): Promise<DigestSubscription[]> {
  return delivery.activeSubscriptions(q, KIND);
}

/** Locks the channel's digest subscription for a claim (see `delivery.lockSubscription`). */
export function lockSubscription(sql: SqlDatabase, tx: SqlTransaction, ref: ChannelRef, skip: boolean): Promise<boolean> {
  return delivery.lockSubscription(sql, tx, KIND, ref, skip);
}

/** Turns the digest on; a digest already on keeps its window (and when it was turned on). */
export async function subscribe(q: SqlQueries, s: delivery.SubscribeInput): Promise<DigestSubscription | null> {
  await delivery.subscribe(q, KIND, s, 'keep');
  return getSubscription(q, s);
}

export function unsubscribe(q: SqlQueries, ref: ChannelRef, now: string): Promise<boolean> {
  return delivery.unsubscribe(q, KIND, ref, now);
}

export async function getPost(q: SqlQueries, ref: ChannelRef, slot: string): Promise<DigestPost | null> {
  const r = await q.one<PostRecord>(`${POSTS} AND ${channelKey('c')} AND c.slot = ?`, [...channelParams(ref), slot]);
  return r ? toClaim(r) : null;
}

export async function postById(q: SqlQueries, id: number): Promise<DigestPost | null> {
  const r = await q.one<PostRecord>(`${POSTS} AND c.id = ?`, [id]);
  return r ? toClaim(r) : null;
}

export async function pendingPosts(q: SqlQueries, ref: ChannelRef): Promise<DigestPost[]> {
  return (await q.all<PostRecord>(`${POSTS} AND ${channelKey('c')} AND c.status = 'pending' AND c.carried_by IS NULL ORDER BY c.slot`, channelParams(ref))).map(toClaim);
}

/** Where the channel's next digest window starts: the end of the last window covered (posted or empty), else when the digest was turned on. */
export async function windowStart(q: SqlQueries, sub: DigestSubscription): Promise<string> {
  const r = await q.one<{ w: string | null }>(
    `SELECT MAX(w.window_to) AS w FROM delivery_claims c JOIN digest_windows w ON w.claim_id = c.id
      WHERE c.kind = '${KIND}' AND ${channelKey('c')} AND c.status IN (${COVERED})`,
    channelParams(sub),
  );
  const w = r?.w ?? null;
  return w !== null && w > sub.enabledAt ? w : sub.enabledAt;
}

/** Where a given post's window started: the end of the window covered before it. */
export async function windowStartBefore(q: SqlQueries, sub: DigestSubscription, post: DigestPost): Promise<string> {
  const r = await q.one<{ w: string | null }>(
    `SELECT MAX(w.window_to) AS w FROM delivery_claims c JOIN digest_windows w ON w.claim_id = c.id
      WHERE c.kind = '${KIND}' AND ${channelKey('c')} AND c.status IN (${COVERED}) AND c.id != ? AND w.window_to <= ?`,
    [...channelParams(sub), post.id, post.windowTo],
  );
  return r?.w ?? sub.enabledAt;
}

export type NewPost = ChannelRef & { slot: string; trigger: 'schedule' | 'now'; windowTo: string; now: string; leaseUntil: string | null; items: DigestItem[] };

/**
 * Claims the slot with its papers (`empty` when there are none: the window moves on, nothing is
 * posted). The papers' rows go in under (channel, paper): a paper already in an earlier digest of the
 * channel makes the insert fail, so the caller must leave those out (and does, reading inside the
 * same transaction). Null when the slot is taken.
 */
export async function insertPost(tx: SqlTransaction, p: NewPost): Promise<number | null> {
  const leaseUntil = p.items.length === 0 ? null : p.leaseUntil;
  const id = await delivery.insertClaim(tx, { kind: KIND, platform: p.platform, workspaceId: p.workspaceId, channel: p.channel, slot: p.slot, trigger: p.trigger, now: p.now, leaseUntil });
  if (id === null) return null;
  await tx.run('INSERT INTO digest_windows (claim_id, window_to, paper_count) VALUES (?, ?, ?)', [id, p.windowTo, p.items.length]);
  for (const it of p.items) {
    await tx.run('INSERT INTO digest_papers (platform, workspace_id, channel, paper_id, claim_id, topic, rank) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      ...channelParams(p),
      it.paperId,
      id,
      it.topic,
      it.rank,
    ]);
  }
  return id;
}

export async function insertSkipped(sql: SqlDatabase, ref: ChannelRef, slot: string, windowTo: string, now: string, reason: string): Promise<boolean> {
  return sql.transaction(async (tx) => {
    const id = await delivery.insertSkipped(tx, KIND, ref, slot, now, reason);
    if (id !== null) await tx.run('INSERT INTO digest_windows (claim_id, window_to, paper_count) VALUES (?, ?, 0)', [id, windowTo]);
    return id !== null;
  });
}

/** The papers a channel has had in any digest (or has on its way). */
export async function deliveredPaperIds(q: SqlQueries, ref: ChannelRef): Promise<Set<string>> {
  return new Set((await q.all<{ paper_id: string }>(`SELECT paper_id FROM digest_papers WHERE ${channelKey()}`, channelParams(ref))).map((r) => r.paper_id));
}

export function itemsOf(q: SqlQueries, postId: number): Promise<DigestItem[]> {
  return q.all<DigestItem>('SELECT paper_id AS "paperId", topic, rank FROM digest_papers WHERE claim_id = ? ORDER BY rank', [postId]);
}

/**
 * Ends a pending post (and what it carried). A post that cannot have reached the channel (failed,
 * expired) gives its papers back for the next digest; one whose outcome is unknown keeps them (they
 * may be there). Only a post whose next attempt is due is ended when `dueBy` is given.
 */
export async function endPost(tx: SqlTransaction, id: number, status: 'failed' | 'expired' | 'unknown', error: string | null, dueBy?: string): Promise<boolean> {
  const ended = await delivery.endClaim(tx, id, status, error, dueBy);
  if (ended && status !== 'unknown') await givePapersBack(tx, id);
  return ended;
}

/** A post that cannot have reached the channel frees its papers for the channel's next digest. */
export async function givePapersBack(q: SqlQueries, id: number): Promise<void> {
  await q.run('DELETE FROM digest_papers WHERE claim_id = ?', [id]);
}

/** The latest posted digest of a channel, for `status` and `more`. */
export async function lastPosted(q: SqlQueries, ref: ChannelRef): Promise<DigestPost | null> {
  const r = await q.one<PostRecord>(`${POSTS} AND ${channelKey('c')} AND c.status = 'posted' ORDER BY c.slot DESC, c.id DESC LIMIT 1`, channelParams(ref));
  return r ? toClaim(r) : null;
}

/** The digest's papers recorded for the channel before its workspace was known (see `delivery.adoptOnce`). */
export async function adopt(sql: SqlDatabase, ref: ChannelRef): Promise<void> {
  await delivery.adoptDelivery(sql, ref);
  await delivery.adoptOnce(sql, KIND, ref, async (tx, params) => {
    await tx.run(
      `UPDATE digest_papers SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel = ?
       AND paper_id NOT IN (SELECT o.paper_id FROM digest_papers o WHERE ${channelKey('o')})`,
      params,
    );
  });
}

export type Entered = { paper: Paper; enteredAt: string };

/**
 * Papers that entered the catalog (from anywhere but the bundled list) in (from, to], oldest first:
 * on the store interface, so on PostgreSQL a paper any replica added is in every replica's window.
 * Callers make it before a claim's transaction, never inside one (it may be a large read).
 *
 * Read under the catalog's write lock: a write takes its `added_at` under that lock and commits
 * before releasing it, so a paper whose write is in flight now (its `added_at` already at or before
 * `to`, its commit not yet visible) is waited for, and a write that starts after this read stamps a
 * time after `to`, in the next window. Without it such a paper would fall between two windows.
 */
export async function enteredBetween(sql: SqlDatabase, from: string, to: string): Promise<Entered[]> {
  const rows = await sql.transaction(async (tx) => {
    await tx.lock(CATALOG_LOCK);
    return tx.all<{ record: string; enteredAt: string }>(
      `SELECT record, added_at AS "enteredAt" FROM catalog_papers
        WHERE added_at > ? AND added_at <= ? AND origin <> 'bundled' AND hidden = 0 ORDER BY added_at, ord`,
      [from, to],
    );
  });
  return rows.map((r) => ({ paper: JSON.parse(r.record) as Paper, enteredAt: r.enteredAt }));
}
