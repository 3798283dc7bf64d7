import { DeliveryError } from '../errors.js';
import type { Lang } from '../i18n/index.js';
import type { Reply } from '../reply.js';
import type { Services } from '../services.js';
import { countOf } from '../i18n/index.js';
import {
  attemptLeaseEnd,
  beyondGrace,
  carriedBy,
  carry,
  endClaim,
  endStatusOf,
  idempotencyKey,
  iso,
  label,
  markPosted,
  markRetry,
  retryDelayMs,
  takeAttempt,
  type ChannelRef,
  type ClaimRow,
  type DeliveryKind,
} from './claims.js';
import type { SqlQueries, SqlTransaction } from '../store/sql/types.js';
import { dropLease } from './leases.js';
import { isAtMostDaily } from './cron.js';
import { currentSlot } from './slots.js';
import { pause, type Subscription } from './subscriptions.js';

export type SendResult =
  | { kind: 'posted'; messageId: string }
  | { kind: 'retry'; error: string; nextAttemptAt: string }
  | { kind: 'paused'; reason: string };

type Sending = Pick<Services, 'sql' | 'outbox' | 'log'>;

/**
 * One attempt at a claim whose lease this process holds (`attempts` counts this one). Posts the reply
 * under the slot's idempotency key; then records it posted, with every claim it carried; or, when the
 * platform refuses for good, ends the claim and pauses, with the platform's reason, the channel's
 * schedule of every kind the message held; or schedules the retry (1, 2, 4 … minutes, at most an
 * hour, never sooner than the platform asked). `what` names the content in the log.
 */
export async function sendClaim(
  services: Sending,
  claim: Pick<ClaimRow, 'id' | 'kind' | 'platform' | 'workspaceId' | 'channel' | 'slot' | 'attempts'>,
  message: Reply,
  now: number,
  what: string,
): Promise<SendResult> {
  const { sql, log } = services;
  const tag = `${claim.kind} ${label(claim)}`;
  try {
    const ref = await services.outbox.post({ platform: claim.platform, workspaceId: claim.workspaceId, channelId: claim.channel }, message, {
      idempotencyKey: idempotencyKey(claim.platform, claim.channel, claim.slot, claim.kind, claim.workspaceId),
      attempt: claim.attempts,
      // A claim attempted before and never recorded as posted may have reached the channel.
      mayHaveArrived: claim.attempts > 1,
    });
    await markPosted(sql, claim.id, ref.messageId, iso(now));
    log.info(`${tag}: posted ${what} for ${claim.slot} (message ${ref.messageId})`);
    return { kind: 'posted', messageId: ref.messageId };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof DeliveryError && error.permanent) {
      await sql.transaction(async (tx) => {
        const kinds = new Set([claim.kind, ...(await carriedBy(tx, claim.id)).map((c) => c.kind)]);
        await endClaim(tx, claim.id, 'failed', text);
        for (const kind of kinds) await pause(tx, kind, claim, text, iso(now));
      });
      dropLease(sql, claim.id);
      log.warn(`${tag}: paused, the platform refused the post for good: ${text}`);
      return { kind: 'paused', reason: text };
    }
    const retryAfter = error instanceof DeliveryError ? (error.retryAfterMs ?? 0) : 0;
    const next = iso(now + Math.max(retryDelayMs(claim.attempts), retryAfter));
    await markRetry(sql, claim.id, text, next);
    if (error instanceof DeliveryError) log.warn(`${tag}: post for ${claim.slot} failed (attempt ${claim.attempts}), retrying at ${next}: ${text}`);
    else log.error(`${tag}: post for ${claim.slot} failed unexpectedly (attempt ${claim.attempts}), retrying at ${next}`, error);
    return { kind: 'retry', error: text, nextAttemptAt: next };
  }
}

/**
 * A kind of post that can ride in another kind's message when both fall in the same slot of a
 * channel (the spotlight in the digest). The composition above the capabilities (the scheduler, the
 * command line) hands the parts to the carrier, so no capability imports another.
 */
export type SlotPart = {
  kind: DeliveryKind;
  /**
   * Called inside the carrier's claim transaction (`tx`): claims this kind's post for the channel's
   * slot when it is due in that very slot and unclaimed. Its claim id, or null.
   */
  claimAlong(services: Services, tx: SqlTransaction, ref: ChannelRef, slot: string, now: number): Promise<number | null>;
  /** The carried claim's part of the message, in the carrier's language; null when it has nothing to show any more. */
  render(services: Services, claim: ClaimRow, lang: Lang): Promise<Reply | null>;
};

/** Inside the carrier's claim transaction: claims each part due in the same slot and puts it in the carrier's message. The kinds carried. */
export async function claimParts(
  services: Services,
  tx: SqlTransaction,
  parts: readonly SlotPart[],
  ref: ChannelRef,
  slot: string,
  now: number,
  carrierId: number,
): Promise<DeliveryKind[]> {
  const carried: DeliveryKind[] = [];
  for (const part of parts) {
    const id = await part.claimAlong(services, tx, ref, slot, now);
    if (id === null) continue;
    await carry(tx, id, carrierId);
    carried.push(part.kind);
  }
  return carried;
}

/**
 * The replies of the claims a carrier carries, in the carrier's language. A carried claim this
 * process has no part for (a command line composed without it), or whose part has nothing to show,
 * is handed back to its own kind's schedule, due at once, rather than marked posted unseen.
 */
export async function renderParts(
  services: Services,
  parts: readonly SlotPart[],
  carrierId: number,
  lang: Lang,
  now: number,
): Promise<{ kinds: DeliveryKind[]; replies: Reply[] }> {
  const kinds: DeliveryKind[] = [];
  const replies: Reply[] = [];
  for (const claim of await carriedBy(services.sql, carrierId)) {
    if (claim.status !== 'pending') continue;
    const part = parts.find((p) => p.kind === claim.kind);
    const shown = part ? await part.render(services, claim, lang) : null;
    if (shown) {
      kinds.push(claim.kind);
      replies.push(shown);
      continue;
    }
    await services.sql.run("UPDATE delivery_claims SET carried_by = NULL, next_attempt_at = ? WHERE id = ? AND status = 'pending'", [iso(now), claim.id]);
  }
  return { kinds, replies };
}

/** One message for a slot: the carried parts first, then the carrier's own. */
export function combineReplies(carried: readonly Reply[], own: Reply): Reply {
  if (carried.length === 0) return own;
  const all = [...carried, own];
  return {
    ...own,
    visibility: 'channel',
    title: all.map((r) => r.title ?? '').filter(Boolean).join(' · '),
    intro: all.flatMap((r) => r.intro),
    cards: all.flatMap((r) => r.cards),
    actions: all.flatMap((r) => r.actions),
    papers: all.flatMap((r) => r.papers),
    data: { ...own.data, ...Object.fromEntries(carried.map((r) => [r.kind, r.data])) },
  };
}

/**
 * Retries a channel's pending claims of one kind whose next attempt is due, oldest slot first; one
 * beyond the grace window is ended instead (`end`; `unknown` when an attempt never reported back, so
 * what it carried stays counted as shown). Whether a claim is due is decided by the guarded UPDATEs
 * (`end`, `takeAttempt`), never by the read: another process may take the same row between the two.
 * Stops after a pause. The results of the attempts made, in order.
 */
export async function retryDue<C extends Pick<ClaimRow, 'id' | 'kind' | 'platform' | 'workspaceId' | 'channel' | 'slot' | 'claimedAt' | 'attempts' | 'inFlight'>, R extends { kind: string }>(
  services: Pick<Services, 'sql' | 'log' | 'config'>,
  pending: readonly C[],
  now: number,
  end: (claim: C, status: 'expired' | 'unknown') => Promise<boolean>,
  attempt: (claim: C, attempts: number) => Promise<R>,
): Promise<R[]> {
  const graceHours = services.config.spotlight.graceHours;
  const results: R[] = [];
  for (const claim of pending) {
    if (beyondGrace(claim, now, graceHours)) {
      const status = endStatusOf(claim);
      if (await end(claim, status)) {
        services.log.warn(`${claim.kind} ${label(claim)}: gave up on ${claim.slot} after ${countOf(claim.attempts, 'attempt')}, beyond the ${graceHours} h grace window (${status})`);
      }
      continue;
    }
    if (!(await takeAttempt(services.sql, claim.id, iso(now), attemptLeaseEnd(services.config, now)))) continue;
    const result = await attempt(claim, claim.attempts + 1);
    results.push(result);
    if (result.kind === 'paused') break;
  }
  return results;
}

/** What a tick has to do on each channel of one kind, read in two queries for all of them. */
export type DueWork = {
  /** Whether the channel has a pending claim of its own whose next attempt is due. */
  retryDue(ref: ChannelRef): boolean;
  /**
   * The slot the channel's tick may claim now: its schedule's latest since the channel was turned on,
   * unless a claim of this kind already has it (posted, pending, skipped …). Null when there is none.
   */
  openSlot(sub: Pick<Subscription, 'platform' | 'workspaceId' | 'channel' | 'schedule' | 'timezone' | 'enabledAt'>): { at: number; slot: string } | null;
};

/**
 * Reads, for every subscription of the kind, what the tick must look at: the channels with a due
 * retry, and the slots already claimed since the oldest current slot. Two queries for any number of
 * channels, so a replica with a thousand subscriptions reads two result sets a minute rather than two
 * thousand; a claim another replica writes after this read is caught by the claim's own insert.
 */
export async function dueWork(q: SqlQueries, kind: DeliveryKind, subs: readonly Subscription[], now: number): Promise<DueWork> {
  const key = (ref: ChannelRef, slot = '') => JSON.stringify([ref.platform, ref.workspaceId, ref.channel, slot]);
  // A schedule denser than daily (or one that no longer parses) is dealt with by its channel's own
  // tick before it asks for a slot (its slot arithmetic walks every minute of the day): left out here.
  const daily = (sub: Subscription) => {
    try {
      return isAtMostDaily(sub.schedule);
    } catch {
      return false;
    }
  };
  const current = new Map(subs.filter(daily).map((sub) => [key(sub), currentSlot(sub, now)]));
  const slots = [...current.values()].filter((t): t is number => t !== null);
  const retries = await q.all<ChannelRef>(
    `SELECT DISTINCT platform, workspace_id AS "workspaceId", channel FROM delivery_claims
      WHERE kind = ? AND status = 'pending' AND carried_by IS NULL AND next_attempt_at <= ?`,
    [kind, iso(now)],
  );
  const claimed =
    slots.length === 0
      ? []
      : await q.all<ChannelRef & { slot: string }>(`SELECT platform, workspace_id AS "workspaceId", channel, slot FROM delivery_claims WHERE kind = ? AND slot >= ?`, [
          kind,
          iso(Math.min(...slots)),
        ]);
  const due = new Set(retries.map((r) => key(r)));
  const taken = new Set(claimed.map((c) => key(c, c.slot)));
  return {
    retryDue: (ref) => due.has(key(ref)),
    openSlot(sub) {
      const at = current.get(key(sub)) ?? currentSlot(sub, now);
      if (at === null) return null;
      const slot = iso(at);
      return taken.has(key(sub, slot)) ? null : { at, slot };
    },
  };
}
