import type { Platform } from '../../adapter.js';
import type { Paper } from '../../catalog/paper.js';
import { attemptLeaseEnd, endClaim, holdLease, iso, label, latestSlot, sendClaim, type ChannelRef, type SendResult, type SlotPart } from '../../delivery/index.js';
import type { Services } from '../../services.js';
import type { SqlTransaction } from '../../store/sql/types.js';
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
  workspaceId: string;
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

export type ClaimOptions = {
  /** The caller's transaction (a digest claiming the spotlight along); by default its own. */
  tx?: SqlTransaction;
  /** A scheduled tick skips a channel another replica is claiming; a command waits for it (see `lockSubscription`). */
  skipLocked?: boolean;
};

/**
 * Claims a slot for the channel with its next paper, in one write transaction (or in the caller's).
 * Null when the slot is already claimed, the channel is off or paused (or, skipping, being claimed
 * elsewhere), or the catalog is empty. The paper is chosen under the subscription's row lock, so
 * two replicas never choose for one channel at once; the slot is then taken by the claim's insert.
 */
export async function claimSlot(services: Services, ref: ChannelRef, slot: string, trigger: 'schedule' | 'now', now: number, options: ClaimOptions = {}): Promise<Claim | null> {
  const claimIn = async (tx: SqlTransaction): Promise<Claim | null> => {
    if (!(await store.lockSubscription(services.sql, tx, ref, options.skipLocked ?? false))) return null;
    const sub = await store.getSubscription(tx, ref);
    if (!sub || !sub.enabled || sub.pausedReason) return null;
    if (await store.getPost(tx, ref, slot)) return null;
    const pick = await peekNext(tx, sub, services.papers);
    if (!pick) {
      services.log.warn(`spotlight ${label(sub)}: the catalog is empty; nothing to post for ${slot}`);
      return null;
    }
    if (pick.round !== sub.round) await store.setRound(tx, ref, pick.round);
    const id = await store.insertClaim(tx, {
      ...channelOf(ref),
      slot,
      trigger,
      paperId: pick.paper.id,
      round: pick.round,
      now: iso(now),
      leaseUntil: attemptLeaseEnd(services.config, now),
    });
    return id === null ? null : { id, slot, paper: pick.paper, round: pick.round };
  };
  if (options.tx) return claimIn(options.tx);
  const claim = await services.sql.transaction(claimIn);
  // The first attempt's lease is this process's once the claim is committed.
  if (claim) holdLease(services.sql, claim.id, attemptLeaseEnd(services.config, now));
  return claim;
}

const channelOf = (ref: ChannelRef): ChannelRef => ({ platform: ref.platform, workspaceId: ref.workspaceId, channel: ref.channel });

/** A claimed paper that has since left the catalog is swapped for the channel's next one. */
async function paperFor(services: Services, sub: Subscription, row: Pick<PostRow, 'id' | 'paperId'>): Promise<Paper | null> {
  const found = services.papers.find((p) => p.id === row.paperId);
  if (found) return found;
  return services.sql.transaction(async (tx) => {
    await store.lockSubscription(services.sql, tx, sub, false);
    const current = (await store.getSubscription(tx, sub)) ?? sub;
    const pick = await peekNext(tx, current, services.papers);
    if (!pick) return null;
    if (pick.round !== current.round) await store.setRound(tx, sub, pick.round);
    await store.replacePaper(tx, row.id, pick.paper.id, pick.round);
    services.log.info(`spotlight ${label(sub)}: ${row.paperId} left the catalog; posting ${pick.paper.id} instead`);
    return pick.paper;
  });
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
  const paper = await paperFor(services, sub, row);
  if (!paper) {
    await services.sql.transaction((tx) => endClaim(tx, row.id, 'expired', 'the catalog is empty'));
    services.log.warn(`spotlight ${label(sub)}: the catalog is empty; nothing to post for ${row.slot}`);
    return { kind: 'dropped', reason: 'the catalog is empty' };
  }
  const claim = { id: row.id, kind: 'spotlight', ...channelOf(sub), slot: row.slot, attempts: row.attempts };
  const result = await sendClaim(services, claim, postFor(services, paper, sub.lang, row.slot), now, paper.id);
  if (result.kind !== 'posted') return result;
  return {
    kind: 'posted',
    post: { ...channelOf(sub), slot: row.slot, paper: { id: paper.id, title: paper.title }, messageId: result.messageId },
  };
}

/**
 * The spotlight as a part of another kind's message (the digest's) when both fall in the same slot:
 * it is claimed along only when its own schedule has that very slot, and shows the claimed paper.
 * The digest's transaction already holds the spotlight's row (see `lockSubscription`).
 */
export const spotlightPart: SlotPart = {
  kind: 'spotlight',
  async claimAlong(services, tx, ref, slot, now) {
    const sub = await store.getSubscription(tx, ref);
    if (!sub || !sub.enabled || sub.pausedReason) return null;
    const own = latestSlot(sub.schedule, sub.timezone, now);
    if (own === null || iso(own) !== slot || own < Date.parse(sub.enabledAt)) return null;
    return (await claimSlot(services, ref, slot, 'schedule', now, { tx }))?.id ?? null;
  },
  async render(services, claim, lang) {
    const sub = await store.getSubscription(services.sql, claim);
    const row = await store.postById(services.sql, claim.id);
    if (!sub || !row) return null;
    const paper = await paperFor(services, sub, row);
    return paper ? postFor(services, paper, lang, claim.slot) : null;
  },
};
