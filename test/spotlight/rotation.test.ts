import { afterEach, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/catalog/paper.js';
import { ManualClock } from '../../src/clock.js';
import { tick } from '../../src/capabilities/spotlight/index.js';
import { postsOf } from '../../src/capabilities/spotlight/store.js';
import { spotlightBot, syntheticPapers, tempDbPath, type SpotlightBot, channelRef } from './harness.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const SLOT = Date.parse('2026-11-30T09:00:00Z');

const opened: SpotlightBot[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const b of opened.splice(0)) b.close();
  for (const c of cleanups.splice(0)) c();
});

async function open(dbPath: string, papers?: Paper[], at = Date.parse('2026-11-27T12:00:00Z')) {
  const b = await spotlightBot({ dbPath, papers, clock: new ManualClock(at) });
  opened.push(b);
  return b;
}

function newDb() {
  const tmp = tempDbPath();
  cleanups.push(tmp.cleanup);
  return tmp.dbPath;
}

/** Ticks the weekly slots `from` … `from + count - 1` and returns the paper ids posted. */
async function weeks(b: SpotlightBot, from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let w = from; w < from + count; w++) {
    b.clock.set(SLOT + w * WEEK + 60_000);
    for (const p of await tick(b.paperbot.services)) ids.push(p.paper.id);
  }
  return ids;
}

describe('the rotation', () => {
  it('GIVEN the bundled catalog THEN a round shows every paper exactly once, status counts down, and a new round starts after', async () => {
    const b = await open(newDb());
    const papers = b.paperbot.services.papers;
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    const firstRound = await weeks(b, 0, papers.length);
    expect([...firstRound].sort()).toEqual(papers.map((p) => p.id).sort());

    const status = await b.say('slack', 'C1', 'spotlight status');
    // The round is complete: the whole catalog is ahead again.
    expect(status.data?.remaining).toBe(papers.length);
    const second = await weeks(b, papers.length, 1);
    expect(second).toHaveLength(1);
    const after = await b.say('slack', 'C1', 'spotlight status');
    expect(after.data).toMatchObject({ round: 2, remaining: papers.length - 1 });
  });

  it('GIVEN a 7-paper catalog THEN preview always names the paper the next tick posts, and the count of papers left goes 7, 6, … 1', async () => {
    const b = await open(newDb(), syntheticPapers(7));
    await b.say('discord', 'D1', 'spotlight on monday 09:00 UTC');
    const remaining: number[] = [];
    for (let w = 0; w < 9; w++) {
      const preview = await b.say('discord', 'D1', 'spotlight preview');
      expect(preview.visibility).toBe('ephemeral');
      remaining.push((await b.say('discord', 'D1', 'spotlight status')).data?.remaining as number);
      const posted = await weeks(b, w, 1);
      expect(posted).toEqual([preview.papers[0].id]);
    }
    expect(remaining).toEqual([7, 6, 5, 4, 3, 2, 1, 7, 6]);
  });

  it('GIVEN papers added and removed between ticks (a restart with a new catalog) THEN new ones join the current round, removed ones are skipped, and nothing repeats', async () => {
    const dbPath = newDb();
    const before = syntheticPapers(6);
    const a = await open(dbPath, before);
    await a.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    const shown = await weeks(a, 0, 3);
    a.close();
    opened.splice(opened.indexOf(a), 1);

    const unseen = before.filter((p) => !shown.includes(p.id));
    const removed = unseen[0];
    const added = syntheticPapers(2, 'new');
    const after = [...before.filter((p) => p !== removed), ...added];
    const b = await open(dbPath, after);
    // The round now holds the 3 shown, the 2 unseen that remain and the 2 new ones: 4 more to go.
    expect((await b.say('slack', 'C1', 'spotlight status')).data?.remaining).toBe(4);
    const restOfRound = await weeks(b, 3, 4);
    expect(new Set([...shown, ...restOfRound]).size).toBe(7);
    expect(restOfRound).toEqual(expect.arrayContaining(added.map((p) => p.id)));
    expect(restOfRound).not.toContain(removed.id);

    const nextRound = await weeks(b, 7, after.length);
    expect([...nextRound].sort()).toEqual(after.map((p) => p.id).sort());
    const rows = (await postsOf(b.paperbot.services.sql, channelRef('slack', 'C1')));
    expect(rows.map((r) => r.round)).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('GIVEN a claimed paper that left the catalog before its retry THEN another paper of the round is posted in its place', async () => {
    const dbPath = newDb();
    const papers = syntheticPapers(4);
    const a = await open(dbPath, papers);
    await a.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    a.adapters.slack.failures.push(new Error('socket hang up'));
    a.clock.set(SLOT);
    expect(await tick(a.paperbot.services)).toEqual([]);
    const claimed = (await postsOf(a.paperbot.services.sql, channelRef('slack', 'C1')))[0].paperId!;
    a.close();
    opened.splice(opened.indexOf(a), 1);

    const b = await open(dbPath, papers.filter((p) => p.id !== claimed));
    b.clock.set(SLOT + 5 * 60_000);
    const posts = await tick(b.paperbot.services);
    expect(posts).toHaveLength(1);
    expect(posts[0].paper.id).not.toBe(claimed);
    expect(posts[0].slot).toBe('2026-11-30T09:00:00.000Z');
  });

  it('GIVEN spotlight turned off and on again THEN the rotation carries on where it stopped', async () => {
    const b = await open(newDb(), syntheticPapers(5));
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    const first = await weeks(b, 0, 2);
    await b.say('slack', 'C1', 'spotlight off');
    expect(await weeks(b, 2, 2)).toEqual([]);
    b.clock.set(SLOT + 4 * WEEK - HOUR);
    await b.say('slack', 'C1', 'spotlight on');
    const rest = await weeks(b, 4, 3);
    expect(new Set([...first, ...rest]).size).toBe(5);
  });
});
