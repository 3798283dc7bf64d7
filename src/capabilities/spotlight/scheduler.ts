import cron from 'node-cron';
import type { Services } from '../../services.js';
import type { SpotlightPost } from './deliver.js';
import { tick } from './tick.js';

/**
 * Wakes the process once a minute to run the due-check. node-cron only wakes us: it neither catches
 * up nor survives a restart, so which slots are due is decided by tick() from the database and the
 * injected clock. An immediate tick at start posts what was missed while the bot was down.
 */
export type SchedulerHooks = {
  /** Wraps each tick, so a stop can wait for the one in flight. */
  track?<T>(work: Promise<T>): Promise<T>;
  /** Hears what each tick posted (metrics). */
  onTicked?(posts: SpotlightPost[]): void;
};

export function startSpotlightScheduler(services: Services, hooks: SchedulerHooks = {}): { stop(): void } {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const run = () => {
    // A slow post must not stack ticks; the next minute's wake-up runs again. None starts after stop().
    if (running || stopped) return running;
    const ticking = tick(services).then((posts) => hooks.onTicked?.(posts));
    running = (hooks.track ? hooks.track(ticking) : ticking)
      .catch((error) => services.log.error('spotlight: scheduled tick failed', error))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const task = cron.schedule('* * * * *', () => run(), { name: 'paperbot-spotlight', noOverlap: true });
  void run();
  return {
    stop() {
      stopped = true;
      void task.stop();
      void task.destroy();
    },
  };
}
