import type { Services } from '../../services.js';
import { isDatabaseUnavailable, logFailure } from '../../store/sql/outage.js';
import { dueWork, endClaim, isAtMostDaily, iso, label, missedSlots, retryDue, type DueWork } from '../../delivery/index.js';
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
  // The rotation picks from the catalog as it stands, another replica's additions included.
  await services.catalog.catchUp();
  let subs: Subscription[];
  let work: DueWork;
  try {
    // A process without this platform's adapter (a console-only `spotlight tick`) leaves its
    // channels to one that has it, rather than claiming slots it cannot post.
    subs = (await store.activeSubscriptions(services.sql)).filter((s) => services.outbox.has(s.platform));
    work = await dueWork(services.sql, 'spotlight', subs, at);
  } catch (error) {
    logFailure(services.log, services.sql, 'spotlight: could not read subscriptions', error);
    return posts;
  }
  for (const sub of subs) {
    try {
      posts.push(...(await tickChannel(services, sub, at, work)));
    } catch (error) {
      logFailure(services.log, services.sql, `spotlight ${label(sub)}: tick failed`, error);
      // The other channels wait for the next round: each would wait out the same bounds for nothing.
      if (isDatabaseUnavailable(error)) break;
    }
  }
  return posts;
}

async function tickChannel(services: Services, sub: Subscription, now: number, work: DueWork): Promise<SpotlightPost[]> {
  const { sql, log } = services;
  const graceMs = services.config.spotlight.graceHours * HOUR;
  const posts: SpotlightPost[] = [];

  // A schedule denser than daily can only come from a database written before the rule: refuse to
  // run it (its slot arithmetic walks every minute of the day) and say so where the channel looks.
  if (!isAtMostDaily(sub.schedule)) {
    const reason = `the schedule "${sub.schedule}" fires more often than once a day; set a new one with \`/paper spotlight on\``;
    await store.pause(sql, sub, reason, iso(now));
    log.warn(`spotlight ${label(sub)}: paused: ${reason}`);
    return posts;
  }

  if (work.retryDue(sub)) {
    const retried = await retryDue(
      services,
      await store.pendingPosts(sql, sub),
      now,
      // An attempt that never reported back may have reached the channel: its paper stays used.
      (row, status) => sql.transaction((tx) => endClaim(tx, row.id, status, null, iso(now))),
      (row, attempts) => attempt(services, sub, { ...row, attempts }, now),
    );
    for (const result of retried) if (result.kind === 'posted') posts.push(result.post);
    if (retried.at(-1)?.kind === 'paused') return posts;
  }

  const open = work.openSlot(sub);
  if (!open) return posts;
  const { at: latest, slot } = open;

  const since = await store.latestRecordedSlot(sql, sub);
  const from = Math.max(since ? Date.parse(since) : 0, Date.parse(sub.enabledAt) - 1);
  const logMissed = () => {
    const missed = missedSlots(sub.schedule, sub.timezone, from, latest, MISSED_SCAN_DAYS, MISSED_LISTED);
    if (missed.count === 0) return;
    const listed = [...missed.recent].reverse().map(iso).join(', ');
    const count = missed.complete ? `${missed.count}` : `at least ${missed.count}`;
    log.warn(`spotlight ${label(sub)}: skipped ${count} missed ${missed.count === 1 ? 'slot' : 'slots'} older than the latest (most recent: ${listed})`);
  };

  if (now - latest > graceMs) {
    if (await store.insertSkipped(sql, sub, slot, iso(now), 'missed beyond the grace window')) {
      log.warn(`spotlight ${label(sub)}: skipped the slot ${slot}: missed by more than the ${services.config.spotlight.graceHours} h grace window`);
      logMissed();
    }
    return posts;
  }

  const claim = await claimSlot(services, sub, slot, 'schedule', now, { skipLocked: true });
  if (!claim) return posts;
  logMissed();
  const result = await attempt(services, sub, { id: claim.id, slot, paperId: claim.paper.id, attempts: 1 }, now);
  if (result.kind === 'posted') posts.push(result.post);
  return posts;
}
