import type { Platform } from '../../../adapter.js';
import type { Paper } from '../../../catalog/paper.js';
import type { Services } from '../../../services.js';
import { countOf } from '../../../i18n/index.js';
import { DeliveryError } from '../../../errors.js';
import { follows } from '../follow/index.js';
import { ATTEMPT_LEASE_MS, claimSlot, idempotencyKey, iso, label, retryDelayMs } from '../deliver.js';
import { spotlightReply } from '../post.js';
import { latestSlot } from '../slots.js';
import * as spotlightStore from '../store.js';
import type { TopicMatcher } from './match.js';
import { digestReply, type DigestEntry } from './render.js';
import * as store from './store.js';
import type { DigestPost, DigestSubscription } from './store.js';

/**
 * The digest rides on the spotlight's delivery guarantees: a claim row per channel and slot, written
 * with its papers before anything is posted; an attempt under a lease; the same idempotency key on
 * every retry; a channel that refuses posts is paused. When the channel's spotlight falls in the
 * same slot, the digest claims that slot for the spotlight too and posts both as one message, so
 * the spotlight's own tick finds the slot taken.
 */

/** A spotlight row claimed by a digest is attempted by the digest only: its own tick never finds it due. */
const OWNED_BY_DIGEST = '9999-12-31T00:00:00.000Z';

export type DigestPosted = {
  platform: Platform;
  channel: string;
  slot: string;
  papers: { id: string; title: string }[];
  messageId: string;
  withSpotlight: boolean;
};

export type DigestAttempt =
  | { kind: 'posted'; post: DigestPosted }
  | { kind: 'retry'; error: string; nextAttemptAt: string }
  | { kind: 'paused'; reason: string };

const digestKey = (platform: Platform, channel: string, slot: string) => idempotencyKey(platform, channel, `digest ${slot}`);

/** The papers a channel's next digest would carry, computed inside the caller's transaction. */
function selectItems(services: Services, sub: DigestSubscription, matcher: TopicMatcher, from: string, to: string, enteredAt: Map<string, string>): store.DigestItem[] {
  const topics = follows(services.db, sub.platform, sub.channel).map((f) => f.query);
  if (topics.length === 0) return [];
  const sent = store.deliveredPaperIds(services.db, sub.platform, sub.channel);
  return matcher.digestFor(topics, (id) => {
    const at = enteredAt.get(id);
    return at !== undefined && at > from && at <= to && !sent.has(id);
  });
}

/**
 * Claims a slot with the papers that entered the catalog in the channel's window and match its
 * topics, in one write transaction. A slot with nothing is recorded as `empty` (the window moves
 * on, nothing is posted) unless `skipEmpty`. Null when the slot was taken, or empty and skipped.
 */
export function claimDigest(
  services: Services,
  sub: DigestSubscription,
  slot: string,
  trigger: 'schedule' | 'now',
  now: number,
  matcher: () => { matcher: TopicMatcher; enteredAt: Map<string, string> },
  skipEmpty = false,
): { post: DigestPost; items: store.DigestItem[] } | null {
  const { db } = services;
  return db
    .transaction(() => {
      const current = store.getSubscription(db, sub.platform, sub.channel);
      if (!current || !current.enabled || current.pausedReason) return null;
      if (store.getPost(db, sub.platform, sub.channel, slot)) return null;
      const from = store.windowStart(db, current);
      const to = trigger === 'now' ? iso(now) : slot;
      const m = matcher();
      const items = selectItems(services, current, m.matcher, from, to, m.enteredAt);
      if (items.length === 0 && skipEmpty) return null;
      let spotlightPostId: number | null = null;
      if (items.length > 0 && trigger === 'schedule') spotlightPostId = claimSharedSpotlight(services, current, slot, now);
      const id = store.insertPost(db, {
        platform: sub.platform,
        channel: sub.channel,
        slot,
        trigger,
        windowTo: to,
        now: iso(now),
        leaseUntil: items.length ? iso(now + ATTEMPT_LEASE_MS) : null,
        items,
        spotlightPostId,
      });
      return id === null ? null : { post: store.postById(db, id)!, items };
    })
    .immediate();
}

/** When the channel's spotlight is due in this very slot and unclaimed, the digest claims it to carry it. */
function claimSharedSpotlight(services: Services, sub: DigestSubscription, slot: string, now: number): number | null {
  const spot = spotlightStore.getSubscription(services.db, sub.platform, sub.channel);
  if (!spot || !spot.enabled || spot.pausedReason) return null;
  const spotSlot = latestSlot(spot.schedule, spot.timezone, now);
  if (spotSlot === null || iso(spotSlot) !== slot || spotSlot < Date.parse(spot.enabledAt)) return null;
  const claim = claimSlot(services, sub.platform, sub.channel, slot, 'schedule', now);
  if (!claim) return null;
  spotlightStore.markRetry(services.db, claim.id, 'carried by the digest of the same slot', OWNED_BY_DIGEST);
  return claim.id;
}

export function entriesOf(services: Services, postId: number): DigestEntry[] {
  const out: DigestEntry[] = [];
  for (const item of store.itemsOf(services.db, postId)) {
    const paper = services.search.get(item.paperId);
    if (paper) out.push({ ...item, paper });
  }
  return out;
}

function sharedSpotlight(services: Services, post: DigestPost): { rowId: number; paper: Paper } | null {
  if (post.spotlightPostId === null) return null;
  const row = spotlightStore.getPost(services.db, post.platform, post.channel, post.slot);
  const paper = row?.paperId ? services.papers.find((p) => p.id === row.paperId) : undefined;
  return row && paper && row.status === 'pending' ? { rowId: row.id, paper } : null;
}

/** One attempt at a claimed digest whose lease this process holds. */
export async function attemptDigest(services: Services, sub: DigestSubscription, post: DigestPost, attempts: number, now: number): Promise<DigestAttempt> {
  const { db, log } = services;
  const entries = entriesOf(services, post.id);
  const spot = sharedSpotlight(services, post);
  const spotlight = spot ? spotlightReply({ paper: spot.paper, related: services.search.related(spot.paper, 3), lang: sub.lang, data: { slot: post.slot } }) : undefined;
  const since = store.windowStartBefore(db, sub, post).slice(0, 10);
  const message = digestReply({ lang: sub.lang, entries, postId: post.id, since, spotlight });
  try {
    const ref = await services.outbox.post(sub.platform, sub.channel, message, { idempotencyKey: digestKey(sub.platform, sub.channel, post.slot) });
    db.transaction(() => {
      store.markPosted(db, post.id, ref.messageId, iso(now));
      if (spot) spotlightStore.markPosted(db, spot.rowId, ref.messageId, iso(now));
    }).immediate();
    log.info(`digest ${label(sub)}: posted ${countOf(entries.length, 'paper')} for ${post.slot}${spot ? ' with the spotlight' : ''} (message ${ref.messageId})`);
    return {
      kind: 'posted',
      post: { platform: sub.platform, channel: sub.channel, slot: post.slot, papers: entries.map((e) => ({ id: e.paper.id, title: e.paper.title })), messageId: ref.messageId, withSpotlight: Boolean(spot) },
    };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof DeliveryError && error.permanent) {
      db.transaction(() => {
        store.endPost(db, post.id, 'failed', text);
        store.pause(db, sub.platform, sub.channel, text, iso(now));
        if (spot) {
          spotlightStore.markEnded(db, spot.rowId, 'failed', text);
          spotlightStore.pause(db, sub.platform, sub.channel, text, iso(now));
        }
      }).immediate();
      log.warn(`digest ${label(sub)}: paused, the platform refused the post for good: ${text}`);
      return { kind: 'paused', reason: text };
    }
    const retryAfter = error instanceof DeliveryError ? (error.retryAfterMs ?? 0) : 0;
    const next = iso(now + Math.max(retryDelayMs(attempts), retryAfter));
    store.markRetry(db, post.id, text, next);
    if (error instanceof DeliveryError) log.warn(`digest ${label(sub)}: post for ${post.slot} failed (attempt ${attempts}), retrying at ${next}: ${text}`);
    else log.error(`digest ${label(sub)}: post for ${post.slot} failed unexpectedly (attempt ${attempts}), retrying at ${next}`, error);
    return { kind: 'retry', error: text, nextAttemptAt: next };
  }
}

/** Gives up a pending digest beyond the grace window; its spotlight, if it carried one, ends with it. */
export function giveUp(services: Services, post: DigestPost, now: number): boolean {
  const status = post.inFlight ? 'unknown' : 'expired';
  return services.db
    .transaction(() => {
      if (!store.endPost(services.db, post.id, status, null, iso(now))) return false;
      if (post.spotlightPostId !== null) spotlightStore.markEnded(services.db, post.spotlightPostId, status, null);
      return true;
    })
    .immediate();
}
