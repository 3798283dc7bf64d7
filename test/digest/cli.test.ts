import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedsCli } from '../../src/capabilities/feeds/index.js';
import { digestCli } from '../../src/capabilities/digest/index.js';
import { feedsBot } from '../feeds/harness.js';
import { tempDbPath } from '../spotlight/harness.js';

const HOUR = 3_600_000;
const MON = Date.parse('2026-11-30T09:00:00Z');

describe('paperbot feeds poll and paperbot digest tick', () => {
  const { dbPath, cleanup } = tempDbPath();
  let h: Awaited<ReturnType<typeof feedsBot>>;
  const cli = async (command: 'feeds' | 'digest', ...argv: string[]) => {
    let written = '';
    const write = (s: string) => (written += s);
    const code = command === 'feeds' ? await feedsCli(argv, h.bot.paperbot.services, write) : await digestCli(argv, h.bot.paperbot.services, write);
    return { code, out: written.trimEnd() };
  };

  beforeAll(async () => {
    h = await feedsBot({ dbPath, start: MON - 2 * HOUR });
    h.fakes.publish('journal:mia', { key: 'a', title: 'Breast ultrasound lesion segmentation', authors: ['A B'], abstract: '', at: MON - 3 * HOUR });
    h.fakes.publish('journal:mia', { key: 'b', title: 'Retinal OCT layer classification', authors: ['C D'], abstract: '', at: MON - 3 * HOUR });
    await h.bot.say('console', 'console', `feed add ${h.fakes.journalUrl('mia', 'atom')}`);
    await h.bot.say('console', 'console', 'follow breast segmentation');
    await h.bot.say('console', 'console', 'digest on monday 09:00 UTC');
    h.bot.clock.set(MON - HOUR);
  });
  afterAll(async () => {
    await h?.close();
    cleanup();
  });

  it('polls the due feeds and prints each round as JSON', async () => {
    const { code, out } = await cli('feeds', 'poll', '--json');
    expect(code).toBe(0);
    const rounds = JSON.parse(out) as { source: string; outcome: string; added: number }[];
    expect(rounds).toEqual([expect.objectContaining({ outcome: 'read', added: 2 })]);
    expect((await cli('feeds', 'poll')).out).toMatch(/^No feed due at/);
  });

  it('prints the posts of a tick as [{channel, slot, papers: [{id, title}]}], and [] when run again', async () => {
    h.bot.clock.set(MON + 60_000);
    const { code, out } = await cli('digest', 'tick', '--json');
    expect(code).toBe(0);
    const posts = JSON.parse(out) as { channel: string; slot: string; papers: { id: string; title: string }[] }[];
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ channel: 'console', slot: '2026-11-30T09:00:00.000Z' });
    expect(posts[0].papers.map((p) => p.title)).toEqual(['Breast ultrasound lesion segmentation']);
    expect(Object.keys(posts[0].papers[0]).sort()).toEqual(['id', 'title']);
    expect(JSON.parse((await cli('digest', 'tick', '--json', '--now', new Date(MON + 120_000).toISOString())).out)).toEqual([]);
  });

  it('rejects a malformed --now and unknown words with exit code 2 and the usage', async () => {
    const bad = await cli('digest', 'tick', '--now', 'monday');
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--now needs an ISO 8601 time');
    expect((await cli('feeds', 'poll', '--verbose')).code).toBe(2);
    expect((await cli('digest', 'frobnicate')).out).toContain('usage:');
  });
});
