import type { Platform } from '../adapter.js';
import type { Lang } from '../i18n/index.js';
import type { SqlDatabase, SqlQueries, SqlTransaction } from '../store/sql/types.js';
import { channelKey, channelParams, type ChannelRef, type DeliveryKind } from './claims.js';

/** A channel's schedule for one kind of post: on, off, or paused with the reason the platform gave. */
export type Subscription = ChannelRef & {
  kind: DeliveryKind;
  /** Five-field cron expression. */
  schedule: string;
  timezone: string;
  lang: Lang;
  enabled: boolean;
  enabledAt: string;
  pausedReason: string | null;
  pausedAt: string | null;
};

/**
 * Columns under the names of Subscription's fields (table alias `s`), quoted for PostgreSQL; neither
 * engine shares a boolean type, so `enabled` is 0 or 1.
 */
export const SUBSCRIPTION_COLUMNS = `s.kind, s.platform, s.workspace_id AS "workspaceId", s.channel, s.schedule, s.timezone, s.lang, s.enabled,
  s.enabled_at AS "enabledAt", s.paused_reason AS "pausedReason", s.paused_at AS "pausedAt"`;
type SubscriptionRecord = Omit<Subscription, 'enabled'> & { enabled: number };

export function toSubscription<R extends SubscriptionRecord>(r: R): Omit<R, 'enabled'> & { enabled: boolean } {
  return { ...r, enabled: r.enabled === 1 };
}

export async function getSubscription(q: SqlQueries, kind: DeliveryKind, ref: ChannelRef): Promise<Subscription | null> {
  const r = await q.one<SubscriptionRecord>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM delivery_subscriptions s WHERE s.kind = ? AND ${channelKey('s')}`, [kind, ...channelParams(ref)]);
  return r ? toSubscription(r) : null;
}

export async function activeSubscriptions(q: SqlQueries, kind: DeliveryKind): Promise<Subscription[]> {
  const rows = await q.all<SubscriptionRecord>(
    `SELECT ${SUBSCRIPTION_COLUMNS} FROM delivery_subscriptions s WHERE s.kind = ? AND s.enabled = 1 AND s.paused_reason IS NULL ORDER BY s.platform, s.workspace_id, s.channel`,
    [kind],
  );
  return rows.map(toSubscription);
}

/**
 * Locks the channel's subscription of this kind for the rest of the transaction, before a claim is
 * chosen (its paper, its papers) and written. False when there is no such row, or (`skip`) when
 * another replica holds it right now.
 *
 * Why `FOR UPDATE SKIP LOCKED` for the scheduled claims: replicas ticking the same minute walk the
 * same channels; with SKIP LOCKED each takes the channels no one else is claiming and never waits
 * on another's transaction, so the work spreads over the replicas instead of queueing behind one.
 * A channel skipped this way is being claimed by the replica that holds it, or its slot is still open
 * at the next minute's tick. Exactly-once does not rest on the lock (the claim's insert does): the
 * lock keeps two replicas from both choosing content for one slot. A command (`spotlight now`) waits
 * instead (`skip` false): the person asked for this channel.
 *
 * The channel's rows of the other kinds are locked too, waiting, all in the order of their kind: a
 * digest claiming the spotlight of its slot along holds both, so a spotlight tick on another replica
 * waits for that claim to commit and then finds its slot taken (one message, not the spotlight
 * alone beside a digest that could have carried it). Only the own row is ever skipped, and every
 * wait is for a row later in the one order, so two claims never wait on each other in a circle.
 * SQLite: no row locks; the write transaction already excludes every other writer.
 */
export async function lockSubscription(sql: SqlDatabase, tx: SqlTransaction, kind: DeliveryKind, ref: ChannelRef, skip: boolean): Promise<boolean> {
  const row = `SELECT 1 AS locked FROM delivery_subscriptions WHERE kind = ? AND ${channelKey()}`;
  if (sql.dialect.name !== 'postgres') return (await tx.one(row, [kind, ...channelParams(ref)])) !== null;
  const kinds = await tx.all<{ kind: string }>(`SELECT kind FROM delivery_subscriptions WHERE ${channelKey()} ORDER BY kind`, channelParams(ref));
  let mine = false;
  for (const { kind: other } of kinds) {
    const own = other === kind;
    const locked = (await tx.one(`${row} FOR UPDATE${own && skip ? ' SKIP LOCKED' : ''}`, [other, ...channelParams(ref)])) !== null;
    if (own && !locked) return false;
    mine ||= own && locked;
  }
  return mine;
}

export type SubscribeInput = ChannelRef & {
  schedule: string;
  timezone: string;
  lang: Lang;
  by?: string;
  now: string;
};

/**
 * Turns a channel's schedule on (or changes it) and clears a pause. `since`: whether the slots count
 * from now on (`restart`, the spotlight: a slot before the change is never posted) or, for a
 * subscription already on, from when it was first turned on (`keep`, the digest: its window stays).
 */
export async function subscribe(q: SqlQueries, kind: DeliveryKind, input: SubscribeInput, since: 'restart' | 'keep'): Promise<void> {
  const enabledAt =
    since === 'restart' ? 'excluded.enabled_at' : 'CASE WHEN delivery_subscriptions.enabled = 1 THEN delivery_subscriptions.enabled_at ELSE excluded.enabled_at END';
  await q.run(
    `INSERT INTO delivery_subscriptions
       (kind, platform, workspace_id, channel, schedule, timezone, lang, enabled, enabled_at, created_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
     ON CONFLICT (kind, platform, workspace_id, channel) DO UPDATE SET
       schedule = excluded.schedule, timezone = excluded.timezone, lang = excluded.lang, enabled = 1,
       enabled_at = ${enabledAt}, paused_reason = NULL, paused_at = NULL, updated_at = excluded.updated_at`,
    [kind, ...channelParams(input), input.schedule, input.timezone, input.lang, input.now, input.by ?? null, input.now, input.now],
  );
}

export async function unsubscribe(q: SqlQueries, kind: DeliveryKind, ref: ChannelRef, now: string): Promise<boolean> {
  return (await q.run(`UPDATE delivery_subscriptions SET enabled = 0, updated_at = ? WHERE kind = ? AND ${channelKey()} AND enabled = 1`, [now, kind, ...channelParams(ref)])) > 0;
}

/** Pauses the channel's schedule of this kind with the reason, until `on` is said again. */
export async function pause(q: SqlQueries, kind: DeliveryKind, ref: ChannelRef, reason: string, now: string): Promise<void> {
  await q.run(`UPDATE delivery_subscriptions SET paused_reason = ?, paused_at = ?, updated_at = ? WHERE kind = ? AND ${channelKey()}`, [
    reason.slice(0, 500),
    now,
    now,
    kind,
    ...channelParams(ref),
  ]);
}

/** The channels this process has seen adopted, per database and kind of state (see `adoptOnce`). */
const adopted = new WeakMap<SqlDatabase, Set<string>>();

/**
 * State recorded before the adapters said which workspace a channel belongs to is in workspace ''.
 * The first command from the channel that names its workspace takes it over: `adopt` runs once per
 * (what, channel) and process, in one transaction under an advisory lock on the channel (there may
 * be no row to lock yet), and afterwards costs a set lookup. `what` names the state (`delivery`,
 * `spotlight`, `digest`, `follow`); each adopts only rows its workspace has no counterpart of.
 */
export async function adoptOnce(sql: SqlDatabase, what: string, ref: ChannelRef, adopt: (tx: SqlTransaction, params: SqlAdoptParams) => Promise<void>): Promise<void> {
  if (!ref.workspaceId) return;
  let seen = adopted.get(sql);
  if (!seen) adopted.set(sql, (seen = new Set()));
  const key = JSON.stringify([what, ...channelParams(ref)]);
  if (seen.has(key)) return;
  await sql.transaction(async (tx) => {
    await tx.lock(`adopt:${JSON.stringify(channelParams(ref))}`);
    await adopt(tx, [ref.workspaceId, ref.platform, ref.channel, ...channelParams(ref)]);
  });
  seen.add(key);
}

/**
 * The parameters of an adopting UPDATE: the new workspace, then the '' rows' platform and channel,
 * then the full key of the workspace's own rows: `UPDATE t SET workspace_id = ? WHERE platform = ?
 * AND workspace_id = '' AND channel = ? AND NOT EXISTS (… platform = ? AND workspace_id = ? AND channel = ? …)`.
 */
export type SqlAdoptParams = [string, Platform, string, Platform, string, string];

/** The delivery layer's rows of a channel: its subscriptions and claims of every kind. */
export async function adoptDelivery(sql: SqlDatabase, ref: ChannelRef): Promise<void> {
  await adoptOnce(sql, 'delivery', ref, async (tx, params) => {
    await tx.run(
      `UPDATE delivery_subscriptions SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel = ?
       AND NOT EXISTS (SELECT 1 FROM delivery_subscriptions o WHERE o.kind = delivery_subscriptions.kind AND ${channelKey('o')})`,
      params,
    );
    await tx.run(
      `UPDATE delivery_claims SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel = ?
       AND NOT EXISTS (SELECT 1 FROM delivery_claims o WHERE o.kind = delivery_claims.kind AND o.slot = delivery_claims.slot AND ${channelKey('o')})`,
      params,
    );
  });
}
