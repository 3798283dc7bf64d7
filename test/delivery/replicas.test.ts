import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { digestParts } from '../../adapters/cli/scheduler.js';
import { digestTick } from '../../src/capabilities/digest/index.js';
import { tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import { freshDatabase, testedEngines, type Engine, type FreshDatabase } from '../helpers/engines.js';
import { spotlightBot, syntheticPapers, type SpotlightBot } from '../spotlight/harness.js';

/**
 * Issue 15: two replicas, each with its own connection pool (and, on PostgreSQL, its own SQLite file
 * for what is not on the store interface yet: two machines), race the same due slots. Every channel
 * of every workspace gets exactly one post, whichever replica makes it. On SQLite the two share the
 * file, as two processes on one machine do.
 */

const SLOT = '2026-11-30T09:00:00.000Z';
const AT = Date.parse(SLOT) + 30_000;
const WORKSPACES = ['T1', 'T2'];

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function replicas(engine: Engine): Promise<[SpotlightBot, SpotlightBot]> {
  const fresh: FreshDatabase = await freshDatabase(engine);
  closers.push(() => fresh.cleanup());
  const start = async (dbPath: string) => {
    const b = await spotlightBot({ dbPath, env: { ...fresh.env, PAPERBOT_DB: dbPath }, papers: syntheticPapers(12) });
    closers.push(() => b.paperbot.close());
    b.clock.set('2026-11-27T12:00:00Z');
    return b;
  };
  const a = await start(fresh.dbPath);
  const b = await start(engine === 'postgres' ? join(fresh.dbPath, '..', 'replica-b.db') : fresh.dbPath);
  return [a, b];
}

/** One scheduled round, as the scheduler runs it: digests (carrying the spotlight of their slot), then spotlights. */
async function round(b: SpotlightBot) {
  b.clock.set(AT);
  const digests = await digestTick(b.paperbot.services, b.clock.now(), { parts: digestParts });
  const spotlights = await spotlightTick(b.paperbot.services);
  return { digests, spotlights };
}

/** Every post both replicas made, by workspace-less channel id (the recording platform sees only the channel). */
function postsByChannel(...bots: SpotlightBot[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of bots) for (const p of b.adapters.slack.posts) counts.set(p.ref.channelId, (counts.get(p.ref.channelId) ?? 0) + 1);
  return counts;
}

describe.each(testedEngines())('two replicas on one %s database', (engine) => {
  it('GIVEN 160 channels in two workspaces (the same channel ids in both) whose spotlight falls in one minute WHEN both replicas run the round at once THEN each channel of each workspace is posted exactly once', async () => {
    const [a, b] = await replicas(engine);
    const channels = Array.from({ length: 80 }, (_, i) => `C${String(i).padStart(3, '0')}`);
    for (const workspaceId of WORKSPACES) {
      for (const [i, channel] of channels.entries()) {
        const r = await (i % 2 ? a : b).say('slack', channel, 'spotlight on monday 09:00 UTC', { workspaceId });
        expect(r.kind).toBe('spotlight-on');
      }
    }

    const [first, second] = await Promise.all([round(a), round(b)]);

    const reported = [...first.spotlights, ...second.spotlights];
    expect(reported).toHaveLength(channels.length * WORKSPACES.length);
    expect(new Set(reported.map((p) => `${p.workspaceId}/${p.channel}`)).size).toBe(reported.length);
    const counts = postsByChannel(a, b);
    expect(counts.size).toBe(channels.length);
    for (const channel of channels) expect(counts.get(channel), channel).toBe(WORKSPACES.length);

    // One claim per workspace, channel and slot, posted, with the message the platform gave.
    const claims = await a.paperbot.services.sql.all<{ workspace_id: string; channel: string; n: number; status: string }>(
      `SELECT workspace_id, channel, CAST(COUNT(*) AS INTEGER) AS n, MIN(status) AS status FROM delivery_claims
        WHERE kind = 'spotlight' AND slot = ? GROUP BY workspace_id, channel`,
      [SLOT],
    );
    expect(claims).toHaveLength(channels.length * WORKSPACES.length);
    expect(claims.every((c) => c.n === 1 && c.status === 'posted')).toBe(true);
    const attempts = a.adapters.slack.attempts.length + b.adapters.slack.attempts.length;
    expect(attempts).toBe(channels.length * WORKSPACES.length);

    // A second round on both, a minute later, finds nothing left to do.
    const again = await Promise.all([round(a), round(b)].map(async (r) => (await r).spotlights.length));
    expect(again).toEqual([0, 0]);
  });

  it('GIVEN 40 channels whose digest and spotlight share the slot WHEN both replicas run the round at once THEN each channel gets one message carrying both', async () => {
    const [a, b] = await replicas(engine);
    const channels = Array.from({ length: 40 }, (_, i) => `D${String(i).padStart(2, '0')}`);
    for (const channel of channels) {
      await a.say('slack', channel, 'follow lung nodule');
      await a.say('slack', channel, 'digest on monday 09:00 UTC');
      await b.say('slack', channel, 'spotlight on monday 09:00 UTC');
    }
    // A paper enters the catalog the replicas share, on one of them, in the digests' window.
    const work = { title: 'Lung nodule detection in low-dose CT', authors: ['Lovelace, Ada'], year: 2026, venue: 'arXiv', abstract: '', url: 'https://example.org/ln', subjects: [], sameAs: [], source: 'test' };
    a.clock.set('2026-11-29T12:00:00Z');
    await a.paperbot.services.catalog.addWork(work, 'added', null);

    const [first, second] = await Promise.all([round(a), round(b)]);

    const digests = [...first.digests, ...second.digests];
    expect(digests).toHaveLength(channels.length);
    expect(digests.every((d) => d.carried.includes('spotlight') && d.papers.length === 1)).toBe(true);
    expect([...first.spotlights, ...second.spotlights]).toEqual([]);
    const counts = postsByChannel(a, b);
    for (const channel of channels) expect(counts.get(channel), channel).toBe(1);
    const unposted = await a.paperbot.services.sql.all(`SELECT id FROM delivery_claims WHERE slot = ? AND status <> 'posted'`, [SLOT]);
    expect(unposted).toEqual([]);
  });
});
