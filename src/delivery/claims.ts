import { createHash } from 'node:crypto';
import type { Platform } from '../adapter.js';
import { iso } from '../clock.js';
import type { Config } from '../config.js';
import type { SqlDatabase, SqlQueries, SqlTransaction } from '../store/sql/types.js';
import { dropLease, holdLease } from './leases.js';

/**
 * Claim, then post, then record. A claim (a row under UNIQUE(kind, platform, workspace, channel, slot), written
 * with what it will post in the same transaction) happens before anything reaches the platform, so a
 * second process, a restart or a retry can never post the slot again with other content. An attempt
 * holds a lease (next_attempt_at moved forward); a process killed mid-post leaves the lease to run
 * out, and the retry carries the same idempotency key (Discord's enforced nonce), so the platform can
 * drop the duplicate if the first attempt did arrive.
 */

/** Which of the scheduled posts a claim or subscription is; each capability that posts on a schedule names its own. */
export type DeliveryKind = string;
/** A channel of one tenant: platform, workspace (Slack team, Discord server; '' when unknown), channel. */
export type ChannelRef = { platform: Platform; workspaceId: string; channel: string };

/** The channel a command was typed in. */
export function channelOf(invocation: { platform: Platform; workspaceId?: string; channelId: string }): ChannelRef {
  return { platform: invocation.platform, workspaceId: invocation.workspaceId ?? '', channel: invocation.channelId };
}

/** The tenant key's columns and values, in that order: `platform = ? AND workspace_id = ? AND channel = ?` (table alias `c`, `s`, … or none). */
export function channelKey(alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}platform = ? AND ${a}workspace_id = ? AND ${a}channel = ?`;
}
export function sameChannel(a: ChannelRef, b: ChannelRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.channel === b.channel;
}

export const channelParams = (ref: ChannelRef): [Platform, string, string] => [ref.platform, ref.workspaceId, ref.channel];
type Trigger = 'schedule' | 'now';
type ClaimStatus = 'pending' | 'posted' | 'failed' | 'expired' | 'unknown' | 'skipped' | 'empty';

export type ClaimRow = {
  id: number;
  kind: DeliveryKind;
  platform: Platform;
  workspaceId: string;
  channel: string;
  /** The slot as an ISO 8601 UTC instant. */
  slot: string;
  trigger: Trigger;
  status: ClaimStatus;
  attempts: number;
  inFlight: boolean;
  nextAttemptAt: string | null;
  lastError: string | null;
  messageId: string | null;
  claimedAt: string;
  postedAt: string | null;
  carriedBy: number | null;
};

/**
 * When an attempt starting at `now` lets another process try again: a crash mid-post is retried
 * this much later (DELIVERY_ATTEMPT_LEASE_SECONDS; its bounds and their reasons are in loadConfig).
 */
export function attemptLeaseEnd(config: Pick<Config, 'delivery'>, now: number): string {
  return iso(now + config.delivery.attemptLeaseMs);
}
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Wait before retry n (n = attempts made so far): 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1), 60) * MINUTE;
}

/**
 * At most 25 characters (Discord's nonce limit), the same for every attempt at one slot. The
 * spotlight's slots are keyed by the slot alone (keys issued before the delivery layer stay valid);
 * any other kind names itself in front of the slot. A channel of a named workspace names it too, so
 * two workspaces posting to one shared channel (Slack Connect) never share a key; the workspace ''
 * keeps the keys issued before tenants.
 */
export function idempotencyKey(platform: Platform, channel: string, slot: string, kind: DeliveryKind = 'spotlight', workspaceId = ''): string {
  const what = kind === 'spotlight' ? slot : `${kind} ${slot}`;
  const where = workspaceId ? `${workspaceId}\n${channel}` : channel;
  return `sp${createHash('sha256').update(`${platform}\n${where}\n${what}`).digest('hex').slice(0, 23)}`;
}

export { iso } from '../clock.js';

export function label(ref: ChannelRef): string {
  return ref.workspaceId ? `${ref.platform}:${ref.workspaceId}/${ref.channel}` : `${ref.platform}:${ref.channel}`;
}

/** Whether the grace window for a claim has passed: it runs from the slot, or from the claim for a `now` that took a past slot. */
export function beyondGrace(claim: Pick<ClaimRow, 'slot' | 'claimedAt'>, now: number, graceHours: number): boolean {
  return now - Math.max(Date.parse(claim.slot), Date.parse(claim.claimedAt)) > graceHours * HOUR;
}

/**
 * Columns under the names of ClaimRow's fields, quoted (PostgreSQL folds unquoted names to lower
 * case); `in_flight` is 0 or 1.
 */
export const CLAIM_COLUMNS = `c.id, c.kind, c.platform, c.workspace_id AS "workspaceId", c.channel, c.slot, c.trigger, c.status, c.attempts,
  c.in_flight AS "inFlight", c.next_attempt_at AS "nextAttemptAt", c.last_error AS "lastError", c.message_id AS "messageId",
  c.claimed_at AS "claimedAt", c.posted_at AS "postedAt", c.carried_by AS "carriedBy"`;
type ClaimRecord = Omit<ClaimRow, 'inFlight'> & { inFlight: number };

export function toClaim<R extends ClaimRecord>(r: R): Omit<R, 'inFlight'> & { inFlight: boolean } {
  return { ...r, inFlight: r.inFlight === 1 };
}

/** The latest slot this channel has any record of for this kind (posted, pending, skipped …). */
export async function latestRecordedSlot(q: SqlQueries, kind: DeliveryKind, ref: ChannelRef): Promise<string | null> {
  const r = await q.one<{ slot: string | null }>(`SELECT MAX(slot) AS slot FROM delivery_claims WHERE kind = ? AND ${channelKey()}`, [kind, ...channelParams(ref)]);
  return r?.slot ?? null;
}

export type NewClaim = ChannelRef & {
  kind: DeliveryKind;
  slot: string;
  trigger: Trigger;
  now: string;
  /** The first attempt's lease, taken with the claim; null records a slot with nothing to post (`empty`). */
  leaseUntil: string | null;
};

/**
 * Inserts the claim (in the caller's transaction); null when the slot already has a row (another
 * replica, an earlier run). Why an insert and not a lock: the row is the claim. Under the UNIQUE key,
 * `ON CONFLICT DO NOTHING` lets exactly one of any number of writers in, on SQLite and PostgreSQL
 * alike; on PostgreSQL a second writer racing an uncommitted first waits for its commit and then
 * inserts nothing, so there is no window in which both believe they hold the slot. The claimer holds
 * the first attempt's lease (`holdLease`) once the transaction has committed.
 */
export async function insertClaim(q: SqlQueries, c: NewClaim): Promise<number | null> {
  const pending = c.leaseUntil !== null;
  const r = await q.one<{ id: number }>(
    `INSERT INTO delivery_claims (kind, platform, workspace_id, channel, slot, trigger, status, attempts, in_flight, next_attempt_at, claimed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, platform, workspace_id, channel, slot) DO NOTHING RETURNING id`,
    [c.kind, ...channelParams(c), c.slot, c.trigger, pending ? 'pending' : 'empty', pending ? 1 : 0, pending ? 1 : 0, c.leaseUntil, c.now],
  );
  return r?.id ?? null;
}

export async function insertSkipped(q: SqlQueries, kind: DeliveryKind, ref: ChannelRef, slot: string, now: string, reason: string): Promise<number | null> {
  const r = await q.one<{ id: number }>(
    `INSERT INTO delivery_claims (kind, platform, workspace_id, channel, slot, trigger, status, last_error, claimed_at)
     VALUES (?, ?, ?, ?, ?, 'schedule', 'skipped', ?, ?) ON CONFLICT (kind, platform, workspace_id, channel, slot) DO NOTHING RETURNING id`,
    [kind, ...channelParams(ref), slot, reason, now],
  );
  return r?.id ?? null;
}

/**
 * Takes the next attempt of a pending claim: only one process gets it, because the row only matches
 * while its next attempt is due, and taking it moves that time forward by the lease. A conditional
 * UPDATE rather than a lock held through the post: the post is a network call of seconds, and a
 * replica that dies mid-post must not hold anything but a lease that runs out. On PostgreSQL a second
 * replica's UPDATE waits for the first's row lock, re-reads the committed row, finds the lease moved
 * on and changes nothing.
 */
export async function takeAttempt(sql: SqlDatabase, id: number, now: string, leaseUntil: string): Promise<boolean> {
  const changed = await sql.run(
    `UPDATE delivery_claims SET attempts = attempts + 1, in_flight = 1, next_attempt_at = ?
      WHERE id = ? AND status = 'pending' AND carried_by IS NULL AND next_attempt_at <= ?`,
    [leaseUntil, id, now],
  );
  if (changed === 0) return false;
  holdLease(sql, id, leaseUntil);
  return true;
}

/** Puts a claim of another kind into a carrier's message: it is attempted, posted and ended with its carrier. */
export async function carry(q: SqlQueries, carriedId: number, carrierId: number): Promise<void> {
  await q.run("UPDATE delivery_claims SET carried_by = ?, in_flight = 0, next_attempt_at = NULL WHERE id = ? AND status = 'pending'", [carrierId, carriedId]);
}

/** The claims a carrier's message carries, as rows. */
export async function carriedBy(q: SqlQueries, carrierId: number): Promise<ClaimRow[]> {
  return (await q.all<ClaimRecord>(`SELECT ${CLAIM_COLUMNS} FROM delivery_claims c WHERE c.carried_by = ? ORDER BY c.id`, [carrierId])).map(toClaim);
}

/** Records the post, and the same message for every claim it carried. */
export async function markPosted(sql: SqlDatabase, id: number, messageId: string, now: string): Promise<void> {
  await sql.run(
    `UPDATE delivery_claims SET status = 'posted', in_flight = 0, message_id = ?, posted_at = ?, next_attempt_at = NULL, last_error = NULL
      WHERE id = ? OR (carried_by = ? AND status = 'pending')`,
    [messageId, now, id, id],
  );
  dropLease(sql, id);
}

export async function markRetry(sql: SqlDatabase, id: number, error: string, nextAttemptAt: string): Promise<void> {
  await sql.run("UPDATE delivery_claims SET in_flight = 0, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'", [
    error.slice(0, 500),
    nextAttemptAt,
    id,
  ]);
  dropLease(sql, id);
}

/**
 * Ends a pending claim, and every claim it carried, with `status` (in the caller's transaction, so
 * the two never part). When `dueBy` is given, only a claim whose next attempt is due by then (not one
 * another process is attempting right now). True when this call ended it.
 */
export async function endClaim(tx: SqlTransaction, id: number, status: 'failed' | 'expired' | 'unknown', error: string | null, dueBy?: string): Promise<boolean> {
  const message = error === null ? null : error.slice(0, 500);
  const changed =
    dueBy === undefined
      ? await tx.run("UPDATE delivery_claims SET status = ?, in_flight = 0, next_attempt_at = NULL, last_error = COALESCE(?, last_error) WHERE id = ? AND status = 'pending'", [
          status,
          message,
          id,
        ])
      : await tx.run("UPDATE delivery_claims SET status = ?, in_flight = 0, next_attempt_at = NULL WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?", [
          status,
          id,
          dueBy,
        ]);
  if (changed === 0) return false;
  await tx.run("UPDATE delivery_claims SET status = ?, in_flight = 0, next_attempt_at = NULL, last_error = COALESCE(?, last_error) WHERE carried_by = ? AND status = 'pending'", [
    status,
    message,
    id,
  ]);
  return true;
}

/** What a claim left beyond the grace window ends as: one whose attempt never reported back may be on the channel. */
export function endStatusOf(claim: Pick<ClaimRow, 'inFlight'>): 'unknown' | 'expired' {
  return claim.inFlight ? 'unknown' : 'expired';
}
