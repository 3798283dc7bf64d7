import { afterEach, describe, expect, it } from 'vitest';
import { tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import { freshDatabase, testedEngines, type Engine } from '../helpers/engines.js';
import { spotlightBot, syntheticPapers, type SpotlightBot } from '../spotlight/harness.js';

/**
 * Tenants (issue 15): the spotlight, the digest and the followed topics of a channel are kept per
 * (platform, workspace, channel). Two workspaces with a channel of the same id (Slack Connect shares
 * one) never see, change or post each other's; what was recorded before adapters named workspaces is
 * taken over by the first command that names one.
 */

const MONDAY = Date.parse('2026-11-30T09:00:00Z');
const WEEK = 7 * 86_400_000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function bot(engine: Engine): Promise<SpotlightBot> {
  const fresh = await freshDatabase(engine);
  closers.push(() => fresh.cleanup());
  const b = await spotlightBot({ dbPath: fresh.dbPath, env: fresh.env, papers: syntheticPapers(6) });
  closers.push(() => b.paperbot.close());
  return b;
}

describe.each(testedEngines())('tenants on %s', (engine) => {
  it('GIVEN one channel id in two workspaces THEN each has its own spotlight, topics and digests, and nothing of one is reachable from the other', async () => {
    const b = await bot(engine);
    const T1 = { workspaceId: 'T1' };
    const T2 = { workspaceId: 'T2' };
    expect((await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC', T1)).kind).toBe('spotlight-on');
    expect((await b.say('slack', 'C1', 'follow lung nodule', T1)).data).toMatchObject({ added: true });
    expect((await b.say('slack', 'C1', 'digest on monday 09:00 UTC', T1)).kind).toBe('digest-on');

    expect((await b.say('slack', 'C1', 'spotlight status', T2)).data).toMatchObject({ code: 'spotlight-off' });
    expect((await b.say('slack', 'C1', 'following', T2)).data).toMatchObject({ follows: [] });
    expect((await b.say('slack', 'C1', 'digest status', T2)).data).toMatchObject({ code: 'digest-off' });
    // Another workspace's topic numbers are not this one's: nothing to remove there.
    expect((await b.say('slack', 'C1', 'unfollow 1', T2)).data).toMatchObject({ code: 'unfollow-number' });
    expect((await b.say('slack', 'C1', 'following', T1)).data).toMatchObject({ follows: ['lung nodule'] });

    // The same channel id turned on in T2 is a second subscription, posted separately.
    expect((await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC', T2)).kind).toBe('spotlight-on');
    b.clock.set(MONDAY + 60_000);
    const posts = await spotlightTick(b.paperbot.services);
    expect(posts.map((p) => p.workspaceId).sort()).toEqual(['T1', 'T2']);
    expect(new Set(b.adapters.slack.posts.map((p) => p.key)).size).toBe(2);
    expect((await b.say('slack', 'C1', 'spotlight off', T2)).data).toMatchObject({ changed: true });
    expect((await b.say('slack', 'C1', 'spotlight status', T1)).data).toMatchObject({ state: 'on' });
  });

  it('GIVEN a digest of one workspace WHEN another workspace asks for it by number THEN it is not there', async () => {
    const b = await bot(engine);
    const T1 = { workspaceId: 'T1' };
    b.clock.set(MONDAY - 2 * 86_400_000);
    await b.say('slack', 'C1', 'follow lung nodule', T1);
    await b.say('slack', 'C1', 'digest on monday 09:00 UTC', T1);
    b.clock.set(MONDAY - 86_400_000);
    await b.paperbot.services.catalog.addWork(
      { title: 'Lung nodule detection in low-dose CT', authors: ['Lovelace, Ada'], year: 2026, venue: 'arXiv', abstract: '', url: 'https://example.org/ln', subjects: [], sameAs: [], source: 'test' },
      'added',
      null,
    );
    b.clock.set(MONDAY - 3_600_000);
    const posted = await b.say('slack', 'C1', 'digest now', T1);
    expect(posted.data).toMatchObject({ result: 'posted' });
    const [claim] = await b.paperbot.services.sql.all<{ id: number }>("SELECT id FROM delivery_claims WHERE kind = 'digest' AND status = 'posted'");
    expect((await b.say('slack', 'C1', `digest more ${claim.id}`, T1)).kind).not.toBe('error');
    expect((await b.say('slack', 'C1', `digest more ${claim.id}`, { workspaceId: 'T2' })).data).toMatchObject({ code: 'digest-more' });
    expect((await b.say('slack', 'C1', `digest more ${claim.id}`)).data).toMatchObject({ code: 'digest-more' });
  });

  it('GIVEN a spotlight, topics and a digest recorded before the adapter named workspaces THEN the first command naming the workspace takes them over, the rotation carries on, and no other workspace sees them', async () => {
    const b = await bot(engine);
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    await b.say('slack', 'C1', 'follow lung nodule');
    await b.say('slack', 'C1', 'digest on monday 09:00 UTC');
    b.clock.set(MONDAY + 60_000);
    const [first] = await spotlightTick(b.paperbot.services);
    expect(first.workspaceId).toBe('');

    expect((await b.say('slack', 'C1', 'spotlight status', { workspaceId: 'T1' })).data).toMatchObject({ state: 'on', remaining: 5 });
    expect((await b.say('slack', 'C1', 'following', { workspaceId: 'T1' })).data).toMatchObject({ follows: ['lung nodule'] });
    expect((await b.say('slack', 'C1', 'digest status', { workspaceId: 'T1' })).data).toMatchObject({ state: 'on' });
    expect((await b.say('slack', 'C1', 'spotlight status', { workspaceId: 'T2' })).data).toMatchObject({ code: 'spotlight-off' });
    for (const table of ['delivery_subscriptions', 'delivery_claims', 'spotlight_rotations', 'follows']) {
      expect(await b.paperbot.services.sql.all(`SELECT DISTINCT workspace_id FROM ${table}`), table).toEqual([{ workspace_id: 'T1' }]);
    }

    // The week's slot stays posted (not again under the new key), and the next week shows another paper.
    expect(await spotlightTick(b.paperbot.services)).toEqual([]);
    b.clock.set(MONDAY + WEEK + 60_000);
    const [next] = await spotlightTick(b.paperbot.services);
    expect(next.workspaceId).toBe('T1');
    expect(next.paper.id).not.toBe(first.paper.id);
  });
});
