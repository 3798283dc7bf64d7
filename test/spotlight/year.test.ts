import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/adapter.js';
import { ManualClock } from '../../src/clock.js';
import { tick, type SpotlightPost } from '../../src/capabilities/spotlight/index.js';
import { localWeekdayTime, spotlightBot, syntheticPapers, tempDbPath, type SpotlightBot } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-27T12:00:00Z');
const END = START + 365 * DAY;

type Channel = { platform: Platform; channel: string; command: string; zone: string; weekday: number; time: string; lang: 'en' | 'zh' };

// Each zone changes its clocks at least twice in the year; several slots sit inside a skipped or a
// repeated hour on purpose.
const CHANNELS: Channel[] = [
  { platform: 'slack', channel: 'C-berlin', command: 'spotlight on monday 09:00 Europe/Berlin', zone: 'Europe/Berlin', weekday: 1, time: '09:00', lang: 'en' },
  // 02:30 does not exist on 2027-03-14 in New York.
  { platform: 'discord', channel: 'D-ny', command: 'spotlight on sunday 02:30 America/New_York', zone: 'America/New_York', weekday: 0, time: '02:30', lang: 'en' },
  // 01:30 happens twice on 2027-11-07 in New York.
  { platform: 'slack', channel: 'C-ny-fall', command: 'spotlight on sun 1:30 America/New_York', zone: 'America/New_York', weekday: 0, time: '01:30', lang: 'en' },
  // Southern hemisphere: 02:30 repeats on 2027-04-04 and is skipped on 2027-10-03.
  { platform: 'discord', channel: 'D-sydney', command: 'spotlight on sunday 02:30 Australia/Sydney', zone: 'Australia/Sydney', weekday: 0, time: '02:30', lang: 'en' },
  // A cron expression; 01:30 is skipped on 2027-03-28 and repeated on 2027-10-31 in London.
  { platform: 'slack', channel: 'C-london', command: 'spotlight on "30 1 * * 0" Europe/London', zone: 'Europe/London', weekday: 0, time: '01:30', lang: 'en' },
  { platform: 'console', channel: 'console', command: 'spotlight on 周五 16:30 Asia/Shanghai', zone: 'Asia/Shanghai', weekday: 5, time: '16:30', lang: 'zh' },
];

/** The days in the year whose scheduled local time does not exist, and where it lands instead. */
const SKIPPED: Record<string, { date: string; time: string }> = {
  'D-ny': { date: '2027-03-14', time: '03:30' },
  'D-sydney': { date: '2027-10-03', time: '03:30' },
  'C-london': { date: '2027-03-28', time: '02:30' },
};

describe('a year of weekly spotlights in six channels and five zones', () => {
  const papers = syntheticPapers(10);
  const { dbPath, cleanup } = tempDbPath();
  let bot: SpotlightBot;
  const posts: { post: SpotlightPost; tickedAt: number }[] = [];

  beforeAll(async () => {
    bot = await spotlightBot({ dbPath, papers, clock: new ManualClock(START) });
    for (const c of CHANNELS) {
      const r = await bot.say(c.platform, c.channel, c.command);
      expect(r.kind, JSON.stringify(r.intro)).toBe('spotlight-on');
    }
    // An hourly tick, as `paperbot spotlight tick` from system cron would run.
    for (let t = START; t <= END; t += HOUR) {
      bot.clock.set(t);
      for (const post of await tick(bot.paperbot.services)) posts.push({ post, tickedAt: t });
    }
  }, 120_000);

  afterAll(() => {
    bot?.close();
    cleanup();
  });

  for (const c of CHANNELS) {
    describe(`${c.platform}:${c.channel} (${c.zone})`, () => {
      const mine = () => posts.filter((p) => p.post.platform === c.platform && p.post.channel === c.channel);

      it('posts exactly once a week: 52 or 53 posts, a week apart give or take the DST hour, none missing at either end', () => {
        const slots = mine().map((p) => Date.parse(p.post.slot));
        expect([52, 53]).toContain(slots.length);
        expect(slots[0] - START).toBeLessThan(7 * DAY);
        expect(END - slots[slots.length - 1]).toBeLessThan(7 * DAY);
        for (let i = 1; i < slots.length; i++) {
          expect(Math.abs(slots[i] - slots[i - 1] - 7 * DAY)).toBeLessThanOrEqual(HOUR);
        }
        expect(new Set(slots).size).toBe(slots.length);
      });

      it('posts on the right local weekday and time, within the hour after the slot', () => {
        for (const { post, tickedAt } of mine()) {
          const local = localWeekdayTime(post.slot, c.zone);
          expect(local.weekday).toBe(c.weekday);
          const skipped = SKIPPED[c.channel];
          expect(local.time).toBe(skipped && skipped.date === local.date ? skipped.time : c.time);
          expect(tickedAt - Date.parse(post.slot)).toBeGreaterThanOrEqual(0);
          expect(tickedAt - Date.parse(post.slot)).toBeLessThan(HOUR);
        }
      });

      it('shows every paper once per round, and never the same paper twice in a row', () => {
        const ids = mine().map((p) => p.post.paper.id);
        for (let from = 0; from + papers.length <= ids.length; from += papers.length) {
          expect(new Set(ids.slice(from, from + papers.length)).size).toBe(papers.length);
        }
        for (let i = 1; i < ids.length; i++) expect(ids[i]).not.toBe(ids[i - 1]);
      });

      it(`writes the post in ${c.lang === 'zh' ? 'Chinese' : 'English'}, as the channel was set up`, () => {
        const delivered = bot.adapters[c.platform as 'slack' | 'discord' | 'console'].in(c.channel);
        expect(delivered).toHaveLength(mine().length);
        for (const d of delivered) {
          expect(d.reply.kind).toBe('spotlight');
          expect(d.reply.visibility).toBe('channel');
          expect(d.reply.lang).toBe(c.lang);
        }
      });
    });
  }

  it('shuffles each round differently and each channel differently', () => {
    const order = (channel: string, round: number) =>
      posts
        .filter((p) => p.post.channel === channel)
        .slice(round * papers.length, (round + 1) * papers.length)
        .map((p) => p.post.paper.id)
        .join(',');
    const rounds = [0, 1, 2, 3].map((r) => order('C-berlin', r));
    expect(new Set(rounds).size).toBeGreaterThan(1);
    const firstRounds = CHANNELS.map((c) => order(c.channel, 0));
    expect(new Set(firstRounds).size).toBeGreaterThan(1);
  });
});
