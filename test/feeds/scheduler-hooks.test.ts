import { afterAll, describe, expect, it } from 'vitest';
import { startScheduler } from '../../adapters/cli/scheduler.js';
import type { DigestPosted } from '../../src/capabilities/digest/index.js';
import type { FeedRound } from '../../src/capabilities/feeds/index.js';
import { tempDbPath } from '../spotlight/harness.js';
import { feedsBot } from './harness.js';

const HOUR = 3_600_000;
const MON = Date.parse('2026-11-30T09:00:00Z');

describe('the scheduler hooks (what operations count)', () => {
  const { dbPath, cleanup } = tempDbPath();
  let h: Awaited<ReturnType<typeof feedsBot>> | undefined;
  afterAll(async () => {
    await h?.close();
    cleanup();
  });

  it('GIVEN a round THEN onPolled hears each feed read with its outcome and papers, and onDigested the digests posted', async () => {
    const lines: string[] = [];
    h = await feedsBot({ dbPath, start: MON - 2 * HOUR, logLines: lines });
    h.fakes.publish('journal:mia', { key: 'a', title: 'Lung nodule detection in low-dose CT', authors: ['A B'], abstract: '', at: MON - 3 * HOUR });
    await h.bot.say('slack', 'C1', `feed add ${h.fakes.journalUrl('mia', 'rss2')}`);
    await h.bot.say('slack', 'C1', 'follow lung nodule');
    await h.bot.say('slack', 'C1', 'digest on monday 09:00 UTC');
    const polled: FeedRound[][] = [];
    const digested: DigestPosted[][] = [];
    const round = async (at: number) => {
      h!.bot.clock.set(at);
      let finished: Promise<unknown> = Promise.resolve();
      const scheduler = startScheduler(h!.bot.paperbot.services, {
        track: (work) => (finished = work),
        onPolled: (rounds) => polled.push(rounds),
        onDigested: (posts) => digested.push(posts),
      });
      await finished;
      scheduler.stop();
    };
    // An hour before the slot the feed is read; at the slot the digest carries what it brought.
    await round(MON - HOUR);
    await round(MON + 60_000);
    // An hour on, the feed is read again and answers 304.
    expect(polled).toEqual([[expect.objectContaining({ outcome: 'read', added: 1, merged: 0 })], [expect.objectContaining({ outcome: 'unchanged', added: 0 })]]);
    expect(digested.map((posts) => posts.map((p) => p.papers.map((x) => x.title)))).toEqual([[], [['Lung nodule detection in low-dose CT']]]);
    expect(lines.filter((l) => / (WARN|ERROR) /.test(l))).toEqual([]);
  });
});
