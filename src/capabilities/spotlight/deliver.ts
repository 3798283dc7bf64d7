import { createHash } from 'node:crypto';
import type { Platform } from '../../adapter.js';
import type { Paper } from '../../catalog/paper.js';
import type { Services } from '../../services.js';
import { DeliveryError } from '../../errors.js';
import { spotlightReply } from './post.js';
import { peekNext } from './rotation.js';
import * as store from './store.js';
import type { PostRow, Subscription } from './store.js';

/**
 * Claim, then post, then record. The claim (a row under UNIQUE(platform, channel, slot), written
 * with the paper chosen in the same transaction) happens before anything reaches the platform, so
 * a second process, a restart or a retry can never post the slot again with another paper. An
 * attempt holds a lease (next_attempt_at moved forward); a process killed mid-post leaves the lease
 * to run out, and the retry carries the same idempotency key (Discord's enforced nonce), so the
 * platform can drop the duplicate if the first attempt did arrive.
 */

export type SpotlightPost = {
  platform: Platform;
  channel: string;
  /** The slot as an ISO 8601 UTC instant. */
  slot: string;
  paper: { id: string; title: string };
  messageId: string;
};

export type AttemptResult =
  | { kind: 'posted'; post: SpotlightPost }
  | { kind: 'retry'; error: string; nextAttemptAt: string }
  | { kind: 'paused'; reason: string }
  /** Nothing left to post (the catalog is empty): the claim is given up. */
  | { kind: 'dropped'; reason: string };

/**
 * How long one attempt may take before another process may try again; a crash mid-post is retried
 * this much later. Short enough that the retry falls inside Discord's nonce window ("the past few
 * minutes"), long enough for an adapter that fails fast (bounded retries and timeouts).
 */
export const ATTEMPT_LEASE_MS = 2 * 60_000;
const MINUTE = 60_000;

/** Wait before retry n (n = attempts made so far): 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1), 60) * MINUTE;
}

/** At most 25 characters (Discord's nonce limit), the same for every attempt at one slot. */
export function idempotencyKey(platform: Platform, channel: string, slot: string): string {
  return `sp${createHash('sha256').update(`${platform}\n${channel}\n${slot}`).digest('hex').slice(0, 23)}`;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export function label(sub: { platform: Platform; channel: string }): string {
  return `${sub.platform}:${sub.channel}`;
}

export type Claim = { id: number; slot: string; paper: Paper; round: number };

/**
 * Claims a slot for the channel with its next paper, in one write transaction. Null when the slot is
 * already claimed, the channel is off or paused, or the catalog is empty.
 */
export function claimSlot(services: Services, platform: Platform, channel: string, slot: string, trigger: 'schedule' | 'now', now: number): Claim | null {
  const { db } = services;
  return db
    .transaction((): Claim | null => {
      const sub = store.getSubscription(db, platform, channel);
      if (!sub || !sub.enabled || sub.pausedReason) return null;
      if (store.getPost(db, platform, channel, slot)) return null;
      const pick = peekNext(db, sub, services.papers);
      if (!pick) {
        services.log.warn(`spotlight ${label(sub)}: the catalog is empty; nothing to post for ${slot}`);
        return null;
      }
      if (pick.round !== sub.round) store.setRound(db, platform, channel, pick.round);
      const id = store.insertClaim(db, {
        platform,
        channel,
        slot,
        trigger,
        paperId: pick.paper.id,
        round: pick.round,
        now: iso(now),
        leaseUntil: iso(now + ATTEMPT_LEASE_MS),
      });
      return id === null ? null : { id, slot, paper: pick.paper, round: pick.round };
    })
    .immediate();
}

/** A claimed paper that has since left the catalog is swapped for the channel's next one. */
function paperFor(services: Services, sub: Subscription, row: Pick<PostRow, 'id' | 'paperId'>): Paper | null {
  const found = services.papers.find((p) => p.id === row.paperId);
  if (found) return found;
  const { db } = services;
  return db
    .transaction(() => {
      const current = store.getSubscription(db, sub.platform, sub.channel) ?? sub;
      const pick = peekNext(db, current, services.papers);
      if (!pick) return null;
      if (pick.round !== current.round) store.setRound(db, sub.platform, sub.channel, pick.round);
      store.replacePaper(db, row.id, pick.paper.id, pick.round);
      services.log.info(`spotlight ${label(sub)}: ${row.paperId} left the catalog; posting ${pick.paper.id} instead`);
      return pick.paper;
    })
    .immediate();
}

/** One attempt at a claimed post whose lease this process holds. */
export async function attempt(
  services: Services,
  sub: Subscription,
  row: Pick<PostRow, 'id' | 'slot' | 'paperId' | 'attempts'>,
  now: number,
): Promise<AttemptResult> {
  const { db, log } = services;
  const paper = paperFor(services, sub, row);
  if (!paper) {
    store.markEnded(db, row.id, 'expired', 'the catalog is empty');
    log.warn(`spotlight ${label(sub)}: the catalog is empty; nothing to post for ${row.slot}`);
    return { kind: 'dropped', reason: 'the catalog is empty' };
  }
  const reply = spotlightReply({ paper, related: services.search.related(paper, 3), lang: sub.lang, data: { slot: row.slot } });
  try {
    const ref = await services.outbox.post(sub.platform, sub.channel, reply, {
      idempotencyKey: idempotencyKey(sub.platform, sub.channel, row.slot),
      // A claim attempted before and never recorded as posted may have reached the channel.
      mayHaveArrived: row.attempts > 1,
    });
    store.markPosted(db, row.id, ref.messageId, iso(now));
    log.info(`spotlight ${label(sub)}: posted ${paper.id} for ${row.slot} (message ${ref.messageId})`);
    return {
      kind: 'posted',
      post: { platform: sub.platform, channel: sub.channel, slot: row.slot, paper: { id: paper.id, title: paper.title }, messageId: ref.messageId },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof DeliveryError && error.permanent) {
      db.transaction(() => {
        store.markEnded(db, row.id, 'failed', message);
        store.pause(db, sub.platform, sub.channel, message, iso(now));
      }).immediate();
      log.warn(`spotlight ${label(sub)}: paused, the platform refused the post for good: ${message}`);
      return { kind: 'paused', reason: message };
    }
    const retryAfter = error instanceof DeliveryError ? (error.retryAfterMs ?? 0) : 0;
    const next = iso(now + Math.max(retryDelayMs(row.attempts), retryAfter));
    store.markRetry(db, row.id, message, next);
    if (error instanceof DeliveryError) log.warn(`spotlight ${label(sub)}: post for ${row.slot} failed (attempt ${row.attempts}), retrying at ${next}: ${message}`);
    else log.error(`spotlight ${label(sub)}: post for ${row.slot} failed unexpectedly (attempt ${row.attempts}), retrying at ${next}`, error);
    return { kind: 'retry', error: message, nextAttemptAt: next };
  }
}
