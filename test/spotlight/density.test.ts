import { afterEach, describe, expect, it, vi } from 'vitest';
import { tick } from '../../src/capabilities/spotlight/index.js';
import * as store from '../../src/capabilities/spotlight/store.js';
import { spotlightBot, syntheticPapers, tempDbPath, type SpotlightBot, channelRef } from './harness.js';

/**
 * Work is counted, not timed: every local-time computation of the scheduler goes through
 * Intl.DateTimeFormat#formatToParts, so the number of calls during a tick measures what it costs
 * (the 27 s tick of a `* * * * *` schedule was about two million of them).
 */
function countIntlCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
  return run().then(
    (result) => {
      const calls = spy.mock.calls.length;
      spy.mockRestore();
      return { result, calls };
    },
    (error) => {
      spy.mockRestore();
      throw error;
    },
  );
}

describe('a spotlight is at most daily', () => {
  let bot: SpotlightBot | undefined;
  let cleanup = () => {};
  afterEach(() => {
    bot?.close();
    cleanup();
    bot = undefined;
  });
  const start = async (logLines?: string[]) => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    bot = await spotlightBot({ dbPath: db.dbPath, papers: syntheticPapers(20), logLines });
    return bot;
  };

  for (const cron of ['* * * * *', '*/5 9 * * 1', '0 9,17 * * *', '0 */2 * * *', '0,30 9 * * 1']) {
    it(`GIVEN spotlight on "${cron}" THEN it is refused with a message, and nothing is subscribed`, async () => {
      const b = await start();
      const r = await b.say('slack', 'C1', `spotlight on "${cron}"`);
      expect(r.kind).toBe('error');
      expect(r.data).toMatchObject({ code: 'schedule-too-dense' });
      expect(r.intro.join(' ')).toMatch(/at most once a day/);
      expect((await store.getSubscription(b.paperbot.services.sql, channelRef('slack', 'C1')))).toBeNull();
    });
  }

  it('GIVEN an unquoted dense cron THEN it is refused too', async () => {
    const b = await start();
    const r = await b.say('slack', 'C1', 'spotlight on * * * * *');
    expect(r.data).toMatchObject({ code: 'schedule-too-dense' });
  });

  for (const cron of ['0 9 * * *', '30 8 * * 1-5', '0 9 L * *']) {
    it(`GIVEN spotlight on "${cron}" (at most daily) THEN it is accepted`, async () => {
      const b = await start();
      const r = await b.say('slack', 'C1', `spotlight on "${cron}"`);
      expect(r.kind).toBe('spotlight-on');
    });
  }

  it('GIVEN a database that already holds "* * * * *" after a long gap THEN one tick pauses the channel with a reason and does bounded work', async () => {
    const lines: string[] = [];
    const b = await start(lines);
    const { sql } = b.paperbot.services;
    await store.subscribe(sql, { ...channelRef('slack', 'CDENSE'), schedule: '* * * * *', timezone: 'Europe/Berlin', lang: 'en', now: '2026-01-01T00:00:00.000Z' });
    b.clock.set('2026-11-27T12:00:30Z');
    const { result, calls } = await countIntlCalls(() => tick(b.paperbot.services));
    expect(result).toEqual([]);
    expect(calls).toBeLessThan(100);
    expect(b.adapters.slack.posts).toHaveLength(0);
    const sub = (await store.getSubscription(sql, channelRef('slack', 'CDENSE')))!;
    expect(sub.pausedReason).toMatch(/more often than once a day/);
    expect(lines.join('\n')).toMatch(/CDENSE.*paused/);
    const status = await b.say('slack', 'CDENSE', 'spotlight status');
    expect(status.intro.join(' ')).toMatch(/paused/);
  });
});

describe('missed slots are counted in work that does not grow with the gap', () => {
  const run = async (gapDays: number) => {
    const db = tempDbPath();
    const lines: string[] = [];
    const bot = await spotlightBot({ dbPath: db.dbPath, papers: syntheticPapers(20), logLines: lines });
    try {
      bot.clock.set('2020-01-01T08:00:00Z');
      await bot.say('slack', 'C1', 'spotlight on "0 9 * * *" UTC');
      bot.clock.set('2020-01-01T09:30:00Z');
      expect(await tick(bot.paperbot.services)).toHaveLength(1);
      // The bot was down: the next tick comes `gapDays` later, half an hour after that day's slot.
      bot.clock.set(Date.parse('2020-01-01T09:30:00Z') + gapDays * 86_400_000);
      const { result, calls } = await countIntlCalls(() => tick(bot.paperbot.services));
      expect(result).toHaveLength(1);
      return { calls, missedLine: lines.find((l) => /missed slot/.test(l)) ?? '' };
    } finally {
      bot.close();
      db.cleanup();
    }
  };

  it('GIVEN a daily spotlight down for 8 days or for 5 years THEN the tick does the same bounded work and the log says how many were missed', async () => {
    const short = await run(8);
    const long = await run(5 * 365);
    expect(short.missedLine).toMatch(/skipped 7 missed slots/);
    expect(long.missedLine).toMatch(/skipped (at least )?\d+ missed slot/);
    expect(long.calls).toBeLessThanOrEqual(short.calls + 20);
  });
});
