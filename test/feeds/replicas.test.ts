import { afterEach, describe, expect, it } from 'vitest';
import { pollFeeds, type FeedRound } from '../../src/capabilities/feeds/poll.js';
import { feedStore } from '../../src/capabilities/feeds/store.js';
import type { Reply } from '../../src/reply.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';
import { feedsBot } from './harness.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T08:00:00Z');
const JOURNALS = 40;

type Bot = Awaited<ReturnType<typeof feedsBot>>;
const open: Bot[] = [];
const databases: FreshDatabase[] = [];
afterEach(async () => {
  // Replicas before the bot that owns the fakes.
  for (const b of open.splice(0).reverse()) await b.close();
  for (const d of databases.splice(0)) await d.cleanup();
});

/** A bot on a fresh database of `engine`, and a second replica on the same database and fakes. */
async function replicas(engine: (typeof testedEngines extends () => (infer E)[] ? E : never)): Promise<[Bot, Bot]> {
  const database = await freshDatabase(engine);
  databases.push(database);
  const a = await feedsBot({ database, start: T0 });
  open.push(a);
  const b = await feedsBot({ database, start: T0, fakes: a.fakes, clock: a.bot.clock });
  open.push(b);
  return [a, b];
}

/** `/paper <text>` typed in a channel of a workspace, as its manager. */
function say(bot: Bot, text: string, where: { platform?: string; workspace?: string; channel?: string } = {}): Promise<Reply> {
  return bot.bot.paperbot.bot.handle({
    text,
    platform: where.platform ?? 'slack',
    workspaceId: where.workspace,
    channelId: where.channel ?? 'C1',
    userId: 'U1',
    canManageChannel: true,
    trigger: 'command',
  });
}

const poll = (bot: Bot, limit?: number): Promise<FeedRound[]> => pollFeeds(bot.bot.paperbot.services, { http: bot.http(bot.bot.paperbot.services), limit });

describe.each(testedEngines())('two replicas polling one %s database', (engine) => {
  it('GIVEN eight pollers on two replicas claiming at once THEN each feed is fetched once a round, and every due feed is read', async () => {
    const [a, b] = await replicas(engine);
    for (let i = 0; i < JOURNALS; i++) {
      a.fakes.publish(`journal:j${i}`, { key: `k${i}`, title: `Lung nodule detection study number ${i}`, authors: ['A B'], abstract: '', at: T0 - HOUR });
      expect((await say(i % 2 ? a : b, `feed add ${a.fakes.journalUrl(`j${i}`, 'rss2')}`)).kind).toBe('feed-add');
    }
    const fetchedOnce = (rounds: FeedRound[][], from: number) => {
      const served = a.fakes.served.slice(from).filter((s) => s.path.startsWith('/journal/'));
      const perPath = new Map<string, number>();
      for (const s of served) perPath.set(s.path, (perPath.get(s.path) ?? 0) + 1);
      expect(perPath.size).toBe(JOURNALS);
      expect([...perPath.values()].every((n) => n === 1)).toBe(true);
      const feedsRead = rounds.flat().map((r) => r.feed);
      expect(new Set(feedsRead).size).toBe(JOURNALS);
      expect(feedsRead).toHaveLength(JOURNALS);
      // Each claim took at most its limit: the eight claims shared the forty feeds between them.
      expect(rounds.every((r) => r.length <= 5)).toBe(true);
      return rounds.flat();
    };

    let from = a.fakes.served.length;
    const first = fetchedOnce(await Promise.all(Array.from({ length: 8 }, (_, i) => poll(i % 2 ? a : b, 5))), from);
    expect(first.reduce((n, r) => n + r.added + r.merged, 0)).toBe(JOURNALS);
    expect(first.every((r) => r.outcome === 'read')).toBe(true);

    // An hour on, every feed is due again: read once more, conditionally.
    a.bot.clock.set(T0 + HOUR);
    from = a.fakes.served.length;
    const second = fetchedOnce(await Promise.all(Array.from({ length: 8 }, (_, i) => poll(i % 2 ? b : a, 5))), from);
    expect(second.every((r) => r.outcome === 'unchanged')).toBe(true);
    // Nothing was taken twice into the feeds' records either.
    const items = await a.bot.paperbot.services.sql.one<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM feed_items');
    expect(items?.n).toBe(JOURNALS);
  });

  it('GIVEN a replica that claimed a feed and died before reading it THEN no one reads it during its lease, and another replica does after', async () => {
    const [a, b] = await replicas(engine);
    await say(a, `feed add ${a.fakes.journalUrl('orphan', 'rss2')}`);
    // Replica A's claim, and then nothing: it stopped before the read recorded anything.
    const claimed = await feedStore(a.bot.paperbot.services.sql).claimDue(new Date(T0).toISOString(), new Date(T0 + 10 * 60_000).toISOString(), 10);
    expect(claimed).toHaveLength(1);
    a.bot.clock.set(T0 + 9 * 60_000);
    expect(await poll(b)).toEqual([]);
    a.bot.clock.set(T0 + 10 * 60_000);
    expect((await poll(b)).map((r) => r.outcome)).toEqual(['read']);
    expect(a.fakes.requestsTo('/journal/orphan')).toHaveLength(1);
  });

  it.runIf(engine === 'postgres')('GIVEN a replica in the middle of its claim THEN another replica takes the other due feeds at once, without waiting for it', async () => {
    const [a, b] = await replicas(engine);
    for (let i = 0; i < 6; i++) await say(a, `feed add ${a.fakes.journalUrl(`w${i}`, 'rss2')}`);
    const now = new Date(T0).toISOString();
    const later = new Date(T0 + HOUR).toISOString();
    const held = await a.bot.paperbot.services.sql.transaction(async (tx) => {
      // Replica A's claim, stopped half-way: it holds the locks on the three oldest due feeds.
      const locked = await tx.all<{ id: number }>(`SELECT id FROM feeds ORDER BY id LIMIT 3 FOR UPDATE`);
      const taken = await feedStore(b.bot.paperbot.services.sql).claimDue(now, later, 10);
      return { locked: locked.map((r) => r.id), taken: taken.map((f) => f.id) };
    });
    expect(held.taken).toHaveLength(3);
    expect(held.taken.filter((id) => held.locked.includes(id))).toEqual([]);
  });
});

describe.each(testedEngines())('feeds per workspace on %s', (engine) => {
  it('GIVEN two workspaces following the same source THEN each lists and removes only its own, and the source is read once a round', async () => {
    const [a] = await replicas(engine);
    a.fakes.publish('journal:shared', { key: 's', title: 'Brain tumour segmentation in MRI', authors: ['A B'], abstract: '', at: T0 - HOUR });
    const shared = a.fakes.journalUrl('shared', 'rss2');
    const own = a.fakes.journalUrl('own', 'atom');
    const t1 = { workspace: 'T1' };
    const t2 = { workspace: 'T2' };
    expect((await say(a, `feed add ${shared}`, t1)).data).toMatchObject({ added: true });
    expect((await say(a, `feed add ${own}`, t1)).data).toMatchObject({ added: true });
    expect((await say(a, `feed add ${shared}`, t2)).data).toMatchObject({ added: true });
    // The same workspace adding it again, from another channel: already read.
    expect((await say(a, `feed add ${shared}`, { ...t1, channel: 'C9' })).data).toMatchObject({ added: false });
    const listed = async (where: object) => ((await say(a, 'feed list', where)).data as { feeds: { source: string }[] }).feeds.map((f) => f.source);
    expect(await listed(t1)).toEqual([shared, own]);
    expect(await listed(t2)).toEqual([shared]);
    // A channel of the same id in a workspace with no feeds, and the same workspace id on another platform.
    expect(await listed({ workspace: 'T3' })).toEqual([]);
    expect(await listed({ ...t1, platform: 'discord' })).toEqual([]);

    const from = a.fakes.served.length;
    expect(await poll(a)).toHaveLength(2);
    expect(a.fakes.served.slice(from).filter((s) => s.path.startsWith('/journal/shared'))).toHaveLength(1);

    // T2's feed 2 does not exist; its feed 1 is the shared one, whose removal leaves T1's alone.
    expect((await say(a, 'feed remove 2', t2)).kind).toBe('error');
    expect((await say(a, 'feed remove 1', t2)).kind).toBe('feed-remove');
    expect(await listed(t2)).toEqual([]);
    expect(await listed(t1)).toEqual([shared, own]);
    const sources = async () => (await feedStore(a.bot.paperbot.services.sql).all()).map((f) => f.source);
    expect(await sources()).toEqual([shared, own]);
    // The last subscription takes the feed and what it saw with it.
    expect((await say(a, 'feed remove 1', t1)).kind).toBe('feed-remove');
    expect(await sources()).toEqual([own]);
    expect(await a.bot.paperbot.services.sql.all('SELECT feed_id FROM feed_items')).toEqual([]);
  });
});
