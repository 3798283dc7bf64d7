import { DeliveryError } from '../errors.js';
import type { Lang } from '../i18n/index.js';
import type { Reply } from '../reply.js';
import type { Services } from '../services.js';
import { countOf } from '../i18n/index.js';
import {
  ATTEMPT_LEASE_MS,
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
  stmt,
  takeAttempt,
  type ChannelRef,
  type ClaimRow,
  type DeliveryKind,
} from './claims.js';
import { currentSlot } from './slots.js';
import { pause, type Subscription } from './subscriptions.js';

export type SendResult =
  | { kind: 'posted'; messageId: string }
  | { kind: 'retry'; error: string; nextAttemptAt: string }
  | { kind: 'paused'; reason: string };

type Sending = Pick<Services, 'db' | 'outbox' | 'log'>;

/**
 * One attempt at a claim whose lease this process holds (`attempts` counts this one). Posts the reply
 * under the slot's idempotency key; then records it posted, with every claim it carried; or, when the
 * platform refuses for good, ends the claim and pauses, with the platform's reason, the channel's
 * schedule of every kind the message held; or schedules the retry (1, 2, 4 … minutes, at most an
 * hour, never sooner than the platform asked). `what` names the content in the log.
 */
export async function sendClaim(
  services: Sending,
  claim: Pick<ClaimRow, 'id' | 'kind' | 'platform' | 'channel' | 'slot' | 'attempts'>,
  message: Reply,
  now: number,
  what: string,
): Promise<SendResult> {
  const { db, log } = services;
  const tag = `${claim.kind} ${label(claim)}`;
  try {
    const ref = await services.outbox.post(claim.platform, claim.channel, message, {
      idempotencyKey: idempotencyKey(claim.platform, claim.channel, claim.slot, claim.kind),
      attempt: claim.attempts,
      // A claim attempted before and never recorded as posted may have reached the channel.
      mayHaveArrived: claim.attempts > 1,
    });
    markPosted(db, claim.id, ref.messageId, iso(now));
    log.info(`${tag}: posted ${what} for ${claim.slot} (message ${ref.messageId})`);
    return { kind: 'posted', messageId: ref.messageId };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof DeliveryError && error.permanent) {
      db.transaction(() => {
        const kinds = new Set([claim.kind, ...carriedBy(db, claim.id).map((c) => c.kind)]);
        endClaim(db, claim.id, 'failed', text);
        for (const kind of kinds) pause(db, kind, claim.platform, claim.channel, text, iso(now));
      }).immediate();
      log.warn(`${tag}: paused, the platform refused the post for good: ${text}`);
      return { kind: 'paused', reason: text };
    }
    const retryAfter = error instanceof DeliveryError ? (error.retryAfterMs ?? 0) : 0;
    const next = iso(now + Math.max(retryDelayMs(claim.attempts), retryAfter));
    markRetry(db, claim.id, text, next);
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
   * Called inside the carrier's claim transaction: claims this kind's post for the channel's slot when
   * it is due in that very slot and unclaimed. Its claim id, or null.
   */
  claimAlong(services: Services, ref: ChannelRef, slot: string, now: number): number | null;
  /** The carried claim's part of the message, in the carrier's language; null when it has nothing to show any more. */
  render(services: Services, claim: ClaimRow, lang: Lang): Reply | null;
};

/** Inside the carrier's claim transaction: claims each part due in the same slot and puts it in the carrier's message. The kinds carried. */
export function claimParts(services: Services, parts: readonly SlotPart[], ref: ChannelRef, slot: string, now: number, carrierId: number): DeliveryKind[] {
  const carried: DeliveryKind[] = [];
  for (const part of parts) {
    const id = part.claimAlong(services, ref, slot, now);
    if (id === null) continue;
    carry(services.db, id, carrierId);
    carried.push(part.kind);
  }
  return carried;
}

/**
 * The replies of the claims a carrier carries, in the carrier's language. A carried claim this
 * process has no part for (a command line composed without it), or whose part has nothing to show,
 * is handed back to its own kind's schedule, due at once, rather than marked posted unseen.
 */
export function renderParts(services: Services, parts: readonly SlotPart[], carrierId: number, lang: Lang, now: number): { kinds: DeliveryKind[]; replies: Reply[] } {
  const kinds: DeliveryKind[] = [];
  const replies: Reply[] = [];
  for (const claim of carriedBy(services.db, carrierId)) {
    if (claim.status !== 'pending') continue;
    const part = parts.find((p) => p.kind === claim.kind);
    const shown = part?.render(services, claim, lang) ?? null;
    if (shown) {
      kinds.push(claim.kind);
      replies.push(shown);
      continue;
    }
    stmt(services.db, "UPDATE delivery_claims SET carried_by = NULL, next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(iso(now), claim.id);
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
export async function retryDue<C extends Pick<ClaimRow, 'id' | 'kind' | 'platform' | 'channel' | 'slot' | 'claimedAt' | 'attempts' | 'inFlight'>, R extends { kind: string }>(
  services: Pick<Services, 'db' | 'log' | 'config'>,
  pending: readonly C[],
  now: number,
  end: (claim: C, status: 'expired' | 'unknown') => boolean,
  attempt: (claim: C, attempts: number) => Promise<R>,
): Promise<R[]> {
  const graceHours = services.config.spotlight.graceHours;
  const results: R[] = [];
  for (const claim of pending) {
    if (beyondGrace(claim, now, graceHours)) {
      const status = endStatusOf(claim);
      if (end(claim, status)) {
        services.log.warn(`${claim.kind} ${label(claim)}: gave up on ${claim.slot} after ${countOf(claim.attempts, 'attempt')}, beyond the ${graceHours} h grace window (${status})`);
      }
      continue;
    }
    if (!takeAttempt(services.db, claim.id, iso(now), iso(now + ATTEMPT_LEASE_MS))) continue;
    const result = await attempt(claim, claim.attempts + 1);
    results.push(result);
    if (result.kind === 'paused') break;
  }
  return results;
}

/**
 * The slot a channel's tick may claim now: its schedule's latest since the channel was turned on,
 * unless a claim of this kind already has it (posted, pending, skipped …). Null when there is none.
 */
export function unclaimedSlot(db: Services['db'], sub: Pick<Subscription, 'kind' | 'platform' | 'channel' | 'schedule' | 'timezone' | 'enabledAt'>, now: number): { at: number; slot: string } | null {
  const at = currentSlot(sub, now);
  if (at === null) return null;
  const slot = iso(at);
  const taken = stmt(db, 'SELECT 1 FROM delivery_claims WHERE kind = ? AND platform = ? AND channel = ? AND slot = ?').get(sub.kind, sub.platform, sub.channel, slot);
  return taken ? null : { at, slot };
}
