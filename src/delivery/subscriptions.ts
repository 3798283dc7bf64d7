import type { Platform } from '../adapter.js';
import type { Lang } from '../i18n/index.js';
import type { Db } from '../store/db.js';
import { stmt, type DeliveryKind } from './claims.js';

/** A channel's schedule for one kind of post: on, off, or paused with the reason the platform gave. */
export type Subscription = {
  kind: DeliveryKind;
  platform: Platform;
  channel: string;
  /** Five-field cron expression. */
  schedule: string;
  timezone: string;
  lang: Lang;
  enabled: boolean;
  enabledAt: string;
  pausedReason: string | null;
  pausedAt: string | null;
};

/** Columns under the names of Subscription's fields (table alias `s`); SQLite has no booleans, so `enabled` is 0 or 1. */
export const SUBSCRIPTION_COLUMNS = `s.kind, s.platform, s.channel, s.schedule, s.timezone, s.lang, s.enabled, s.enabled_at AS enabledAt,
  s.paused_reason AS pausedReason, s.paused_at AS pausedAt`;
type SubscriptionRecord = Omit<Subscription, 'enabled'> & { enabled: number };

export function toSubscription<R extends SubscriptionRecord>(r: R): Omit<R, 'enabled'> & { enabled: boolean } {
  return { ...r, enabled: r.enabled === 1 };
}

export function getSubscription(db: Db, kind: DeliveryKind, platform: Platform, channel: string): Subscription | null {
  const r = stmt<[string, Platform, string], SubscriptionRecord>(
    db,
    `SELECT ${SUBSCRIPTION_COLUMNS} FROM delivery_subscriptions s WHERE s.kind = ? AND s.platform = ? AND s.channel = ?`,
  ).get(kind, platform, channel);
  return r ? toSubscription(r) : null;
}

export function activeSubscriptions(db: Db, kind: DeliveryKind): Subscription[] {
  return stmt<[string], SubscriptionRecord>(
    db,
    `SELECT ${SUBSCRIPTION_COLUMNS} FROM delivery_subscriptions s WHERE s.kind = ? AND s.enabled = 1 AND s.paused_reason IS NULL ORDER BY s.platform, s.channel`,
  )
    .all(kind)
    .map(toSubscription);
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

/**
 * Turns a channel's schedule on (or changes it) and clears a pause. `since`: whether the slots count
 * from now on (`restart`, the spotlight: a slot before the change is never posted) or, for a
 * subscription already on, from when it was first turned on (`keep`, the digest: its window stays).
 */
export function subscribe(db: Db, kind: DeliveryKind, input: SubscribeInput, since: 'restart' | 'keep'): void {
  const enabledAt =
    since === 'restart' ? 'excluded.enabled_at' : 'CASE WHEN delivery_subscriptions.enabled = 1 THEN delivery_subscriptions.enabled_at ELSE excluded.enabled_at END';
  stmt(
    db,
    `INSERT INTO delivery_subscriptions
       (kind, platform, channel, schedule, timezone, lang, enabled, enabled_at, created_by, created_at, updated_at)
     VALUES (@kind, @platform, @channel, @schedule, @timezone, @lang, 1, @now, @by, @now, @now)
     ON CONFLICT (kind, platform, channel) DO UPDATE SET
       schedule = excluded.schedule, timezone = excluded.timezone, lang = excluded.lang, enabled = 1,
       enabled_at = ${enabledAt}, paused_reason = NULL, paused_at = NULL, updated_at = excluded.updated_at`,
  ).run({ ...input, kind, by: input.by ?? null });
}

export function unsubscribe(db: Db, kind: DeliveryKind, platform: Platform, channel: string, now: string): boolean {
  return (
    stmt(db, 'UPDATE delivery_subscriptions SET enabled = 0, updated_at = ? WHERE kind = ? AND platform = ? AND channel = ? AND enabled = 1').run(
      now,
      kind,
      platform,
      channel,
    ).changes > 0
  );
}

/** Pauses the channel's schedule of this kind with the reason, until `on` is said again. */
export function pause(db: Db, kind: DeliveryKind, platform: Platform, channel: string, reason: string, now: string): void {
  stmt(db, 'UPDATE delivery_subscriptions SET paused_reason = ?, paused_at = ?, updated_at = ? WHERE kind = ? AND platform = ? AND channel = ?').run(
    reason.slice(0, 500),
    now,
    now,
    kind,
    platform,
    channel,
  );
}
