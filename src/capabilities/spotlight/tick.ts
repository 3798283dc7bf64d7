import type { Services } from '../../services.js';
import { retryWhileBusy } from '../../store/busy.js';
import { endClaim, isAtMostDaily, iso, label, missedSlots, retryDue, unclaimedSlot } from '../../delivery/index.js';
import { attempt, claimSlot, type SpotlightPost } from './deliver.js';
import * as store from './store.js';
import type { Subscription } from './store.js';

const HOUR = 3_600_000;
/** How many skipped slots a log line names. */
const MISSED_LISTED = 5;
/** How far back missed slots are counted; older ones are reported as "at least". */
const MISSED_SCAN_DAYS = 400;

/**
 * The due-check, run by the scheduler every minute and by `paperbot spotlight tick`: retries what is
 * due, then posts each channel's latest slot if it is unclaimed and within the grace window. One
 * channel's failure is logged and never stops the others.
 */
export async function tick(services: Services, now: Date = services.clock.now()): Promise<SpotlightPost[]> {
  const at = now.getTime();
  const posts: SpotlightPost[] = [];
  let subs: Subscription[];
  try {
    subs = store.activeSubscriptions(services.db);
  } catch (error) {
    services.log.error('spotlight: could not read subscriptions', error);
    return posts;
  }
  for (const sub of subs) {
    // A process without this platform's adapter (a console-only `spotlight tick`) leaves its
    // channels to one that has it, rather than claiming slots it cannot post.
    if (!services.outbox.has(sub.platform)) continue;
    try {
      // Another process holding the write lock is waited out between attempts, never in one statement.
      posts.push(...(await retryWhileBusy(services.db, () => tickChannel(services, sub, at))));
    } catch (error) {
      services.log.error(`spotlight ${label(sub)}: tick failed`, error);
    }
  }
  return posts;
}

async function tickChannel(services: Services, sub: Subscription, now: number): Promise<SpotlightPost[]> {
  const { db, log } = services;
  const graceMs = services.config.spotlight.graceHours * HOUR;
  const posts: SpotlightPost[] = [];

  // A schedule denser than daily can only come from a database written before the rule: refuse to
  // run it (its slot arithmetic walks every minute of the day) and say so where the channel looks.
  if (!isAtMostDaily(sub.schedule)) {
    const reason = `the schedule "${sub.schedule}" fires more often than once a day; set a new one with \`/paper spotlight on\``;
    store.pause(db, sub.platform, sub.channel, reason, iso(now));
    log.warn(`spotlight ${label(sub)}: paused: ${reason}`);
    return posts;
  }

  const retried = await retryDue(
    services,
    store.pendingPosts(db, sub.platform, sub.channel),
    now,
    // An attempt that never reported back may have reached the channel: its paper stays used.
    (row, status) => endClaim(db, row.id, status, null, iso(now)),
    (row, attempts) => attempt(services, sub, { ...row, attempts }, now),
  );
  for (const result of retried) if (result.kind === 'posted') posts.push(result.post);
  if (retried.at(-1)?.kind === 'paused') return posts;

  const open = unclaimedSlot(db, sub, now);
  if (!open) return posts;
  const { at: latest, slot } = open;

  const since = store.latestRecordedSlot(db, sub.platform, sub.channel);
  const from = Math.max(since ? Date.parse(since) : 0, Date.parse(sub.enabledAt) - 1);
  const logMissed = () => {
    const missed = missedSlots(sub.schedule, sub.timezone, from, latest, MISSED_SCAN_DAYS, MISSED_LISTED);
    if (missed.count === 0) return;
    const listed = [...missed.recent].reverse().map(iso).join(', ');
    const count = missed.complete ? `${missed.count}` : `at least ${missed.count}`;
    log.warn(`spotlight ${label(sub)}: skipped ${count} missed ${missed.count === 1 ? 'slot' : 'slots'} older than the latest (most recent: ${listed})`);
  };

  if (now - latest > graceMs) {
    if (store.insertSkipped(db, sub.platform, sub.channel, slot, iso(now), 'missed beyond the grace window')) {
      log.warn(`spotlight ${label(sub)}: skipped the slot ${slot}: missed by more than the ${services.config.spotlight.graceHours} h grace window`);
      logMissed();
    }
    return posts;
  }

  const claim = claimSlot(services, sub.platform, sub.channel, slot, 'schedule', now);
  if (!claim) return posts;
  logMissed();
  const result = await attempt(services, sub, { id: claim.id, slot, paperId: claim.paper.id, attempts: 1 }, now);
  if (result.kind === 'posted') posts.push(result.post);
  return posts;
}
