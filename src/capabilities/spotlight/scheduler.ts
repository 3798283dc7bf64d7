import cron from 'node-cron';
import type { Services } from '../../services.js';
import { tick } from './tick.js';

/**
 * Wakes the process once a minute to run the due-check. node-cron only wakes us: it neither catches
 * up nor survives a restart, so which slots are due is decided by tick() from the database and the
 * injected clock. An immediate tick at start posts what was missed while the bot was down.
 */
export function startSpotlightScheduler(services: Services): { stop(): void } {
  let running: Promise<unknown> | null = null;
  const run = () => {
    // A slow post must not stack ticks; the next minute's wake-up runs again.
    if (running) return running;
    running = tick(services)
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
      void task.stop();
      void task.destroy();
    },
  };
}
