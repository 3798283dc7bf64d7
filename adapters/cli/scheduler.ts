import cron from 'node-cron';
import { digestTick } from '../../src/capabilities/spotlight/digest/index.js';
import { pollFeeds } from '../../src/capabilities/feeds/index.js';
import { type SpotlightPost, tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import type { Services } from '../../src/services.js';

export type SchedulerHooks = {
  /** Wraps each round, so a stop can wait for the one in flight. */
  track?<T>(work: Promise<T>): Promise<T>;
  /** Hears what each spotlight round posted (metrics). */
  onTicked?(posts: SpotlightPost[]): void;
};

/**
 * Wakes the process once a minute: reads the feeds that are due (each feed keeps its own next read,
 * hourly by default), then posts due digests, then due spotlights, in that order, so a digest can
 * carry the spotlight of the same slot before the spotlight's own tick would post it alone. node-cron
 * only wakes us: it neither catches up nor survives a restart, so what is due is decided from the
 * database and the injected clock. An immediate round at start posts what was missed while the bot
 * was down.
 */
export function startScheduler(services: Services, hooks: SchedulerHooks = {}): { stop(): void } {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const step = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      services.log.error(`${name}: scheduled round failed`, error);
    }
  };
  const run = () => {
    // A slow round must not stack rounds; the next minute's wake-up runs again. None starts after stop().
    if (running || stopped) return running;
    const round = (async () => {
      await step('feeds', () => pollFeeds(services));
      await step('digest', () => digestTick(services));
      await step('spotlight', async () => {
        // Not `hooks.onTicked?.(await …)`: an absent hook would short-circuit the tick itself.
        const posts = await spotlightTick(services);
        hooks.onTicked?.(posts);
      });
    })();
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
  };
}
