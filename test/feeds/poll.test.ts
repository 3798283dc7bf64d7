import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enteredBetween } from '../../src/capabilities/digest/store.js';
import { pollFeeds, type FeedRound } from '../../src/capabilities/feeds/poll.js';
import { feedStore, type FeedRow } from '../../src/capabilities/feeds/store.js';
import type { FakePaper } from '../fakes/feeds.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';
import { syntheticPapers } from '../spotlight/harness.js';
import { feedsBot } from './harness.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T08:00:00Z');

const paper = (key: string, title: string, at: number, extra: Partial<FakePaper> = {}): FakePaper => ({ key, title, authors: ['Ada Lovelace', 'Alan Turing'], abstract: `About ${title}.`, at, ...extra });

describe.each(testedEngines())('polling feeds on %s', (engine) => {
  let database: FreshDatabase;
  const logLines: string[] = [];
  let h: Awaited<ReturnType<typeof feedsBot>>;
  const poll = (): Promise<FeedRound[]> => pollFeeds(h.bot.paperbot.services, { http: h.http(h.bot.paperbot.services) });
  const feeds = () => feedStore(h.bot.paperbot.services.sql).all();
  const feed = async (source: string): Promise<FeedRow> => (await feeds()).find((f) => f.source === source)!;
  const added = async () => (await enteredBetween(h.bot.paperbot.services.sql, '', '9999')).map((e) => e.paper);

  beforeAll(async () => {
    database = await freshDatabase(engine);
    h = await feedsBot({ database, start: T0, logLines, papers: syntheticPapers(5) });
    const f = h.fakes;
    f.publish('arxiv:eess.IV', paper('x1', 'Lung nodule detection in low-dose CT with 3D CNNs', T0 - 2 * HOUR, { arxivId: '2611.00001', versions: [{ at: T0 + 2 * HOUR, title: 'Lung nodule detection in low-dose CT with 3D CNNs (revised)' }] }));
    f.publish('arxiv:eess.IV', paper('x2', 'Brain tumour segmentation in MRI with transformers', T0 - HOUR, { arxivId: '2611.00002', doi: '10.1000/brain.1' }));
    f.publish('pubmed:deep learning', paper('m1', 'Deep learning mammography screening at scale', T0 - HOUR, { pmid: '41000001', doi: '10.1000/mam.1' }));
    f.publish('journal:media', paper('j1', 'Deep learning mammography screening at scale', T0 - HOUR, { doi: '10.1000/MAM.1' }));
    f.publish('journal:tmi', paper('t1', 'Liver lesion detection in contrast CT', T0 - HOUR));
    f.publish('journal:mia', paper('a1', 'Cardiac MRI segmentation with shape priors', T0 - HOUR));
    for (const source of [
      'arxiv:eess.IV',
      'pubmed:"deep learning"',
      f.journalUrl('media', 'rss2'),
      f.journalUrl('tmi', 'rdf'),
      f.journalUrl('mia', 'atom'),
      f.failureUrl('html'),
      f.failureUrl('malformed'),
      f.failureUrl('entities'),
      f.failureUrl('loop'),
      f.failureUrl('gone'),
      f.failureUrl('throttled'),
      f.failureUrl('hang'),
    ]) {
      const r = await h.bot.say('slack', 'C1', `feed add ${source}`);
      expect(r.kind, JSON.stringify(r.intro)).toBe('feed-add');
    }
  });

  afterAll(async () => {
    await h?.close();
    await database?.cleanup();
  });

  it('reads every feed once on the first round; a hanging or failing feed holds up no other', async () => {
    const rounds = await poll();
    expect(rounds).toHaveLength(12);
    const by = (s: string) => rounds.find((r) => r.source.includes(s))!;
    expect(by('arxiv').added).toBe(2);
    // The mammography paper comes from PubMed and the journal: one paper, merged by DOI.
    expect(by('pubmed').added + by('media').added).toBe(1);
    expect(by('pubmed').merged + by('media').merged).toBe(1);
    expect(by('tmi').added).toBe(1);
    expect(by('mia').added).toBe(1);
    expect(await added()).toHaveLength(5);
    for (const s of ['html', 'malformed', 'entities', 'loop', 'gone', 'throttled', 'hang']) expect(by(`/fail/${s}`).outcome, s).toBe('failed');
  });

  it('makes every new paper searchable at once, with tags inferred by the catalog', async () => {
    const found = await h.bot.say('slack', 'C1', 'liver lesion detection');
    expect(found.papers.map((p) => p.title)).toContain('Liver lesion detection in contrast CT');
    const liver = found.papers.find((p) => p.title === 'Liver lesion detection in contrast CT')!;
    expect(liver.inferred?.length).toBeGreaterThan(0);
  });

  it('reports each failure in feed list and the log, marks a 404 gone and backs off a 429 by its Retry-After', async () => {
    const f = h.fakes;
    expect((await feed(f.failureUrl('html'))).lastError).toMatch(/HTML/);
    expect((await feed(f.failureUrl('malformed'))).lastError).toMatch(/not well-formed/);
    expect((await feed(f.failureUrl('entities'))).lastError).toMatch(/entities/);
    expect((await feed(f.failureUrl('loop'))).lastError).toMatch(/loop/);
    expect((await feed(f.failureUrl('hang'))).lastError).toMatch(/no answer/);
    expect((await feed(f.failureUrl('gone'))).state).toBe('gone');
    const throttled = await feed(f.failureUrl('throttled'));
    expect(Date.parse(throttled.nextPollAt)).toBeGreaterThanOrEqual(T0 + HOUR);
    const list = await h.bot.say('slack', 'C2', 'feed list');
    const text = list.cards.map((c) => [c.title, ...c.lines].join(' ')).join('\n');
    expect(text).toMatch(/GONE/);
    expect(text).toMatch(/HTML page/);
    expect(text).toMatch(/2 new papers brought/);
    for (const s of ['html', 'gone', 'throttled', 'hang']) expect(logLines.some((l) => l.includes(`/fail/${s}`) && l.includes('WARN')), s).toBe(true);
  });

  it('costs one 304 per unchanged feed on the next round, and never asks a gone feed again', async () => {
    h.bot.clock.set(T0 + HOUR);
    const before = h.fakes.served.length;
    const rounds = await poll();
    const served = h.fakes.served.slice(before);
    const ok = served.filter((s) => !s.path.startsWith('/fail/'));
    // arXiv, PubMed's esearch and three journals: conditional, and unchanged.
    expect(ok.length).toBe(5);
    expect(ok.every((s) => s.conditional && s.status === 304)).toBe(true);
    expect(served.some((s) => s.path.startsWith('/fail/gone'))).toBe(false);
    expect(rounds.filter((r) => r.outcome === 'unchanged')).toHaveLength(5);
  });

  it('merges a new arXiv version into its paper instead of adding one, and adds what is new', async () => {
    h.fakes.publish('journal:tmi', paper('t2', 'Pancreas segmentation in CT with attention', T0 + 2 * HOUR));
    h.bot.clock.set(T0 + 3 * HOUR);
    const rounds = await poll();
    const arxiv = rounds.find((r) => r.source === 'arxiv:eess.IV')!;
    expect(arxiv).toMatchObject({ outcome: 'read', added: 0, merged: 1 });
    expect(rounds.find((r) => r.source.includes('tmi'))!.added).toBe(1);
    const titles = (await added()).map((p) => p.title);
    expect(titles).toContain('Lung nodule detection in low-dose CT with 3D CNNs (revised)');
    expect(titles).not.toContain('Lung nodule detection in low-dose CT with 3D CNNs');
    expect(titles).toHaveLength(6);
  });

  it('takes a feed that keeps failing to "failing" after five rounds, with growing waits, not a hot loop', async () => {
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const f = await feed(h.fakes.failureUrl('html'));
      h.bot.clock.set(Date.parse(f.nextPollAt));
      await poll();
      const after = await feed(h.fakes.failureUrl('html'));
      waits.push(Date.parse(after.nextPollAt) - Date.parse(f.nextPollAt));
    }
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(waits.at(-1)).toBeGreaterThan(waits[0]);
    expect((await feed(h.fakes.failureUrl('html'))).state).toBe('failing');
  });
});

describe('adding feeds from chat', () => {
  let database: FreshDatabase;
  let h: Awaited<ReturnType<typeof feedsBot>>;
  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    h = await feedsBot({ database, start: T0, env: { PAPERBOT_ALLOW_PRIVATE_FEEDS: 'false' } });
  });
  afterAll(async () => {
    await h?.close();
    await database?.cleanup();
  });

  it('refuses private addresses, other schemes and unknown source kinds, and lets only managers add', async () => {
    for (const source of [h.fakes.journalUrl('media', 'rss2'), 'http://localhost/feed', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/x']) {
      const r = await h.bot.say('slack', 'C1', `feed add ${source}`);
      expect(r.kind, source).toBe('error');
      expect(r.intro[0], source).toMatch(/loopback, private, link-local or metadata/);
    }
    expect((await h.bot.say('slack', 'C1', 'feed add ftp://example.org/feed.xml')).intro[0]).toMatch(/Only http\(s\)/);
    expect((await h.bot.say('slack', 'C1', 'feed add gopher')).intro[0]).toMatch(/not a feed paperbot can read/);
    expect((await h.bot.say('slack', 'C1', 'feed add arxiv:eess.IV', { canManageChannel: false })).intro[0]).toMatch(/Only people who may manage/);
    expect(await feedStore(h.bot.paperbot.services.sql).all()).toHaveLength(0);
    expect((await h.bot.say('slack', 'C1', 'feed add arxiv:eess.IV')).kind).toBe('feed-add');
    expect((await h.bot.say('slack', 'C1', 'feed remove 1')).kind).toBe('feed-remove');
  });
});
