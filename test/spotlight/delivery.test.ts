import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DeliveryError } from '../../src/errors.js';
import { tick } from '../../src/capabilities/spotlight/index.js';
import { idempotencyKey, retryDelayMs } from '../../src/delivery/index.js';
import { getSubscription, postsOf } from '../../src/capabilities/spotlight/store.js';
import { freshDatabase, testedEngines, type Engine, type FreshDatabase } from '../helpers/engines.js';
import { RecordingAdapter, spotlightBot, syntheticPapers, type SpotlightBot, channelRef } from './harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const MONDAY = '2026-11-30T09:00:00.000Z';
const SLOT = Date.parse(MONDAY);
const WEEK = 7 * 24 * HOUR;
const papers = syntheticPapers(5);

const opened: SpotlightBot[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const b of opened.splice(0)) await b.paperbot.close();
  for (const c of cleanups.splice(0)) await c();
});

/** The engine of the `describe.each` running now. */
let engine: Engine = 'sqlite';

async function database(): Promise<FreshDatabase> {
  const fresh = await freshDatabase(engine);
  cleanups.push(() => fresh.cleanup());
  return fresh;
}

/** A bot on a new database, or (`database`) another process on one a first bot used. */
async function bot(options: { database?: FreshDatabase; env?: Record<string, string>; logLines?: string[]; clock?: ManualClock } = {}): Promise<SpotlightBot> {
  const fresh = options.database ?? (await database());
  const b = await spotlightBot({
    dbPath: fresh.dbPath,
    papers,
    clock: options.clock ?? new ManualClock('2026-11-27T12:00:00Z'),
    env: { ...fresh.env, ...options.env },
    logLines: options.logLines,
  });
  opened.push(b);
  return b;
}

async function subscribed(channel = 'C1', options: Parameters<typeof bot>[0] = {}) {
  const b = await bot(options);
  expect((await b.say('slack', channel, 'spotlight on monday 09:00 UTC')).kind).toBe('spotlight-on');
  return b;
}

async function tickAt(b: SpotlightBot, time: number) {
  b.clock.set(time);
  return tick(b.paperbot.services);
}

describe.each(testedEngines())('on %s', (current) => {
  beforeEach(() => {
    engine = current;
  });

  describe('a post that fails and is retried', () => {
    it('GIVEN the platform fails twice THEN it is retried with backoff, with the same key and paper, and posted once', async () => {
      const b = await subscribed();
      const slack = b.adapters.slack;
      slack.failures.push(new DeliveryError('ratelimited', false), new DeliveryError('service_unavailable', false));

      expect(await tickAt(b, SLOT + 30_000)).toEqual([]);
      // Backoff: the first retry waits a minute, the second two.
      expect(await tickAt(b, SLOT + 30_000 + retryDelayMs(1) - 1000)).toEqual([]);
      expect(slack.attempts).toHaveLength(1);
      expect(await tickAt(b, SLOT + 30_000 + retryDelayMs(1))).toEqual([]);
      expect(slack.attempts).toHaveLength(2);
      const third = SLOT + 30_000 + retryDelayMs(1) + retryDelayMs(2);
      expect(await tickAt(b, third - 1000)).toEqual([]);
      const posts = await tickAt(b, third);
      expect(posts).toHaveLength(1);
      expect(posts[0].slot).toBe(MONDAY);
      for (let t = third; t < third + 2 * HOUR; t += 10 * MIN) expect(await tickAt(b, t)).toEqual([]);

      expect(slack.attempts).toHaveLength(3);
      expect(new Set(slack.attempts.map((a) => a.key))).toEqual(new Set([idempotencyKey('slack', 'C1', MONDAY)]));
      expect(slack.posts).toHaveLength(1);
      const rows = (await postsOf(b.paperbot.services.sql, channelRef('slack', 'C1')));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'posted', attempts: 3, paperId: posts[0].paper.id, messageId: posts[0].messageId });
    });

    it('waits as long as the platform asks (retry-after) and survives errors that are not delivery errors', async () => {
      const b = await subscribed();
      const slack = b.adapters.slack;
      slack.failures.push(new DeliveryError('ratelimited', false, 30 * MIN), new TypeError('adapter bug'));
      await tickAt(b, SLOT);
      expect(await tickAt(b, SLOT + 29 * MIN)).toEqual([]);
      expect(await tickAt(b, SLOT + 30 * MIN)).toEqual([]);
      expect(slack.attempts).toHaveLength(2);
      expect(await tickAt(b, SLOT + 30 * MIN + retryDelayMs(2))).toHaveLength(1);
    });

    it('keeps the idempotency key within 25 characters (the Discord nonce limit) and distinct per channel and slot', () => {
      const keys = [idempotencyKey('discord', '123456789012345678', MONDAY), idempotencyKey('discord', '123456789012345679', MONDAY), idempotencyKey('discord', '123456789012345678', '2026-12-07T09:00:00.000Z')];
      for (const k of keys) expect(k.length).toBeLessThanOrEqual(25);
      expect(new Set(keys).size).toBe(3);
    });

    it('GIVEN retries that never succeed within the grace window THEN the slot is given up and logged, and the next week posts normally', async () => {
      const lines: string[] = [];
      const b = await subscribed('C1', { logLines: lines, env: { SPOTLIGHT_GRACE_HOURS: '3' } });
      const slack = b.adapters.slack;
      for (let i = 0; i < 20; i++) slack.failures.push(new DeliveryError('timeout', false));
      for (let t = SLOT; t <= SLOT + 4 * HOUR; t += 5 * MIN) await tickAt(b, t);
      expect(slack.posts).toHaveLength(0);
      const row = (await postsOf(b.paperbot.services.sql, channelRef('slack', 'C1')))[0];
      expect(row.status).toBe('expired');
      expect(lines.some((l) => l.includes('gave up on 2026-11-30T09:00:00.000Z'))).toBe(true);
      slack.failures.length = 0;
      const next = await tickAt(b, SLOT + WEEK);
      expect(next).toHaveLength(1);
      // A known failure frees its paper: it is the one posted the week after.
      expect(next[0].paper.id).toBe(row.paperId);
    });
  });

  describe('a process without the platform', () => {
    it('GIVEN a tick in a process where the channel\'s platform is not running THEN the slot is left for a process that has it', async () => {
      const tmp = await database();
      const consoleOnly = await subscribed('C1', { database: tmp });
      consoleOnly.paperbot.services.outbox.unregister('slack');
      expect(await tickAt(consoleOnly, SLOT + MIN)).toEqual([]);
      expect((await postsOf(consoleOnly.paperbot.services.sql, channelRef('slack', 'C1')))).toEqual([]);
      const full = await bot({ database: tmp, clock: new ManualClock(SLOT + 2 * MIN) });
      expect((await tick(full.paperbot.services)).map((p) => p.channel)).toEqual(['C1']);
    });
  });

  describe('a channel the bot can no longer post to', () => {
    it('GIVEN a permanent failure in one channel THEN that channel is paused with the reason logged and the others keep posting', async () => {
      const lines: string[] = [];
      const b = await subscribed('C1', { logLines: lines });
      await b.say('slack', 'C2', 'spotlight on monday 09:00 UTC');
      await b.say('discord', 'D1', 'spotlight on monday 09:00 UTC');
      b.adapters.slack.brokenChannels.set('C1', new DeliveryError('channel_not_found', true));

      const first = await tickAt(b, SLOT);
      expect(first.map((p) => `${p.platform}:${p.channel}`).sort()).toEqual(['discord:D1', 'slack:C2']);
      const sub = (await getSubscription(b.paperbot.services.sql, channelRef('slack', 'C1')))!;
      expect(sub.pausedReason).toContain('channel_not_found');
      expect(lines.some((l) => l.includes('WARN spotlight slack:C1: paused') && l.includes('channel_not_found'))).toBe(true);

      const second = await tickAt(b, SLOT + WEEK);
      expect(second.map((p) => p.channel).sort()).toEqual(['C2', 'D1']);
      expect(b.adapters.slack.attempts.filter((a) => a.channelId === 'C1')).toHaveLength(1);

      const status = await b.say('slack', 'C1', 'spotlight status');
      expect(status.intro.join(' ')).toContain('paused');
      expect(status.intro.join(' ')).toContain('channel_not_found');

      // Fixed and turned back on: posts again, and the failed paper was never counted as shown.
      b.adapters.slack.brokenChannels.clear();
      expect((await b.say('slack', 'C1', 'spotlight on')).kind).toBe('spotlight-on');
      const third = await tickAt(b, SLOT + 2 * WEEK);
      expect(third.map((p) => p.channel).sort()).toEqual(['C1', 'C2', 'D1']);
    });
  });

  describe('missed slots', () => {
    it('GIVEN the bot was down at the slot and comes back within the grace window THEN the slot is posted late', async () => {
      const b = await subscribed();
      const posts = await tickAt(b, SLOT + 23 * HOUR);
      expect(posts.map((p) => p.slot)).toEqual([MONDAY]);
    });

    it('GIVEN the bot comes back after the grace window THEN the slot is skipped and logged, and the next slot posts', async () => {
      const lines: string[] = [];
      const b = await subscribed('C1', { logLines: lines });
      expect(await tickAt(b, SLOT + 25 * HOUR)).toEqual([]);
      expect(b.adapters.slack.attempts).toHaveLength(0);
      expect(lines.filter((l) => l.includes('skipped the slot 2026-11-30T09:00:00.000Z'))).toHaveLength(1);
      // Logged once, not at every tick.
      await tickAt(b, SLOT + 26 * HOUR);
      expect(lines.filter((l) => l.includes('skipped the slot'))).toHaveLength(1);
      expect((await tickAt(b, SLOT + WEEK)).map((p) => p.slot)).toEqual(['2026-12-07T09:00:00.000Z']);
    });

    it('GIVEN the bot was down for three weeks THEN only the latest slot (inside the grace window) is posted and the older two are logged as skipped', async () => {
      const lines: string[] = [];
      const b = await subscribed('C1', { logLines: lines });
      const posts = await tickAt(b, SLOT + 2 * WEEK + 2 * HOUR);
      expect(posts.map((p) => p.slot)).toEqual(['2026-12-14T09:00:00.000Z']);
      expect(lines.some((l) => l.includes('skipped 2 missed slots'))).toBe(true);
    });

    it('honours SPOTLIGHT_GRACE_HOURS', async () => {
      const b = await subscribed('C1', { env: { SPOTLIGHT_GRACE_HOURS: '2' } });
      expect(await tickAt(b, SLOT + 3 * HOUR)).toEqual([]);
      const c = await subscribed('C1', { env: { SPOTLIGHT_GRACE_HOURS: '4' } });
      expect(await tickAt(c, SLOT + 3 * HOUR)).toHaveLength(1);
    });

    it('does not post a slot that passed before the channel subscribed', async () => {
      const b = await bot({ clock: new ManualClock(SLOT + 2 * HOUR) });
      await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
      expect(await tickAt(b, SLOT + 3 * HOUR)).toEqual([]);
    });
  });

  describe('restart in the middle of a slot', () => {
    /** A platform that receives the post and never answers: the process "dies" with the post in flight. */
    class SilentPlatform extends RecordingAdapter {
      hang = true;
      override async post(target: import('../../src/adapter.js').ChannelTarget, reply: import('../../src/reply.js').Reply, options?: { idempotencyKey?: string }) {
        const ref = await super.post(target, reply, options);
        if (this.hang) await new Promise(() => {});
        return ref;
      }
    }

    it('GIVEN a process that stopped mid-post THEN a new one on the same file waits out the lease, then retries with the same key and paper; with a deduplicating platform the channel sees one post', async () => {
      const tmp = await database();
      const first = await subscribed('C1', { database: tmp });
      const platform = new SilentPlatform('slack');
      platform.dedupeByKey = true;
      first.paperbot.services.outbox.register(platform);
      first.clock.set(SLOT + MIN);
      void tick(first.paperbot.services);
      while (platform.posts.length === 0) await new Promise((r) => setImmediate(r));
      await first.paperbot.close();

      const second = await bot({ database: tmp, clock: new ManualClock(SLOT + 2 * MIN) });
      platform.hang = false;
      second.paperbot.services.outbox.register(platform);
      expect(await tick(second.paperbot.services)).toEqual([]);
      expect(platform.attempts).toHaveLength(1);
      const posts = await tickAt(second, SLOT + 12 * MIN);
      expect(posts).toHaveLength(1);
      expect(platform.attempts.map((a) => a.key)).toEqual([idempotencyKey('slack', 'C1', MONDAY), idempotencyKey('slack', 'C1', MONDAY)]);
      expect(platform.posts).toHaveLength(1);
      expect(posts[0].messageId).toBe(platform.posts[0].ref.messageId);
      expect(posts[0].paper.id).toBe(platform.posts[0].reply.papers[0].id);
    });

    it('GIVEN a restart after the post was recorded THEN the new process posts nothing for that slot', async () => {
      const tmp = await database();
      const first = await subscribed('C1', { database: tmp });
      expect(await tickAt(first, SLOT + MIN)).toHaveLength(1);
      await first.paperbot.close();
      const second = await bot({ database: tmp, clock: new ManualClock(SLOT + 2 * MIN) });
      expect(await tick(second.paperbot.services)).toEqual([]);
      expect(second.adapters.slack.attempts).toHaveLength(0);
    });

    it('GIVEN a post whose outcome was never learnt before the grace window ran out THEN its paper stays shown (no repeat in the round)', async () => {
      const tmp = await database();
      const first = await subscribed('C1', { database: tmp });
      const platform = new SilentPlatform('slack');
      first.paperbot.services.outbox.register(platform);
      first.clock.set(SLOT + MIN);
      void tick(first.paperbot.services);
      while (platform.posts.length === 0) await new Promise((r) => setImmediate(r));
      const lost = platform.posts[0].reply.papers[0].id;
      await first.paperbot.close();

      const second = await bot({ database: tmp, clock: new ManualClock(SLOT + 30 * HOUR) });
      expect(await tick(second.paperbot.services)).toEqual([]);
      expect((await postsOf(second.paperbot.services.sql, channelRef('slack', 'C1')))[0].status).toBe('unknown');
      const rest: string[] = [];
      for (let w = 1; w < papers.length; w++) rest.push(...(await tickAt(second, SLOT + w * WEEK)).map((p) => p.paper.id));
      expect(rest).toHaveLength(papers.length - 1);
      expect(rest).not.toContain(lost);
    });
  });
});
