import type { Platform } from '../../adapter.js';
import type { Paper } from '../../catalog/paper.js';
import { ATTEMPT_LEASE_MS, endClaim, iso, label, latestSlot, sendClaim, type SendResult, type SlotPart } from '../../delivery/index.js';
import type { Services } from '../../services.js';
import { spotlightReply } from './post.js';
import { peekNext } from './rotation.js';
import * as store from './store.js';
import type { PostRow, Subscription } from './store.js';

/**
 * The spotlight's part of delivery: which paper a claim posts (chosen in the claim's transaction, so
 * a retry or a second process posts the same one) and what the post says. Claims, leases, keys,
 * retries and pauses are the delivery layer's.
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
  | Exclude<SendResult, { kind: 'posted' }>
  /** Nothing left to post (the catalog is empty): the claim is given up. */
  | { kind: 'dropped'; reason: string };

export type Claim = { id: number; slot: string; paper: Paper; round: number };

/**
 * Claims a slot for the channel with its next paper, in one write transaction (or in the caller's).
 * Null when the slot is already claimed, the channel is off or paused, or the catalog is empty.
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

function postFor(services: Services, paper: Paper, lang: Subscription['lang'], slot: string) {
  return spotlightReply({ paper, related: services.search.related(paper, 3), lang, data: { slot } });
}

/** One attempt at a claimed post whose lease this process holds. */
export async function attempt(
  services: Services,
  sub: Subscription,
  row: Pick<PostRow, 'id' | 'slot' | 'paperId' | 'attempts'>,
  now: number,
): Promise<AttemptResult> {
  const paper = paperFor(services, sub, row);
  if (!paper) {
    endClaim(services.db, row.id, 'expired', 'the catalog is empty');
    services.log.warn(`spotlight ${label(sub)}: the catalog is empty; nothing to post for ${row.slot}`);
    return { kind: 'dropped', reason: 'the catalog is empty' };
  }
  const claim = { id: row.id, kind: 'spotlight', platform: sub.platform, channel: sub.channel, slot: row.slot, attempts: row.attempts };
  const result = await sendClaim(services, claim, postFor(services, paper, sub.lang, row.slot), now, paper.id);
  if (result.kind !== 'posted') return result;
  return {
    kind: 'posted',
    post: { platform: sub.platform, channel: sub.channel, slot: row.slot, paper: { id: paper.id, title: paper.title }, messageId: result.messageId },
  };
}

/**
 * The spotlight as a part of another kind's message (the digest's) when both fall in the same slot:
 * it is claimed along only when its own schedule has that very slot, and shows the claimed paper.
 */
export const spotlightPart: SlotPart = {
  kind: 'spotlight',
  claimAlong(services, ref, slot, now) {
    const sub = store.getSubscription(services.db, ref.platform, ref.channel);
    if (!sub || !sub.enabled || sub.pausedReason) return null;
    const own = latestSlot(sub.schedule, sub.timezone, now);
    if (own === null || iso(own) !== slot || own < Date.parse(sub.enabledAt)) return null;
    return claimSlot(services, ref.platform, ref.channel, slot, 'schedule', now)?.id ?? null;
  },
  render(services, claim, lang) {
    const sub = store.getSubscription(services.db, claim.platform, claim.channel);
    const row = store.postById(services.db, claim.id);
    if (!sub || !row) return null;
    const paper = paperFor(services, sub, row);
    return paper ? postFor(services, paper, lang, claim.slot) : null;
  },
};
