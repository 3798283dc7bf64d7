import type { Platform } from '../../adapter.js';
import {
  attemptLeaseEnd,
  claimParts,
  combineReplies,
  endStatusOf,
  holdLease,
  iso,
  renderParts,
  sendClaim,
  type ChannelRef,
  type DeliveryKind,
  type SendResult,
  type SlotPart,
} from '../../delivery/index.js';
import { countOf } from '../../i18n/index.js';
import type { Services } from '../../services.js';
import type { SqlTransaction } from '../../store/sql/types.js';
import { followedTopics } from '../../topics.js';
import type { TopicMatcher } from './match.js';
import { digestReply, type DigestEntry } from './render.js';
import * as store from './store.js';
import type { DigestPost, DigestSubscription } from './store.js';

/**
 * The digest's part of delivery: which papers a claim carries (chosen in the claim's transaction,
 * so a retry or a second process posts the same ones) and what the post says. Claims, leases, keys,
 * retries and pauses are the delivery layer's. When another kind of post (the spotlight) falls in the
 * same slot, the parts handed in by the composition above claim it along, and both go out as one
 * message, so the other kind's own tick finds its slot taken.
 */

export type DigestPosted = {
  platform: Platform;
  workspaceId: string;
  channel: string;
  slot: string;
  papers: { id: string; title: string }[];
  messageId: string;
  /** The other kinds of post the message carried (`spotlight`). */
  carried: DeliveryKind[];
};

export type DigestAttempt = { kind: 'posted'; post: DigestPosted } | Exclude<SendResult, { kind: 'posted' }>;

export type MatcherSource = () => Promise<{ matcher: TopicMatcher; enteredAt: Map<string, string> }>;

/** The papers a channel's next digest would carry, computed inside the caller's transaction. */
async function selectItems(
  tx: SqlTransaction,
  sub: DigestSubscription,
  matcher: TopicMatcher,
  from: string,
  to: string,
  enteredAt: Map<string, string>,
): Promise<store.DigestItem[]> {
  const topics = (await followedTopics(tx, sub)).map((f) => f.query);
  if (topics.length === 0) return [];
  const sent = await store.deliveredPaperIds(tx, sub);
  return matcher.digestFor(topics, (id) => {
    const at = enteredAt.get(id);
    return at !== undefined && at > from && at <= to && !sent.has(id);
  });
}

/**
 * Claims a slot with the papers that entered the catalog in the channel's window and match its
 * topics, in one write transaction; a scheduled one with papers also claims the `parts` due in the
 * same slot, to carry them. A slot with nothing is recorded as `empty` (the window moves on, nothing
 * is posted) unless `skipEmpty`. Null when the slot was taken, or empty and skipped.
 */
export async function claimDigest(
  services: Services,
  sub: DigestSubscription,
  slot: string,
  trigger: 'schedule' | 'now',
  now: number,
  matcher: MatcherSource,
  options: { skipEmpty?: boolean; skipLocked?: boolean; parts?: readonly SlotPart[] } = {},
): Promise<{ post: DigestPost; items: store.DigestItem[] } | null> {
  const { sql } = services;
  // The new papers come from the catalog, still on the synchronous handle: read before the
  // transaction, which only does database work on its own connection.
  const m = await matcher();
  const ref: ChannelRef = { platform: sub.platform, workspaceId: sub.workspaceId, channel: sub.channel };
  const claimed = await sql.transaction(async (tx) => {
    if (!(await store.lockSubscription(sql, tx, ref, options.skipLocked ?? false))) return null;
    const current = await store.getSubscription(tx, ref);
    if (!current || !current.enabled || current.pausedReason) return null;
    if (await store.getPost(tx, ref, slot)) return null;
    const from = await store.windowStart(tx, current);
    const to = trigger === 'now' ? iso(now) : slot;
    const items = await selectItems(tx, current, m.matcher, from, to, m.enteredAt);
    if (items.length === 0 && options.skipEmpty) return null;
    const id = await store.insertPost(tx, { ...ref, slot, trigger, windowTo: to, now: iso(now), leaseUntil: attemptLeaseEnd(services.config, now), items });
    if (id === null) return null;
    if (items.length > 0 && trigger === 'schedule') await claimParts(services, tx, options.parts ?? [], ref, slot, now, id);
    const post = await store.postById(tx, id);
    return post ? { post, items } : null;
  });
  // The first attempt's lease is this process's once the claim is committed.
  if (claimed && claimed.items.length > 0) holdLease(sql, claimed.post.id, attemptLeaseEnd(services.config, now));
  return claimed;
}

export async function entriesOf(services: Services, postId: number): Promise<DigestEntry[]> {
  const out: DigestEntry[] = [];
  for (const item of await store.itemsOf(services.sql, postId)) {
    const paper = services.search.get(item.paperId);
    if (paper) out.push({ ...item, paper });
  }
  return out;
}

/** One attempt at a claimed digest whose lease this process holds (`attempts` counts this one). */
export async function attemptDigest(
  services: Services,
  sub: DigestSubscription,
  post: DigestPost,
  attempts: number,
  now: number,
  parts: readonly SlotPart[] = [],
): Promise<DigestAttempt> {
  const entries = await entriesOf(services, post.id);
  const carried = await renderParts(services, parts, post.id, sub.lang, now);
  const since = (await store.windowStartBefore(services.sql, sub, post)).slice(0, 10);
  const message = combineReplies(carried.replies, digestReply({ lang: sub.lang, entries, postId: post.id, since }));
  const what = `${countOf(entries.length, 'paper')}${carried.kinds.length ? ` with the ${carried.kinds.join(' and ')}` : ''}`;
  const result = await sendClaim(services, { ...post, attempts }, message, now, what);
  if (result.kind === 'paused') await store.givePapersBack(services.sql, post.id);
  if (result.kind !== 'posted') return result;
  return {
    kind: 'posted',
    post: {
      platform: sub.platform,
      workspaceId: sub.workspaceId,
      channel: sub.channel,
      slot: post.slot,
      papers: entries.map((e) => ({ id: e.paper.id, title: e.paper.title })),
      messageId: result.messageId,
      carried: carried.kinds,
    },
  };
}

/** Gives up a pending digest beyond the grace window; what it carried ends with it. */
export function giveUp(services: Services, post: DigestPost, now: number): Promise<boolean> {
  return services.sql.transaction((tx) => store.endPost(tx, post.id, endStatusOf(post), null, iso(now)));
}
