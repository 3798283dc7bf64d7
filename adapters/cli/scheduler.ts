import cron from 'node-cron';
import { type DigestPosted, digestTick } from '../../src/capabilities/digest/index.js';
import { type FeedRound, pollFeeds } from '../../src/capabilities/feeds/index.js';
import { type SpotlightPost, spotlightPart, tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import { releaseLeases } from '../../src/delivery/index.js';
import type { Services } from '../../src/services.js';
import { logFailure } from '../../src/store/sql/outage.js';

export type SchedulerHooks = {
  /** Wraps each round, so a stop can wait for the one in flight. */
  track?<T>(work: Promise<T>): Promise<T>;
  /** Hears what each spotlight round posted (metrics). */
  onTicked?(posts: SpotlightPost[]): void;
  /** Hears each feed read in a polling round: `read`, `unchanged` (a 304) or `failed`, with the papers it added and merged (metrics). */
  onPolled?(rounds: FeedRound[]): void;
  /** Hears what each digest round posted, with what each message carried (metrics). */
  onDigested?(posts: DigestPosted[]): void;
};

export type Scheduler = {
  /** No round starts after this; one in flight carries on (the caller's drain waits for it). */
  stop(): void;
  /**
   * After the drain: hands back the attempt leases of posts still in flight (a platform slower than
   * the drain), so another process retries them at once instead of after the lease. How many.
   */
  releaseLeases(): Promise<number>;
};

/** The kinds of post that ride in a digest when they fall in its slot: the composition is here, so the capabilities need not know each other. */
export const digestParts = [spotlightPart];

/**
 * One scheduled round: reads the feeds that are due (each feed keeps its own next read, hourly by
 * default), then posts due digests (carrying the spotlight of the same slot), then due spotlights, in
 * that order, so a spotlight that shares a digest's slot goes out inside it rather than alone.
 */
async function scheduledRound(services: Services, hooks: SchedulerHooks = {}): Promise<void> {
  const step = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      logFailure(services.log, services.sql, `${name}: scheduled round failed`, error);
    }
  };
  // Not `hooks.onPolled?.(await …)`: an absent hook would short-circuit the round itself.
  await step('feeds', async () => {
    const rounds = await pollFeeds(services);
    hooks.onPolled?.(rounds);
  });
  await step('digest', async () => {
    const posts = await digestTick(services, services.clock.now(), { parts: digestParts });
    hooks.onDigested?.(posts);
  });
  await step('spotlight', async () => {
    const posts = await spotlightTick(services);
    hooks.onTicked?.(posts);
  });
}

/**
 * Wakes the process once a minute for a scheduled round. node-cron only wakes us: it neither
 * catches up nor survives a restart, so what is due is decided from the database and the injected
 * clock. An immediate round at start posts what was missed while the bot was down.
 */
export function startScheduler(services: Services, hooks: SchedulerHooks = {}): Scheduler {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const run = () => {
    // A slow round must not stack rounds; the next minute's wake-up runs again. None starts after stop().
    if (running || stopped) return running;
    const round = scheduledRound(services, hooks);
    running = (hooks.track ? hooks.track(round) : round).finally(() => {
      running = null;
    });
    return running;
  };
  const task = cron.schedule('* * * * *', () => run(), { name: 'paperbot-schedule', noOverlap: true });
  void run();
  return {
    stop() {
      stopped = true;
      void task.stop();
      void task.destroy();
    },
    async releaseLeases() {
      const released = await releaseLeases(services.sql, services.clock.now().toISOString());
      if (released > 0) services.log.warn(`scheduler: handed back ${released} attempt lease(s) of posts still in flight at stop; another process retries them now`);
      return released;
    },
  };
}
