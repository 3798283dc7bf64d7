import { randomInt } from 'node:crypto';
import type { Platform } from '../../adapter.js';
import type { Lang } from '../../i18n/index.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../store/db.js';

/** Reads and writes of the spotlight tables; every multi-step change is one transaction. */

export type Subscription = {
  platform: Platform;
  channel: string;
  schedule: string;
  timezone: string;
  lang: Lang;
  enabled: boolean;
  enabledAt: string;
  pausedReason: string | null;
  pausedAt: string | null;
  seed: number;
  round: number;
};

type PostStatus = 'pending' | 'posted' | 'failed' | 'expired' | 'unknown' | 'skipped';

export type PostRow = {
  id: number;
  platform: Platform;
  channel: string;
  slot: string;
  trigger: 'schedule' | 'now';
  status: PostStatus;
  paperId: string | null;
  round: number | null;
  attempts: number;
  inFlight: boolean;
  nextAttemptAt: string | null;
  lastError: string | null;
  messageId: string | null;
  claimedAt: string;
};

/** Columns under the names of Subscription's fields; SQLite has no booleans, so `enabled` is 0 or 1. */
const SUBSCRIPTION_COLUMNS = `platform, channel, schedule, timezone, lang, enabled, enabled_at AS enabledAt,
  paused_reason AS pausedReason, paused_at AS pausedAt, seed, round`;
type SubscriptionRecord = Omit<Subscription, 'enabled'> & { enabled: number };

/** Columns under the names of PostRow's fields; `in_flight` is 0 or 1. */
const POST_COLUMNS = `id, platform, channel, slot, trigger, status, paper_id AS paperId, round, attempts, in_flight AS inFlight,
  next_attempt_at AS nextAttemptAt, last_error AS lastError, message_id AS messageId, claimed_at AS claimedAt`;
type PostRecord = Omit<PostRow, 'inFlight'> & { inFlight: number };

function toSubscription(r: SubscriptionRecord): Subscription {
  return { ...r, enabled: r.enabled === 1 };
}

function toPost(r: PostRecord): PostRow {
  return { ...r, inFlight: r.inFlight === 1 };
}

/** Prepared statements, once per connection: a tick every minute runs the same few queries. */
const statements = new WeakMap<Db, Map<string, Statement>>();

function stmt(db: Db, sql: string): Statement {
  let byDb = statements.get(db);
  if (!byDb) statements.set(db, (byDb = new Map()));
  let s = byDb.get(sql);
  if (!s) byDb.set(sql, (s = db.prepare(sql)));
  return s;
}

/** Statuses whose paper counts as spotlighted in its round. */
const USED_STATUSES = ['pending', 'posted', 'unknown'] as const;
const USED_SQL = USED_STATUSES.map((s) => `'${s}'`).join(', ');

export function getSubscription(db: Db, platform: Platform, channel: string): Subscription | null {
  const r = stmt(db, `SELECT ${SUBSCRIPTION_COLUMNS} FROM spotlight_subscriptions WHERE platform = ? AND channel = ?`)
    .get(platform, channel) as SubscriptionRecord | undefined;
  return r ? toSubscription(r) : null;
}

export function allSubscriptions(db: Db): Subscription[] {
  return (stmt(db, `SELECT ${SUBSCRIPTION_COLUMNS} FROM spotlight_subscriptions ORDER BY platform, channel`).all() as SubscriptionRecord[]).map(toSubscription);
}

export function activeSubscriptions(db: Db): Subscription[] {
  return (
    stmt(db, `SELECT ${SUBSCRIPTION_COLUMNS} FROM spotlight_subscriptions WHERE enabled = 1 AND paused_reason IS NULL ORDER BY platform, channel`)
      .all() as SubscriptionRecord[]
  ).map(toSubscription);
}

export type SubscribeInput = {
  platform: Platform;
  channel: string;
  schedule: string;
  timezone: string;
  lang: Lang;
  by?: string;
  now: string;
};

/** Turns a channel's spotlight on (or changes it); the rotation of an earlier subscription carries on. */
export function subscribe(db: Db, input: SubscribeInput): Subscription {
  stmt(db, 
    `INSERT INTO spotlight_subscriptions
       (platform, channel, schedule, timezone, lang, enabled, enabled_at, seed, round, created_by, created_at, updated_at)
     VALUES (@platform, @channel, @schedule, @timezone, @lang, 1, @now, @seed, 1, @by, @now, @now)
     ON CONFLICT (platform, channel) DO UPDATE SET
       schedule = excluded.schedule, timezone = excluded.timezone, lang = excluded.lang, enabled = 1,
       enabled_at = excluded.enabled_at, paused_reason = NULL, paused_at = NULL, updated_at = excluded.updated_at`,
  ).run({ ...input, by: input.by ?? null, seed: randomInt(0, 2 ** 31 - 1) });
  return getSubscription(db, input.platform, input.channel)!;
}

export function unsubscribe(db: Db, platform: Platform, channel: string, now: string): boolean {
  const r = stmt(db, 'UPDATE spotlight_subscriptions SET enabled = 0, updated_at = ? WHERE platform = ? AND channel = ? AND enabled = 1')
    .run(now, platform, channel);
  return r.changes > 0;
}

export function pause(db: Db, platform: Platform, channel: string, reason: string, now: string): void {
  stmt(db, 
    'UPDATE spotlight_subscriptions SET paused_reason = ?, paused_at = ?, updated_at = ? WHERE platform = ? AND channel = ?',
  ).run(reason.slice(0, 500), now, now, platform, channel);
}

export function setRound(db: Db, platform: Platform, channel: string, round: number): void {
  stmt(db, 'UPDATE spotlight_subscriptions SET round = ? WHERE platform = ? AND channel = ?').run(round, platform, channel);
}

export function usedPaperIds(db: Db, platform: Platform, channel: string, round: number): Set<string> {
  const rows = stmt(db, `SELECT paper_id FROM spotlight_posts WHERE platform = ? AND channel = ? AND round = ? AND status IN (${USED_SQL}) AND paper_id IS NOT NULL`)
    .all(platform, channel, round) as { paper_id: string }[];
  return new Set(rows.map((r) => r.paper_id));
}

/** The paper of the channel's most recent post that may have reached it. */
export function lastPaperId(db: Db, platform: Platform, channel: string): string | null {
  const r = stmt(db, `SELECT paper_id FROM spotlight_posts WHERE platform = ? AND channel = ? AND status IN (${USED_SQL}) AND paper_id IS NOT NULL ORDER BY claimed_at DESC, id DESC LIMIT 1`)
    .get(platform, channel) as { paper_id: string } | undefined;
  return r?.paper_id ?? null;
}

export function getPost(db: Db, platform: Platform, channel: string, slot: string): PostRow | null {
  const r = stmt(db, `SELECT ${POST_COLUMNS} FROM spotlight_posts WHERE platform = ? AND channel = ? AND slot = ?`)
    .get(platform, channel, slot) as PostRecord | undefined;
  return r ? toPost(r) : null;
}

/** The latest slot this channel has any record of (posted, pending, skipped …). */
export function latestRecordedSlot(db: Db, platform: Platform, channel: string): string | null {
  const r = stmt(db, 'SELECT MAX(slot) AS slot FROM spotlight_posts WHERE platform = ? AND channel = ?')
    .get(platform, channel) as { slot: string | null };
  return r.slot;
}

export function pendingPosts(db: Db, platform: Platform, channel: string): PostRow[] {
  return (
    stmt(db, `SELECT ${POST_COLUMNS} FROM spotlight_posts WHERE platform = ? AND channel = ? AND status = 'pending' ORDER BY slot`)
      .all(platform, channel) as PostRecord[]
  ).map(toPost);
}

export function postsOf(db: Db, platform: Platform, channel: string): PostRow[] {
  return (
    stmt(db, `SELECT ${POST_COLUMNS} FROM spotlight_posts WHERE platform = ? AND channel = ? ORDER BY slot, id`).all(platform, channel) as PostRecord[]
  ).map(toPost);
}

export type ClaimInput = {
  platform: Platform;
  channel: string;
  slot: string;
  trigger: 'schedule' | 'now';
  paperId: string;
  round: number;
  now: string;
  leaseUntil: string;
};

/** Inserts the claim; false when the slot already has a row (another process or an earlier run). */
export function insertClaim(db: Db, c: ClaimInput): number | null {
  const r = stmt(db, 
      `INSERT INTO spotlight_posts (platform, channel, slot, trigger, status, paper_id, round, attempts, in_flight, next_attempt_at, claimed_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, 1, 1, ?, ?)
       ON CONFLICT (platform, channel, slot) DO NOTHING`,
    )
    .run(c.platform, c.channel, c.slot, c.trigger, c.paperId, c.round, c.leaseUntil, c.now);
  return r.changes > 0 ? Number(r.lastInsertRowid) : null;
}

export function insertSkipped(db: Db, platform: Platform, channel: string, slot: string, now: string, reason: string): boolean {
  const r = stmt(db, 
      `INSERT INTO spotlight_posts (platform, channel, slot, trigger, status, last_error, claimed_at)
       VALUES (?, ?, ?, 'schedule', 'skipped', ?, ?) ON CONFLICT (platform, channel, slot) DO NOTHING`,
    )
    .run(platform, channel, slot, reason, now);
  return r.changes > 0;
}

/**
 * Takes the next attempt of a pending post: only one process gets it, because the row only matches
 * while its next attempt is due, and taking it moves that time forward by the lease.
 */
export function takeAttempt(db: Db, id: number, now: string, leaseUntil: string): boolean {
  const r = stmt(db, 
      `UPDATE spotlight_posts SET attempts = attempts + 1, in_flight = 1, next_attempt_at = ?
       WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`,
    )
    .run(leaseUntil, id, now);
  return r.changes > 0;
}

export function markPosted(db: Db, id: number, messageId: string, now: string): void {
  stmt(db, 
    "UPDATE spotlight_posts SET status = 'posted', in_flight = 0, message_id = ?, posted_at = ?, next_attempt_at = NULL, last_error = NULL WHERE id = ?",
  ).run(messageId, now, id);
}

export function markRetry(db: Db, id: number, error: string, nextAttemptAt: string): void {
  stmt(db, "UPDATE spotlight_posts SET in_flight = 0, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(
    error.slice(0, 500),
    nextAttemptAt,
    id,
  );
}

export function markEnded(db: Db, id: number, status: 'failed' | 'expired' | 'unknown', error: string | null): void {
  stmt(db, 'UPDATE spotlight_posts SET status = ?, in_flight = 0, next_attempt_at = NULL, last_error = COALESCE(?, last_error) WHERE id = ?').run(
    status,
    error === null ? null : error.slice(0, 500),
    id,
  );
}

/** Gives up a pending post whose next attempt is due (not one another process is attempting right now). */
export function endIfDue(db: Db, id: number, status: 'expired' | 'unknown', now: string): boolean {
  const r = stmt(db, "UPDATE spotlight_posts SET status = ?, in_flight = 0, next_attempt_at = NULL WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?")
    .run(status, id, now);
  return r.changes > 0;
}

export function replacePaper(db: Db, id: number, paperId: string, round: number): void {
  stmt(db, 'UPDATE spotlight_posts SET paper_id = ?, round = ? WHERE id = ?').run(paperId, round, id);
}
