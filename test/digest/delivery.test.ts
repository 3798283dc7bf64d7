import { afterEach, describe, expect, it } from 'vitest';
import { digestTick } from '../../src/capabilities/digest/index.js';
import { DeliveryError } from '../../src/errors.js';
import { pollFeeds } from '../../src/capabilities/feeds/poll.js';
import type { FakePaper } from '../fakes/feeds.js';
import { feedsBot } from '../feeds/harness.js';
import { spotlightBot, tempDbPath, type SpotlightBot } from '../spotlight/harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MON = Date.parse('2026-11-30T09:00:00Z');
const paper = (key: string, title: string, at: number): FakePaper => ({ key, title, authors: ['Ada Lovelace'], abstract: '', at });

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A lab with one channel following "lung nodule", a digest on Mondays 09:00 UTC, and two new papers polled. */
async function lab() {
  const { dbPath, cleanup } = tempDbPath();
  closers.push(cleanup);
  const h = await feedsBot({ dbPath, start: MON - 2 * DAY });
  closers.push(() => h.close());
  await h.bot.say('slack', 'C1', `feed add ${h.fakes.journalUrl('mia', 'rss2')}`);
  await h.bot.say('slack', 'C1', 'follow lung nodule');
  await h.bot.say('slack', 'C1', 'digest on monday 09:00 UTC');
  h.fakes.publish('journal:mia', paper('a', 'Lung nodule detection with 3D CNNs', MON - DAY), paper('b', 'Lung nodule malignancy from CT', MON - DAY));
  h.bot.clock.set(MON - HOUR);
  await pollFeeds(h.bot.paperbot.services, { http: h.http(h.bot.paperbot.services) });
  return { h, dbPath };
}

/** A second bot process's core on the same database file. */
async function second(dbPath: string, at: number): Promise<SpotlightBot> {
  const b = await spotlightBot({ dbPath, env: { PAPERBOT_ALLOW_PRIVATE_FEEDS: 'true' } });
  b.clock.set(at);
  closers.push(() => b.close());
  return b;
}

describe('the digest is posted exactly once', () => {
  it('two processes ticking the same slot at once post one message between them', async () => {
    const { h, dbPath } = await lab();
    const other = await second(dbPath, MON + 60_000);
    h.bot.clock.set(MON + 60_000);
    const [a, b] = await Promise.all([digestTick(h.bot.paperbot.services), digestTick(other.paperbot.services)]);
    expect(a.length + b.length).toBe(1);
    expect(h.bot.adapters.slack.in('C1').length + other.adapters.slack.in('C1').length).toBe(1);
  });

  it('a post whose answer was lost (a crash mid-post) is retried after its lease with the same key, and the platform keeps one message', async () => {
    const { h } = await lab();
    const slack = h.bot.adapters.slack;
    slack.dedupeByKey = true;
    const post = slack.post.bind(slack);
    let lose = true;
    slack.post = async (channel, reply, options) => {
      const ref = await post(channel, reply, options);
      if (lose) {
        lose = false;
        throw new DeliveryError('socket hang up', false);
      }
      return ref;
    };
    h.bot.clock.set(MON + 60_000);
    expect(await digestTick(h.bot.paperbot.services)).toEqual([]);
    h.bot.clock.set(MON + 3 * 60_000);
    const retried = await digestTick(h.bot.paperbot.services);
    expect(retried).toHaveLength(1);
    expect(slack.attempts).toHaveLength(2);
    expect(new Set(slack.attempts.map((a) => a.key)).size).toBe(1);
    expect(slack.in('C1')).toHaveLength(1);
  });

  it('a restart catches up within the grace window; beyond it the slot is skipped and its papers wait for the next digest', async () => {
    const { h, dbPath } = await lab();
    h.bot.close();
    const restarted = await second(dbPath, MON + 5 * HOUR);
    expect((await digestTick(restarted.paperbot.services)).map((p) => p.papers.length)).toEqual([2]);

    const late = await lab();
    late.h.bot.clock.set(MON + 30 * HOUR);
    expect(await digestTick(late.h.bot.paperbot.services)).toEqual([]);
    late.h.bot.clock.set(MON + 7 * DAY + 60_000);
    const next = await digestTick(late.h.bot.paperbot.services);
    expect(next.map((p) => p.papers.length)).toEqual([2]);
  });

  it('digest now posts what is new at once, counts as sent, and the scheduled digest then has nothing to repeat', async () => {
    const { h } = await lab();
    const now = await h.bot.say('slack', 'C1', 'digest now');
    expect(now.data?.result).toBe('posted');
    h.bot.clock.set(MON + 60_000);
    expect(await digestTick(h.bot.paperbot.services)).toEqual([]);
    expect(h.bot.adapters.slack.in('C1')).toHaveLength(1);
    expect((await h.bot.say('slack', 'C1', 'digest now')).data?.result).toBe('empty');
    expect((await h.bot.say('slack', 'C1', 'digest now', { canManageChannel: false })).intro[0]).toMatch(/Only people who may manage/);
  });
});
