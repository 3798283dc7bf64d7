import type { Services } from '../../services.js';
import { isDatabaseUnavailable, logFailure } from '../../store/sql/outage.js';
import { dueWork, iso, label, retryDue, type DueWork, type SlotPart } from '../../delivery/index.js';
import { attemptDigest, claimDigest, giveUp, type DigestPosted, type MatcherSource } from './deliver.js';
import { TopicMatcher } from './match.js';
import * as store from './store.js';
import type { DigestSubscription } from './store.js';

const HOUR = 3_600_000;

/** The new papers of every open window, indexed once per tick and only when some channel needs them. */
export function lazyMatcher(services: Services, subs: DigestSubscription[], now: number): MatcherSource {
  let built: ReturnType<MatcherSource> | null = null;
  const build = async () => {
    let from = iso(now);
    for (const s of subs) {
      const start = await store.windowStart(services.sql, s);
      if (start < from) from = start;
    }
    const entered = await store.enteredBetween(services.sql, from, iso(now));
    return { matcher: new TopicMatcher(entered.map((e) => e.paper)), enteredAt: new Map(entered.map((e) => [e.paper.id, e.enteredAt])) };
  };
  return () => (built ??= build());
}

export type DigestTickOptions = {
  /**
   * Other kinds of post a digest carries when they fall in its slot (the spotlight), handed in by the
   * composition above the capabilities: the scheduler and the command line.
   */
  parts?: readonly SlotPart[];
};

/**
 * The due-check for digests, run before the spotlight's each minute and by `paperbot digest tick`:
 * retries what is due, then claims each channel's latest slot if it is unclaimed and within the
 * grace window. One channel's failure is logged and never stops the others.
 */
export async function digestTick(services: Services, now: Date = services.clock.now(), options: DigestTickOptions = {}): Promise<DigestPosted[]> {
  const at = now.getTime();
  const posts: DigestPosted[] = [];
  // A paper another replica added is in this one's digest window (read from the store) and must be
  // in its index too: the digest's entries are looked up there.
  await services.catalog.catchUp();
  let subs: DigestSubscription[];
  let work: DueWork;
  try {
    subs = (await store.activeSubscriptions(services.sql)).filter((s) => services.outbox.has(s.platform));
    work = await dueWork(services.sql, 'digest', subs, at);
  } catch (error) {
    logFailure(services.log, services.sql, 'digest: could not read subscriptions', error);
    return posts;
  }
  // Only the channels with a slot to claim have a window to match papers in.
  const matcher = lazyMatcher(services, subs.filter((s) => work.openSlot(s) !== null), at);
  for (const sub of subs) {
    try {
      posts.push(...(await tickChannel(services, sub, at, work, matcher, options.parts ?? [])));
    } catch (error) {
      logFailure(services.log, services.sql, `digest ${label(sub)}: tick failed`, error);
      // The other channels wait for the next round: each would wait out the same bounds for nothing.
      if (isDatabaseUnavailable(error)) break;
    }
  }
  return posts;
}

async function tickChannel(services: Services, sub: DigestSubscription, now: number, work: DueWork, matcher: MatcherSource, parts: readonly SlotPart[]): Promise<DigestPosted[]> {
  const { sql, log } = services;
  const graceHours = services.config.spotlight.graceHours;
  const posts: DigestPosted[] = [];
  if (work.retryDue(sub)) {
    const retried = await retryDue(
      services,
      await store.pendingPosts(sql, sub),
      now,
      (post) => giveUp(services, post, now),
      (post, attempts) => attemptDigest(services, sub, post, attempts, now, parts),
    );
    for (const result of retried) if (result.kind === 'posted') posts.push(result.post);
    if (retried.at(-1)?.kind === 'paused') return posts;
  }

  const open = work.openSlot(sub);
  if (!open) return posts;
  const { at: latest, slot } = open;
  if (now - latest > graceHours * HOUR) {
    if (await store.insertSkipped(sql, sub, slot, slot, iso(now), 'missed beyond the grace window')) {
      log.warn(`digest ${label(sub)}: skipped the slot ${slot}: missed by more than the ${graceHours} h grace window; its papers go into the next digest`);
    }
    return posts;
  }
  const claim = await claimDigest(services, sub, slot, 'schedule', now, matcher, { parts, skipLocked: true });
  if (!claim || claim.items.length === 0) return posts;
  const result = await attemptDigest(services, sub, claim.post, 1, now, parts);
  if (result.kind === 'posted') posts.push(result.post);
  return posts;
}
