import { randomInt } from 'node:crypto';
import type { Platform } from '../../adapter.js';
import * as delivery from '../../delivery/index.js';
import { CLAIM_COLUMNS, stmt, SUBSCRIPTION_COLUMNS, toClaim, toSubscription, type ClaimRow } from '../../delivery/index.js';
import type { Db } from '../../store/db.js';

/**
 * Reads and writes of the spotlight's state: its schedule and claims in the delivery layer's tables
 * (kind `spotlight`), and what is its own: each channel's rotation (seed and round) and the paper
 * each claim posts. Every multi-step change is one transaction.
 */

const KIND = 'spotlight';

/** A channel's spotlight: its delivery subscription and where its rotation stands. */
export type Subscription = delivery.Subscription & { seed: number; round: number };

/** A spotlight claim with the paper it posts. */
export type PostRow = ClaimRow & { paperId: string | null; round: number | null };

const SUBSCRIPTIONS = `SELECT ${SUBSCRIPTION_COLUMNS}, r.seed, r.round FROM delivery_subscriptions s
  JOIN spotlight_rotations r ON r.platform = s.platform AND r.channel = s.channel WHERE s.kind = '${KIND}'`;
const POSTS = `SELECT ${CLAIM_COLUMNS}, p.paper_id AS paperId, p.round FROM delivery_claims c
  LEFT JOIN spotlight_picks p ON p.claim_id = c.id WHERE c.kind = '${KIND}'`;
type SubscriptionRecord = Omit<Subscription, 'enabled'> & { enabled: number };
type PostRecord = Omit<PostRow, 'inFlight'> & { inFlight: number };

/** Statuses whose paper counts as spotlighted in its round. */
const USED_SQL = "'pending', 'posted', 'unknown'";

export function getSubscription(db: Db, platform: Platform, channel: string): Subscription | null {
  const r = stmt<[Platform, string], SubscriptionRecord>(db, `${SUBSCRIPTIONS} AND s.platform = ? AND s.channel = ?`).get(platform, channel);
  return r ? toSubscription(r) : null;
}

export function allSubscriptions(db: Db): Subscription[] {
  return stmt<[], SubscriptionRecord>(db, `${SUBSCRIPTIONS} ORDER BY s.platform, s.channel`).all().map(toSubscription);
}

export function activeSubscriptions(db: Db): Subscription[] {
  return stmt<[], SubscriptionRecord>(db, `${SUBSCRIPTIONS} AND s.enabled = 1 AND s.paused_reason IS NULL ORDER BY s.platform, s.channel`)
    .all()
    .map(toSubscription);
}

/** Turns a channel's spotlight on (or changes it); the rotation of an earlier subscription carries on. */
export function subscribe(db: Db, input: delivery.SubscribeInput): Subscription {
  return db.transaction(() => {
    delivery.subscribe(db, KIND, input, 'restart');
    stmt(db, 'INSERT INTO spotlight_rotations (platform, channel, seed, round) VALUES (?, ?, ?, 1) ON CONFLICT (platform, channel) DO NOTHING').run(
      input.platform,
      input.channel,
      randomInt(0, 2 ** 31 - 1),
    );
    const subscription = getSubscription(db, input.platform, input.channel);
    if (!subscription) throw new Error(`spotlight: the subscription of ${input.platform}:${input.channel} is missing right after it was written`);
    return subscription;
  })();
}

export function unsubscribe(db: Db, platform: Platform, channel: string, now: string): boolean {
  return delivery.unsubscribe(db, KIND, platform, channel, now);
}

export function pause(db: Db, platform: Platform, channel: string, reason: string, now: string): void {
  delivery.pause(db, KIND, platform, channel, reason, now);
}

export function setRound(db: Db, platform: Platform, channel: string, round: number): void {
  stmt(db, 'UPDATE spotlight_rotations SET round = ? WHERE platform = ? AND channel = ?').run(round, platform, channel);
}

export function usedPaperIds(db: Db, platform: Platform, channel: string, round: number): Set<string> {
  const rows = stmt<[Platform, string, number], { paperId: string }>(
    db,
    `${POSTS} AND c.platform = ? AND c.channel = ? AND p.round = ? AND c.status IN (${USED_SQL}) AND p.paper_id IS NOT NULL`,
  ).all(platform, channel, round);
  return new Set(rows.map((r) => r.paperId));
}

/** The paper of the channel's most recent post that may have reached it. */
export function lastPaperId(db: Db, platform: Platform, channel: string): string | null {
  const r = stmt<[Platform, string], { paperId: string }>(
    db,
    `${POSTS} AND c.platform = ? AND c.channel = ? AND c.status IN (${USED_SQL}) AND p.paper_id IS NOT NULL ORDER BY c.claimed_at DESC, c.id DESC LIMIT 1`,
  ).get(platform, channel);
  return r?.paperId ?? null;
}

export function getPost(db: Db, platform: Platform, channel: string, slot: string): PostRow | null {
  const r = stmt<[Platform, string, string], PostRecord>(db, `${POSTS} AND c.platform = ? AND c.channel = ? AND c.slot = ?`).get(platform, channel, slot);
  return r ? toClaim(r) : null;
}

export function postById(db: Db, id: number): PostRow | null {
  const r = stmt<[number], PostRecord>(db, `${POSTS} AND c.id = ?`).get(id);
  return r ? toClaim(r) : null;
}

/** The channel's pending posts that it attempts itself (not one a digest carries). */
export function pendingPosts(db: Db, platform: Platform, channel: string): PostRow[] {
  return stmt<[Platform, string], PostRecord>(db, `${POSTS} AND c.platform = ? AND c.channel = ? AND c.status = 'pending' AND c.carried_by IS NULL ORDER BY c.slot`)
    .all(platform, channel)
    .map(toClaim);
}

export function postsOf(db: Db, platform: Platform, channel: string): PostRow[] {
  return stmt<[Platform, string], PostRecord>(db, `${POSTS} AND c.platform = ? AND c.channel = ? ORDER BY c.slot, c.id`)
    .all(platform, channel)
    .map(toClaim);
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

/** Inserts the claim with its paper (in the caller's transaction); null when the slot already has a row. */
export function insertClaim(db: Db, c: ClaimInput): number | null {
  const id = delivery.insertClaim(db, { kind: KIND, platform: c.platform, channel: c.channel, slot: c.slot, trigger: c.trigger, now: c.now, leaseUntil: c.leaseUntil });
  if (id !== null) stmt(db, 'INSERT INTO spotlight_picks (claim_id, paper_id, round) VALUES (?, ?, ?)').run(id, c.paperId, c.round);
  return id;
}

export function insertSkipped(db: Db, platform: Platform, channel: string, slot: string, now: string, reason: string): boolean {
  return delivery.insertSkipped(db, KIND, { platform, channel }, slot, now, reason) !== null;
}

export function latestRecordedSlot(db: Db, platform: Platform, channel: string): string | null {
  return delivery.latestRecordedSlot(db, KIND, { platform, channel });
}

export function replacePaper(db: Db, id: number, paperId: string, round: number): void {
  stmt(db, 'UPDATE spotlight_picks SET paper_id = ?, round = ? WHERE claim_id = ?').run(paperId, round, id);
}
