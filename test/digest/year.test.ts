import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/adapter.js';
import { digestTick } from '../../src/capabilities/digest/index.js';
import type { DigestPosted } from '../../src/capabilities/digest/deliver.js';
import { pollFeeds } from '../../src/capabilities/feeds/poll.js';
import type { FakePaper } from '../fakes/feeds.js';
import { feedsBot } from '../feeds/harness.js';
import { localWeekdayTime, tempDbPath } from '../spotlight/harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-27T12:00:00Z');
const END = START + 365 * DAY;

/** What each kind of paper is about, which feed brings it, and which topics it should match. */
const KINDS = [
  { feed: 'arxiv:eess.IV', title: (i: number) => `Lung nodule detection in low-dose CT, cohort ${i}`, topic: 'lung' },
  { feed: 'arxiv:eess.IV', title: (i: number) => `Brain tumour segmentation in multi-parametric MRI, study ${i}`, topic: 'brain-seg' },
  { feed: 'pubmed:deep learning', title: (i: number) => `Mammography screening with deep learning, trial ${i}`, topic: 'mammo', alsoIn: 'journal:radiology' },
  { feed: 'journal:echo', title: (i: number) => `Cardiac ultrasound view classification, series ${i}`, topic: 'none' },
  { feed: 'journal:bone', title: (i: number) => `Knee radiograph osteoarthritis grading, study ${i}`, topic: 'kamnitsas', author: 'Konstantinos Kamnitsas' },
] as const;

type Channel = { platform: Platform; channel: string; digest: string; follows: string[]; topics: string[]; zone: string; weekday: number; time: string; lang: 'en' | 'zh' };

const CHANNELS: Channel[] = [
  { platform: 'slack', channel: 'C-berlin', digest: 'digest on monday 09:00 Europe/Berlin', follows: ['segmentation mri', 'lung nodule'], topics: ['brain-seg', 'lung'], zone: 'Europe/Berlin', weekday: 1, time: '09:00', lang: 'en' },
  { platform: 'discord', channel: 'D-ny', digest: 'digest on sunday 07:30 America/New_York', follows: ['lung nodule'], topics: ['lung'], zone: 'America/New_York', weekday: 0, time: '07:30', lang: 'en' },
  { platform: 'console', channel: 'console', digest: 'digest on 周五 16:30 Asia/Shanghai', follows: ['肺结节', 'mammography'], topics: ['lung', 'mammo'], zone: 'Asia/Shanghai', weekday: 5, time: '16:30', lang: 'zh' },
  { platform: 'slack', channel: 'C-sydney', digest: 'digest on wednesday 08:00 Australia/Sydney', follows: ['mammography', 'author:"Kamnitsas"'], topics: ['mammo', 'kamnitsas'], zone: 'Australia/Sydney', weekday: 3, time: '08:00', lang: 'en' },
];

describe('a year of weekly digests over four channels and four zones', () => {
  const { dbPath, cleanup } = tempDbPath();
  let h: Awaited<ReturnType<typeof feedsBot>>;
  const posts: { post: DigestPosted; at: number }[] = [];
  /** Title → the kind of paper it is and when it was published. */
  const published = new Map<string, { topic: string; at: number }>();

  beforeAll(async () => {
    h = await feedsBot({ dbPath, start: START });
    const say = (c: Channel, text: string) => h.bot.say(c.platform, c.channel, text);
    for (const source of ['arxiv:eess.IV', 'pubmed:"deep learning"', ...['radiology', 'echo', 'bone'].map((j) => h.fakes.journalUrl(j, j === 'bone' ? 'atom' : j === 'echo' ? 'rdf' : 'rss2'))]) {
      expect((await h.bot.say('slack', 'C-berlin', `feed add ${source}`)).kind).toBe('feed-add');
    }
    for (const c of CHANNELS) {
      for (const q of c.follows) expect((await say(c, `follow ${q}`)).kind, q).toBe('follow');
      const on = await say(c, c.digest);
      expect(on.kind, JSON.stringify(on.intro)).toBe('digest-on');
    }
    // A paper a day, from a day after the start, each kind in turn; some published twice (PubMed and a journal).
    for (let day = 1, i = 0; day < 365; day++, i++) {
      const kind = KINDS[i % KINDS.length];
      const at = START + day * DAY + (i % 7) * HOUR;
      const title = kind.title(i);
      const paper: FakePaper = {
        key: `k${i}`,
        title,
        authors: ['author' in kind ? kind.author : 'Grace Hopper', 'Ada Lovelace'],
        abstract: `${title}: methods and results.`,
        at,
        doi: `10.5555/year.${i}`,
        ...(kind.feed.startsWith('arxiv') ? { arxivId: `27${String(Math.floor(i / 100)).padStart(2, '0')}.${String(10000 + i)}`, versions: i % 10 === 0 ? [{ at: at + 3 * DAY, title: `${title} (v2)` }] : [] } : {}),
        ...(kind.feed.startsWith('pubmed') ? { pmid: String(40000000 + i) } : {}),
      };
      h.fakes.publish(kind.feed, paper);
      if ('alsoIn' in kind) h.fakes.publish(kind.alsoIn, { ...paper, key: `j${i}`, at: at + 5 * HOUR });
      published.set(title, { topic: kind.topic, at });
      if (paper.versions?.length) published.set(paper.versions[0].title, { topic: kind.topic, at });
    }
    const services = h.bot.paperbot.services;
    const http = h.http(services);
    for (let t = START; t <= END; t += HOUR) {
      h.bot.clock.set(t);
      if ((t - START) % (12 * HOUR) === 0) await pollFeeds(services, { http });
      for (const post of await digestTick(services)) posts.push({ post, at: t });
    }
  }, 300_000);

  afterAll(async () => {
    await h?.close();
    cleanup();
  });

  for (const c of CHANNELS) {
    describe(`${c.platform}:${c.channel} (${c.zone}) following ${c.follows.join(' | ')}`, () => {
      const mine = () => posts.filter((p) => p.post.platform === c.platform && p.post.channel === c.channel);

      it('posts at most once a week, on its local weekday and time, within the hour after the slot', () => {
        const slots = mine().map((p) => Date.parse(p.post.slot));
        expect(slots.length).toBeGreaterThanOrEqual(45);
        expect(slots.length).toBeLessThanOrEqual(53);
        expect(new Set(slots).size).toBe(slots.length);
        for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBeGreaterThanOrEqual(7 * DAY - HOUR);
        for (const { post, at } of mine()) {
          const local = localWeekdayTime(post.slot, c.zone);
          expect(local.weekday).toBe(c.weekday);
          expect(local.time).toBe(c.time);
          expect(at - Date.parse(post.slot)).toBeLessThan(HOUR);
        }
      });

      it('brings each matching new paper exactly once and never one that does not match', () => {
        const sent = mine().flatMap((p) => p.post.papers.map((paper) => paper.title));
        expect(new Set(sent).size).toBe(sent.length);
        for (const title of sent) expect(c.topics, title).toContain(published.get(title)?.topic);
        const last = Math.max(...mine().map((p) => Date.parse(p.post.slot)));
        // Every matching paper published at least a day before the channel's last digest is in one.
        const expected = [...published.entries()].filter(([title, p]) => c.topics.includes(p.topic) && p.at < last - DAY && !title.endsWith('(v2)'));
        const sentIds = new Set(sent.map((t) => t.replace(/ \(v2\)$/, '')));
        for (const [title] of expected) expect(sentIds.has(title), title).toBe(true);
        expect(expected.length).toBeGreaterThan(50);
      });

      it(`writes the digest in ${c.lang === 'zh' ? 'Chinese' : 'English'}, as the channel was set up`, () => {
        const delivered = h.bot.adapters[c.platform as 'slack' | 'discord' | 'console'].in(c.channel);
        expect(delivered).toHaveLength(mine().length);
        for (const d of delivered) {
          expect(d.reply.kind).toBe('digest');
          expect(d.reply.lang).toBe(c.lang);
        }
      });
    });
  }

  it('keeps one record per work: a paper from PubMed and a journal, a new arXiv version', () => {
    const db = h.bot.paperbot.services.db;
    const count = (sql: string, ...args: unknown[]) => db.prepare(sql).pluck().get(...args) as number;
    expect(count("SELECT count(*) FROM catalog_papers WHERE origin = 'added'")).toBe(published.size - [...published.keys()].filter((t) => t.endsWith('(v2)')).length);
    expect(count('SELECT count(*) FROM catalog_papers WHERE doi = ?', '10.5555/year.2')).toBe(1);
    // Each channel sees a revised preprint once, under whichever title it had when its digest went out.
    for (const c of CHANNELS) {
      const sent = posts.filter((p) => p.post.channel === c.channel).flatMap((p) => p.post.papers.map((x) => x.title));
      expect(sent.filter((t) => /^Lung nodule detection in low-dose CT, cohort 10( \(v2\))?$/.test(t)).length).toBeLessThanOrEqual(1);
    }
  });
});
