import type { Platform } from '../../../adapter.js';
import type { Lang } from '../../../i18n/index.js';
import type { Paper } from '../../../catalog/paper.js';
import type { Db } from '../../../store/db.js';
import type { Subscription } from '../store.js';

/** Reads and writes of the digest tables; every multi-step change runs in the caller's transaction. */

/** A channel's digest settings: the spotlight's subscription without its rotation. */
export type DigestSubscription = Pick<Subscription, 'platform' | 'channel' | 'schedule' | 'timezone' | 'lang' | 'enabled' | 'enabledAt' | 'pausedReason'>;

type DigestStatus = 'pending' | 'posted' | 'failed' | 'expired' | 'unknown' | 'skipped' | 'empty';

export type DigestPost = {
  id: number;
  platform: Platform;
  channel: string;
  slot: string;
  trigger: 'schedule' | 'now';
  status: DigestStatus;
  windowTo: string;
  paperCount: number;
  spotlightPostId: number | null;
  attempts: number;
  inFlight: boolean;
  nextAttemptAt: string | null;
  lastError: string | null;
  messageId: string | null;
  claimedAt: string;
  postedAt: string | null;
};

export type DigestItem = { paperId: string; topic: string; rank: number };

const SUB_COLUMNS = `platform, channel, schedule, timezone, lang, enabled, enabled_at AS enabledAt, paused_reason AS pausedReason`;
const POST_COLUMNS = `id, platform, channel, slot, trigger, status, window_to AS windowTo, paper_count AS paperCount, spotlight_post_id AS spotlightPostId,
  attempts, in_flight AS inFlight, next_attempt_at AS nextAttemptAt, last_error AS lastError, message_id AS messageId, claimed_at AS claimedAt, posted_at AS postedAt`;

const toSub = (r: Omit<DigestSubscription, 'enabled'> & { enabled: number }): DigestSubscription => ({ ...r, enabled: r.enabled === 1 });
const toPost = (r: Omit<DigestPost, 'inFlight'> & { inFlight: number }): DigestPost => ({ ...r, inFlight: r.inFlight === 1 });

export function getSubscription(db: Db, platform: Platform, channel: string): DigestSubscription | null {
  const r = db.prepare(`SELECT ${SUB_COLUMNS} FROM digest_subscriptions WHERE platform = ? AND channel = ?`).get(platform, channel);
  return r ? toSub(r as Parameters<typeof toSub>[0]) : null;
}

export function activeSubscriptions(db: Db): DigestSubscription[] {
  return (db.prepare(`SELECT ${SUB_COLUMNS} FROM digest_subscriptions WHERE enabled = 1 AND paused_reason IS NULL ORDER BY platform, channel`).all() as Parameters<typeof toSub>[0][]).map(toSub);
}

export function subscribe(db: Db, s: { platform: Platform; channel: string; schedule: string; timezone: string; lang: Lang; by: string; now: string }): DigestSubscription {
  db.prepare(
    `INSERT INTO digest_subscriptions (platform, channel, schedule, timezone, lang, enabled, enabled_at, created_by, created_at, updated_at)
     VALUES (@platform, @channel, @schedule, @timezone, @lang, 1, @now, @by, @now, @now)
     ON CONFLICT (platform, channel) DO UPDATE SET schedule = excluded.schedule, timezone = excluded.timezone, lang = excluded.lang,
       enabled_at = CASE WHEN digest_subscriptions.enabled = 1 THEN digest_subscriptions.enabled_at ELSE excluded.enabled_at END,
       enabled = 1, paused_reason = NULL, paused_at = NULL, updated_at = excluded.updated_at`,
  ).run(s);
  return getSubscription(db, s.platform, s.channel)!;
}

export function unsubscribe(db: Db, platform: Platform, channel: string, now: string): boolean {
  return db.prepare('UPDATE digest_subscriptions SET enabled = 0, updated_at = ? WHERE platform = ? AND channel = ? AND enabled = 1').run(now, platform, channel).changes > 0;
}

export function pause(db: Db, platform: Platform, channel: string, reason: string, now: string): void {
  db.prepare('UPDATE digest_subscriptions SET paused_reason = ?, paused_at = ?, updated_at = ? WHERE platform = ? AND channel = ?').run(reason.slice(0, 500), now, now, platform, channel);
}

export function getPost(db: Db, platform: Platform, channel: string, slot: string): DigestPost | null {
  const r = db.prepare(`SELECT ${POST_COLUMNS} FROM digest_posts WHERE platform = ? AND channel = ? AND slot = ?`).get(platform, channel, slot);
  return r ? toPost(r as Parameters<typeof toPost>[0]) : null;
}

export function postById(db: Db, id: number): DigestPost | null {
  const r = db.prepare(`SELECT ${POST_COLUMNS} FROM digest_posts WHERE id = ?`).get(id);
  return r ? toPost(r as Parameters<typeof toPost>[0]) : null;
}

export function pendingPosts(db: Db, platform: Platform, channel: string): DigestPost[] {
  return (db.prepare(`SELECT ${POST_COLUMNS} FROM digest_posts WHERE platform = ? AND channel = ? AND status = 'pending' ORDER BY slot`).all(platform, channel) as Parameters<typeof toPost>[0][]).map(toPost);
}

/** Where the channel's next digest window starts: the end of the last window covered (posted or empty), else when the digest was turned on. */
export function windowStart(db: Db, sub: DigestSubscription): string {
  const r = db
    .prepare("SELECT MAX(window_to) AS w FROM digest_posts WHERE platform = ? AND channel = ? AND status IN ('posted', 'unknown', 'pending', 'empty')")
    .get(sub.platform, sub.channel) as { w: string | null };
  return r.w !== null && r.w > sub.enabledAt ? r.w : sub.enabledAt;
}

/** Where a given post's window started: the end of the window covered before it. */
export function windowStartBefore(db: Db, sub: DigestSubscription, post: DigestPost): string {
  const r = db
    .prepare("SELECT MAX(window_to) AS w FROM digest_posts WHERE platform = ? AND channel = ? AND status IN ('posted', 'unknown', 'pending', 'empty') AND id != ? AND window_to <= ?")
    .get(sub.platform, sub.channel, post.id, post.windowTo) as { w: string | null };
  return r.w ?? sub.enabledAt;
}

export type NewPost = { platform: Platform; channel: string; slot: string; trigger: 'schedule' | 'now'; windowTo: string; now: string; leaseUntil: string | null; items: DigestItem[]; spotlightPostId: number | null };

/**
 * Claims the slot with its papers. The papers' rows go in under (channel, paper): a paper already in
 * an earlier digest of the channel makes the insert fail, so the caller must leave those out (and
 * does, reading inside the same transaction). Null when the slot is taken.
 */
export function insertPost(db: Db, p: NewPost): number | null {
  const status: DigestStatus = p.items.length === 0 ? 'empty' : 'pending';
  const r = db
    .prepare(
      `INSERT INTO digest_posts (platform, channel, slot, trigger, status, window_to, paper_count, spotlight_post_id, attempts, in_flight, next_attempt_at, claimed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, channel, slot) DO NOTHING`,
    )
    .run(p.platform, p.channel, p.slot, p.trigger, status, p.windowTo, p.items.length, p.spotlightPostId, status === 'pending' ? 1 : 0, status === 'pending' ? 1 : 0, p.leaseUntil, p.now);
  if (r.changes === 0) return null;
  const id = Number(r.lastInsertRowid);
  const item = db.prepare('INSERT INTO digest_items (platform, channel, paper_id, post_id, topic, rank) VALUES (?, ?, ?, ?, ?, ?)');
  for (const it of p.items) item.run(p.platform, p.channel, it.paperId, id, it.topic, it.rank);
  return id;
}

export function insertSkipped(db: Db, platform: Platform, channel: string, slot: string, windowTo: string, now: string, reason: string): boolean {
  return (
    db
      .prepare(`INSERT INTO digest_posts (platform, channel, slot, trigger, status, window_to, last_error, claimed_at) VALUES (?, ?, ?, 'schedule', 'skipped', ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(platform, channel, slot, windowTo, reason, now).changes > 0
  );
}

/** The papers a channel has had in any digest (or has on its way). */
export function deliveredPaperIds(db: Db, platform: Platform, channel: string): Set<string> {
  return new Set(db.prepare('SELECT paper_id FROM digest_items WHERE platform = ? AND channel = ?').pluck().all(platform, channel) as string[]);
}

export function itemsOf(db: Db, postId: number): DigestItem[] {
  return db.prepare('SELECT paper_id AS paperId, topic, rank FROM digest_items WHERE post_id = ? ORDER BY rank').all(postId) as DigestItem[];
}

export function takeAttempt(db: Db, id: number, now: string, leaseUntil: string): boolean {
  return db.prepare("UPDATE digest_posts SET attempts = attempts + 1, in_flight = 1, next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?").run(leaseUntil, id, now).changes > 0;
}

export function markPosted(db: Db, id: number, messageId: string, now: string): void {
  db.prepare("UPDATE digest_posts SET status = 'posted', in_flight = 0, message_id = ?, posted_at = ?, next_attempt_at = NULL, last_error = NULL WHERE id = ?").run(messageId, now, id);
}

export function markRetry(db: Db, id: number, error: string, nextAttemptAt: string): void {
  db.prepare("UPDATE digest_posts SET in_flight = 0, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(error.slice(0, 500), nextAttemptAt, id);
}

/**
 * Ends a pending post. A post that cannot have reached the channel (failed, expired) gives its
 * papers back for the next digest; one whose outcome is unknown keeps them (they may be there).
 * Only a post whose next attempt is due is ended when `dueBy` is given.
 */
export function endPost(db: Db, id: number, status: 'failed' | 'expired' | 'unknown', error: string | null, dueBy?: string): boolean {
  const r =
    dueBy === undefined
      ? db.prepare("UPDATE digest_posts SET status = ?, in_flight = 0, next_attempt_at = NULL, last_error = COALESCE(?, last_error) WHERE id = ? AND status = 'pending'").run(status, error, id)
      : db.prepare("UPDATE digest_posts SET status = ?, in_flight = 0, next_attempt_at = NULL WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?").run(status, id, dueBy);
  if (r.changes > 0 && status !== 'unknown') db.prepare('DELETE FROM digest_items WHERE post_id = ?').run(id);
  return r.changes > 0;
}

/** The latest posted digest of a channel, for `status` and `more`. */
export function lastPosted(db: Db, platform: Platform, channel: string): DigestPost | null {
  const r = db.prepare(`SELECT ${POST_COLUMNS} FROM digest_posts WHERE platform = ? AND channel = ? AND status = 'posted' ORDER BY slot DESC, id DESC LIMIT 1`).get(platform, channel);
  return r ? toPost(r as Parameters<typeof toPost>[0]) : null;
}

export type Entered = { paper: Paper; enteredAt: string };

/** Papers that entered the catalog (from anywhere but the bundled list) in (from, to], oldest first. */
export function enteredBetween(db: Db, from: string, to: string): Entered[] {
  const rows = db
    .prepare(
      `SELECT record, added_at AS enteredAt FROM catalog_papers
       WHERE added_at > ? AND added_at <= ? AND origin != 'bundled' AND hidden = 0 ORDER BY added_at, rowid`,
    )
    .all(from, to) as { record: string; enteredAt: string }[];
  return rows.map((r) => ({ paper: JSON.parse(r.record) as Paper, enteredAt: r.enteredAt }));
}
