import cron from 'node-cron';
import { digestTick } from '../../src/capabilities/spotlight/digest/index.js';
import { pollFeeds } from '../../src/capabilities/feeds/index.js';
import { tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import type { Services } from '../../src/services.js';

/**
 * Wakes the process once a minute: reads the feeds that are due (each feed keeps its own next read,
 * hourly by default), then posts due digests, then due spotlights, in that order, so a digest can
 * carry the spotlight of the same slot before the spotlight's own tick would post it alone. Like the
 * spotlight's scheduler, node-cron only wakes us; what is due is decided from the database.
 */
export function startScheduler(services: Services): { stop(): void } {
  let running: Promise<unknown> | null = null;
  const step = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      services.log.error(`${name}: scheduled round failed`, error);
    }
  };
  const run = () => {
    if (running) return running;
    running = (async () => {
      await step('feeds', () => pollFeeds(services));
      await step('digest', () => digestTick(services));
      await step('spotlight', () => spotlightTick(services));
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const task = cron.schedule('* * * * *', () => run(), { name: 'paperbot-schedule', noOverlap: true });
  void run();
  return {
    stop() {
      void task.stop();
      void task.destroy();
    },
  };
}
