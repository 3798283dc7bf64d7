import { afterEach, describe, expect, it } from 'vitest';
import { startScheduler } from '../../adapters/cli/scheduler.js';
import type { ChannelTarget, MessageRef } from '../../src/adapter.js';
import { digestTick } from '../../src/capabilities/digest/index.js';
import { tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import { heldLeases } from '../../src/delivery/index.js';
import type { Reply } from '../../src/reply.js';
import { freshDatabase, testedEngines, type Engine, type FreshDatabase } from '../helpers/engines.js';
import { RecordingAdapter, spotlightBot, syntheticPapers, type SpotlightBot } from '../spotlight/harness.js';

/**
 * Issue 14: a stop finishes what is in flight within the drain and hands back the attempt leases of
 * posts the platform has still not answered, so another process retries them at once (with the same
 * idempotency key) instead of after the two-minute lease. Spotlight and digest alike.
 */

const SLOT = '2026-11-30T09:00:00.000Z';
const AT = '2026-11-30T09:01:00.000Z';

/** A platform that takes posts and never answers: the post stays in flight. */
class SilentAdapter extends RecordingAdapter {
  readonly heard: { channelId: string; key?: string }[] = [];
  override async post({ channelId }: ChannelTarget, _reply: Reply, options?: { idempotencyKey?: string }): Promise<MessageRef> {
    this.heard.push({ channelId, key: options?.idempotencyKey });
    return new Promise<MessageRef>(() => {});
  }
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function database(engine: Engine): Promise<FreshDatabase> {
  const fresh = await freshDatabase(engine);
  closers.push(() => fresh.cleanup());
  return fresh;
}

/** A bot on the database: two of them are two processes on one machine (one SQLite file, and PostgreSQL when tested). */
async function bot(fresh: FreshDatabase): Promise<SpotlightBot> {
  const b = await spotlightBot({ dbPath: fresh.dbPath, env: fresh.env, papers: syntheticPapers(6) });
  closers.push(() => b.paperbot.close());
  return b;
}

function claimOf(b: SpotlightBot, kind: string) {
  return b.paperbot.services.sql.one<{ status: string; attempts: number; inFlight: number; nextAttemptAt: string }>(
    `SELECT status, attempts, in_flight AS "inFlight", next_attempt_at AS "nextAttemptAt" FROM delivery_claims WHERE kind = ? AND platform = 'slack' AND slot = ?`,
    [kind, SLOT],
  );
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe.each(testedEngines())('on %s', (engine) => {
for (const kind of ['spotlight', 'digest'] as const) {
  it(`GIVEN a ${kind} post the platform never answers WHEN the process stops THEN its lease is handed back and a second process posts it at once with the same key`, async () => {
    const fresh = await database(engine);
    const first = await bot(fresh);
    first.clock.set('2026-11-30T08:00:00Z');
    if (kind === 'spotlight') {
      await first.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    } else {
      await first.say('slack', 'C1', 'follow lung nodule');
      await first.say('slack', 'C1', 'digest on monday 09:00 UTC');
      first.clock.set('2026-11-30T08:30:00Z');
      await first.paperbot.services.catalog.addWork(
        { title: 'Lung nodule detection in low-dose CT', authors: ['Lovelace, Ada'], year: 2026, venue: 'arXiv', abstract: '', url: 'https://example.org/ln', subjects: [], sameAs: [], source: 'test' },
        'added',
        null,
      );
    }
    const silent = new SilentAdapter('slack');
    first.paperbot.services.outbox.register(silent);
    first.clock.set(AT);

    const scheduler = startScheduler(first.paperbot.services);
    await until(() => silent.heard.length === 1);
    scheduler.stop();
    expect(await claimOf(first, kind)).toMatchObject({ status: 'pending', inFlight: 1, nextAttemptAt: '2026-11-30T09:03:00.000Z' });
    expect(heldLeases(first.paperbot.services.sql)).toBe(1);

    // Held, the lease keeps every other process off the slot.
    const second = await bot(fresh);
    second.clock.set(AT);
    const tickOf = (b: SpotlightBot) => (kind === 'spotlight' ? spotlightTick(b.paperbot.services) : digestTick(b.paperbot.services));
    expect(await tickOf(second)).toEqual([]);

    // The drain ran out with the post still in flight: the stop hands the lease back.
    expect(await scheduler.releaseLeases()).toBe(1);
    expect(heldLeases(first.paperbot.services.sql)).toBe(0);
    expect(await claimOf(first, kind)).toMatchObject({ status: 'pending', inFlight: 1, nextAttemptAt: AT });
    expect(await scheduler.releaseLeases()).toBe(0);

    const retried = await tickOf(second);
    expect(retried).toHaveLength(1);
    expect(second.adapters.slack.posts).toHaveLength(1);
    expect(second.adapters.slack.posts[0].key).toBe(silent.heard[0].key);
    expect(await claimOf(second, kind)).toMatchObject({ status: 'posted', attempts: 2, inFlight: 0 });
  });
}

describe('releasing leases', () => {
  it('GIVEN a lease another process took after it ran out THEN the release leaves that one alone', async () => {
    const fresh = await database(engine);
    const first = await bot(fresh);
    first.clock.set('2026-11-30T08:00:00Z');
    await first.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    const silent = new SilentAdapter('slack');
    first.paperbot.services.outbox.register(silent);
    first.clock.set(AT);
    void spotlightTick(first.paperbot.services);
    await until(() => silent.heard.length === 1);
    // Three minutes on, the lease has run out and a second process takes the claim (and hangs too).
    const second = await bot(fresh);
    const silentToo = new SilentAdapter('slack');
    second.paperbot.services.outbox.register(silentToo);
    second.clock.set('2026-11-30T09:04:00Z');
    void spotlightTick(second.paperbot.services);
    await until(() => silentToo.heard.length === 1);
    const scheduler = startScheduler(first.paperbot.services);
    scheduler.stop();
    expect(await scheduler.releaseLeases()).toBe(0);
    expect(await claimOf(first, 'spotlight')).toMatchObject({ attempts: 2, nextAttemptAt: '2026-11-30T09:06:00.000Z' });
  });
});
});
