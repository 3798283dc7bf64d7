import { randomInt } from 'node:crypto';
import * as delivery from '../../delivery/index.js';
import { channelKey, channelParams, CLAIM_COLUMNS, SUBSCRIPTION_COLUMNS, toClaim, toSubscription, type ChannelRef, type ClaimRow } from '../../delivery/index.js';
import type { SqlDatabase, SqlQueries, SqlTransaction } from '../../store/sql/types.js';

/**
 * Reads and writes of the spotlight's state, on the store interface (SQLite or PostgreSQL): its
 * schedule and claims in the delivery layer's tables (kind `spotlight`), and what is its own: each
 * channel's rotation (seed and round) and the paper each claim posts. Every multi-step change is one
 * transaction. `q` is the database or the caller's transaction.
 */

const KIND = 'spotlight';

/** A channel's spotlight: its delivery subscription and where its rotation stands. */
export type Subscription = delivery.Subscription & { seed: number; round: number };

/** A spotlight claim with the paper it posts. */
export type PostRow = ClaimRow & { paperId: string | null; round: number | null };

const SUBSCRIPTIONS = `SELECT ${SUBSCRIPTION_COLUMNS}, r.seed, r.round FROM delivery_subscriptions s
  JOIN spotlight_rotations r ON r.platform = s.platform AND r.workspace_id = s.workspace_id AND r.channel = s.channel WHERE s.kind = '${KIND}'`;
const POSTS = `SELECT ${CLAIM_COLUMNS}, p.paper_id AS "paperId", p.round FROM delivery_claims c
  LEFT JOIN spotlight_picks p ON p.claim_id = c.id WHERE c.kind = '${KIND}'`;
type SubscriptionRecord = Omit<Subscription, 'enabled'> & { enabled: number };
type PostRecord = Omit<PostRow, 'inFlight'> & { inFlight: number };

/** Statuses whose paper counts as spotlighted in its round. */
const USED_SQL = "'pending', 'posted', 'unknown'";

export async function getSubscription(q: SqlQueries, ref: ChannelRef): Promise<Subscription | null> {
  const r = await q.one<SubscriptionRecord>(`${SUBSCRIPTIONS} AND ${channelKey('s')}`, channelParams(ref));
  return r ? toSubscription(r) : null;
}

export async function allSubscriptions(q: SqlQueries): Promise<Subscription[]> {
  return (await q.all<SubscriptionRecord>(`${SUBSCRIPTIONS} ORDER BY s.platform, s.workspace_id, s.channel`)).map(toSubscription);
}

export async function activeSubscriptions(q: SqlQueries): Promise<Subscription[]> {
  const rows = await q.all<SubscriptionRecord>(`${SUBSCRIPTIONS} AND s.enabled = 1 AND s.paused_reason IS NULL ORDER BY s.platform, s.workspace_id, s.channel`);
  return rows.map(toSubscription);
}

/** Locks the channel's spotlight subscription for a claim (see `delivery.lockSubscription`). */
export function lockSubscription(sql: SqlDatabase, tx: SqlTransaction, ref: ChannelRef, skip: boolean): Promise<boolean> {
  return delivery.lockSubscription(sql, tx, KIND, ref, skip);
}

/** Turns a channel's spotlight on (or changes it); the rotation of an earlier subscription carries on. */
export async function subscribe(sql: SqlDatabase, input: delivery.SubscribeInput): Promise<Subscription> {
  return sql.transaction(async (tx) => {
    await delivery.subscribe(tx, KIND, input, 'restart');
    await tx.run(
      'INSERT INTO spotlight_rotations (platform, workspace_id, channel, seed, round) VALUES (?, ?, ?, ?, 1) ON CONFLICT (platform, workspace_id, channel) DO NOTHING',
      [...channelParams(input), randomInt(0, 2 ** 31 - 1)],
    );
    const subscription = await getSubscription(tx, input);
    if (!subscription) throw new Error(`spotlight: the subscription of ${delivery.label(input)} is missing right after it was written`);
    return subscription;
  });
}

export function unsubscribe(q: SqlQueries, ref: ChannelRef, now: string): Promise<boolean> {
  return delivery.unsubscribe(q, KIND, ref, now);
}

export function pause(q: SqlQueries, ref: ChannelRef, reason: string, now: string): Promise<void> {
  return delivery.pause(q, KIND, ref, reason, now);
}

export async function setRound(q: SqlQueries, ref: ChannelRef, round: number): Promise<void> {
  await q.run(`UPDATE spotlight_rotations SET round = ? WHERE ${channelKey()}`, [round, ...channelParams(ref)]);
}

export async function usedPaperIds(q: SqlQueries, ref: ChannelRef, round: number): Promise<Set<string>> {
  const rows = await q.all<{ paperId: string }>(
    `${POSTS} AND ${channelKey('c')} AND p.round = ? AND c.status IN (${USED_SQL}) AND p.paper_id IS NOT NULL`,
    [...channelParams(ref), round],
  );
  return new Set(rows.map((r) => r.paperId));
}

/** The paper of the channel's most recent post that may have reached it. */
export async function lastPaperId(q: SqlQueries, ref: ChannelRef): Promise<string | null> {
  const r = await q.one<{ paperId: string }>(
    `${POSTS} AND ${channelKey('c')} AND c.status IN (${USED_SQL}) AND p.paper_id IS NOT NULL ORDER BY c.claimed_at DESC, c.id DESC LIMIT 1`,
    channelParams(ref),
  );
  return r?.paperId ?? null;
}

export async function getPost(q: SqlQueries, ref: ChannelRef, slot: string): Promise<PostRow | null> {
  const r = await q.one<PostRecord>(`${POSTS} AND ${channelKey('c')} AND c.slot = ?`, [...channelParams(ref), slot]);
  return r ? toClaim(r) : null;
}

export async function postById(q: SqlQueries, id: number): Promise<PostRow | null> {
  const r = await q.one<PostRecord>(`${POSTS} AND c.id = ?`, [id]);
  return r ? toClaim(r) : null;
}

/** The channel's pending posts that it attempts itself (not one a digest carries). */
export async function pendingPosts(q: SqlQueries, ref: ChannelRef): Promise<PostRow[]> {
  return (await q.all<PostRecord>(`${POSTS} AND ${channelKey('c')} AND c.status = 'pending' AND c.carried_by IS NULL ORDER BY c.slot`, channelParams(ref))).map(toClaim);
}

export async function postsOf(q: SqlQueries, ref: ChannelRef): Promise<PostRow[]> {
  return (await q.all<PostRecord>(`${POSTS} AND ${channelKey('c')} ORDER BY c.slot, c.id`, channelParams(ref))).map(toClaim);
}

export type ClaimInput = ChannelRef & {
  slot: string;
  trigger: 'schedule' | 'now';
  paperId: string;
  round: number;
  now: string;
  leaseUntil: string;
};

/** Inserts the claim with its paper (in the caller's transaction); null when the slot already has a row. */
export async function insertClaim(tx: SqlTransaction, c: ClaimInput): Promise<number | null> {
  const id = await delivery.insertClaim(tx, { kind: KIND, platform: c.platform, workspaceId: c.workspaceId, channel: c.channel, slot: c.slot, trigger: c.trigger, now: c.now, leaseUntil: c.leaseUntil });
  if (id !== null) await tx.run('INSERT INTO spotlight_picks (claim_id, paper_id, round) VALUES (?, ?, ?)', [id, c.paperId, c.round]);
  return id;
}

export async function insertSkipped(q: SqlQueries, ref: ChannelRef, slot: string, now: string, reason: string): Promise<boolean> {
  return (await delivery.insertSkipped(q, KIND, ref, slot, now, reason)) !== null;
}

export function latestRecordedSlot(q: SqlQueries, ref: ChannelRef): Promise<string | null> {
  return delivery.latestRecordedSlot(q, KIND, ref);
}

export async function replacePaper(q: SqlQueries, id: number, paperId: string, round: number): Promise<void> {
  await q.run('UPDATE spotlight_picks SET paper_id = ?, round = ? WHERE claim_id = ?', [paperId, round, id]);
}

/** The delivery rows and the rotation recorded for the channel before its workspace was known (see `delivery.adoptOnce`). */
export async function adopt(sql: SqlDatabase, ref: ChannelRef): Promise<void> {
  await delivery.adoptDelivery(sql, ref);
  await delivery.adoptOnce(sql, KIND, ref, async (tx, params) => {
    await tx.run(
      `UPDATE spotlight_rotations SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel = ?
       AND NOT EXISTS (SELECT 1 FROM spotlight_rotations o WHERE ${channelKey('o')})`,
      params,
    );
  });
}
