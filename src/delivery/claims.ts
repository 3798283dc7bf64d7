import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Platform } from '../adapter.js';
import type { Db } from '../store/db.js';
import { dropLease, holdLease } from './leases.js';

/**
 * Claim, then post, then record. A claim (a row under UNIQUE(kind, platform, channel, slot), written
 * with what it will post in the same transaction) happens before anything reaches the platform, so a
 * second process, a restart or a retry can never post the slot again with other content. An attempt
 * holds a lease (next_attempt_at moved forward); a process killed mid-post leaves the lease to run
 * out, and the retry carries the same idempotency key (Discord's enforced nonce), so the platform can
 * drop the duplicate if the first attempt did arrive.
 */

/** Which of the scheduled posts a claim or subscription is; each capability that posts on a schedule names its own. */
export type DeliveryKind = string;
export type ChannelRef = { platform: Platform; channel: string };
type Trigger = 'schedule' | 'now';
type ClaimStatus = 'pending' | 'posted' | 'failed' | 'expired' | 'unknown' | 'skipped' | 'empty';

export type ClaimRow = {
  id: number;
  kind: DeliveryKind;
  platform: Platform;
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
 * How long one attempt may take before another process may try again; a crash mid-post is retried
 * this much later. Short enough that the retry falls inside Discord's nonce window ("the past few
 * minutes"), long enough for an adapter that fails fast (bounded retries and timeouts).
 */
export const ATTEMPT_LEASE_MS = 2 * 60_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Wait before retry n (n = attempts made so far): 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1), 60) * MINUTE;
}

/**
 * At most 25 characters (Discord's nonce limit), the same for every attempt at one slot. The
 * spotlight's slots are keyed by the slot alone (keys issued before the delivery layer stay valid);
 * any other kind names itself in front of the slot.
 */
export function idempotencyKey(platform: Platform, channel: string, slot: string, kind: DeliveryKind = 'spotlight'): string {
  const what = kind === 'spotlight' ? slot : `${kind} ${slot}`;
  return `sp${createHash('sha256').update(`${platform}\n${channel}\n${what}`).digest('hex').slice(0, 23)}`;
}

export { iso } from '../clock.js';

export function label(ref: ChannelRef): string {
  return `${ref.platform}:${ref.channel}`;
}

/** Whether the grace window for a claim has passed: it runs from the slot, or from the claim for a `now` that took a past slot. */
export function beyondGrace(claim: Pick<ClaimRow, 'slot' | 'claimedAt'>, now: number, graceHours: number): boolean {
  return now - Math.max(Date.parse(claim.slot), Date.parse(claim.claimedAt)) > graceHours * HOUR;
}

/** Prepared statements, once per connection: a tick every minute runs the same few queries. */
const statements = new WeakMap<Db, Map<string, Statement<unknown[], unknown>>>();

/** The statement for `sql`, typed by its parameters and the row it returns (`db.prepare<Params, Row>`). */
export function stmt<Params extends unknown[] = unknown[], Row = unknown>(db: Db, sql: string): Statement<Params, Row> {
  let byDb = statements.get(db);
  if (!byDb) statements.set(db, (byDb = new Map()));
  const cached = byDb.get(sql);
  // The cache is keyed by the SQL text, and one text is always asked for with the same types.
  if (cached) return cached as unknown as Statement<Params, Row>;
  const prepared = db.prepare<Params, Row>(sql);
  byDb.set(sql, prepared as unknown as Statement<unknown[], unknown>);
  return prepared;
}

/** Columns under the names of ClaimRow's fields; `in_flight` is 0 or 1. */
export const CLAIM_COLUMNS = `c.id, c.kind, c.platform, c.channel, c.slot, c.trigger, c.status, c.attempts, c.in_flight AS inFlight,
  c.next_attempt_at AS nextAttemptAt, c.last_error AS lastError, c.message_id AS messageId, c.claimed_at AS claimedAt,
  c.posted_at AS postedAt, c.carried_by AS carriedBy`;
type ClaimRecord = Omit<ClaimRow, 'inFlight'> & { inFlight: number };

export function toClaim<R extends ClaimRecord>(r: R): Omit<R, 'inFlight'> & { inFlight: boolean } {
  return { ...r, inFlight: r.inFlight === 1 };
}

/** The latest slot this channel has any record of for this kind (posted, pending, skipped …). */
export function latestRecordedSlot(db: Db, kind: DeliveryKind, ref: ChannelRef): string | null {
  const r = stmt<[string, Platform, string], { slot: string | null }>(
    db,
    'SELECT MAX(slot) AS slot FROM delivery_claims WHERE kind = ? AND platform = ? AND channel = ?',
  ).get(kind, ref.platform, ref.channel);
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

/** Inserts the claim; null when the slot already has a row (another process or an earlier run). */
export function insertClaim(db: Db, c: NewClaim): number | null {
  const pending = c.leaseUntil !== null;
  const r = stmt(
    db,
    `INSERT INTO delivery_claims (kind, platform, channel, slot, trigger, status, attempts, in_flight, next_attempt_at, claimed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, platform, channel, slot) DO NOTHING`,
  ).run(c.kind, c.platform, c.channel, c.slot, c.trigger, pending ? 'pending' : 'empty', pending ? 1 : 0, pending ? 1 : 0, c.leaseUntil, c.now);
  if (r.changes === 0) return null;
  const id = Number(r.lastInsertRowid);
  if (c.leaseUntil !== null) holdLease(db, id, c.leaseUntil);
  return id;
}

export function insertSkipped(db: Db, kind: DeliveryKind, ref: ChannelRef, slot: string, now: string, reason: string): number | null {
  const r = stmt(
    db,
    `INSERT INTO delivery_claims (kind, platform, channel, slot, trigger, status, last_error, claimed_at)
     VALUES (?, ?, ?, ?, 'schedule', 'skipped', ?, ?) ON CONFLICT (kind, platform, channel, slot) DO NOTHING`,
  ).run(kind, ref.platform, ref.channel, slot, reason, now);
  return r.changes > 0 ? Number(r.lastInsertRowid) : null;
}

/**
 * Takes the next attempt of a pending claim: only one process gets it, because the row only matches
 * while its next attempt is due, and taking it moves that time forward by the lease.
 */
export function takeAttempt(db: Db, id: number, now: string, leaseUntil: string): boolean {
  const r = stmt(
    db,
    `UPDATE delivery_claims SET attempts = attempts + 1, in_flight = 1, next_attempt_at = ?
      WHERE id = ? AND status = 'pending' AND carried_by IS NULL AND next_attempt_at <= ?`,
  ).run(leaseUntil, id, now);
  if (r.changes === 0) return false;
  holdLease(db, id, leaseUntil);
  return true;
}

/** Puts a claim of another kind into a carrier's message: it is attempted, posted and ended with its carrier. */
export function carry(db: Db, carriedId: number, carrierId: number): void {
  stmt(db, "UPDATE delivery_claims SET carried_by = ?, in_flight = 0, next_attempt_at = NULL WHERE id = ? AND status = 'pending'").run(carrierId, carriedId);
  dropLease(db, carriedId);
}

/** The claims a carrier's message carries, as rows. */
export function carriedBy(db: Db, carrierId: number): ClaimRow[] {
  return stmt<[number], ClaimRecord>(db, `SELECT ${CLAIM_COLUMNS} FROM delivery_claims c WHERE c.carried_by = ? ORDER BY c.id`).all(carrierId).map(toClaim);
}

/** Records the post, and the same message for every claim it carried. */
export function markPosted(db: Db, id: number, messageId: string, now: string): void {
  stmt(
    db,
    `UPDATE delivery_claims SET status = 'posted', in_flight = 0, message_id = ?, posted_at = ?, next_attempt_at = NULL, last_error = NULL
      WHERE id = ? OR (carried_by = ? AND status = 'pending')`,
  ).run(messageId, now, id, id);
  dropLease(db, id);
}

export function markRetry(db: Db, id: number, error: string, nextAttemptAt: string): void {
  stmt(db, "UPDATE delivery_claims SET in_flight = 0, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(
    error.slice(0, 500),
    nextAttemptAt,
    id,
  );
  dropLease(db, id);
}

/**
 * Ends a pending claim, and every claim it carried, with `status`. When `dueBy` is given, only a
 * claim whose next attempt is due by then (not one another process is attempting right now).
 * True when this call ended it.
 */
export function endClaim(db: Db, id: number, status: 'failed' | 'expired' | 'unknown', error: string | null, dueBy?: string): boolean {
  const message = error === null ? null : error.slice(0, 500);
  const r =
    dueBy === undefined
      ? stmt(db, "UPDATE delivery_claims SET status = ?, in_flight = 0, next_attempt_at = NULL, last_error = COALESCE(?, last_error) WHERE id = ? AND status = 'pending'").run(
          status,
          message,
          id,
        )
      : stmt(db, "UPDATE delivery_claims SET status = ?, in_flight = 0, next_attempt_at = NULL WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?").run(
          status,
          id,
          dueBy,
        );
  if (r.changes === 0) return false;
  stmt(db, "UPDATE delivery_claims SET status = ?, in_flight = 0, next_attempt_at = NULL, last_error = COALESCE(?, last_error) WHERE carried_by = ? AND status = 'pending'").run(
    status,
    message,
    id,
  );
  dropLease(db, id);
  return true;
}

/** What a claim left beyond the grace window ends as: one whose attempt never reported back may be on the channel. */
export function endStatusOf(claim: Pick<ClaimRow, 'inFlight'>): 'unknown' | 'expired' {
  return claim.inFlight ? 'unknown' : 'expired';
}
