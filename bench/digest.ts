/**
 * Digest benchmark: matching 10,000 new papers against 500 channels that follow 10 topics each
 * (goal ≤ 2 s, index build included), one polling round over 50 unchanged feeds on local fakes
 * (goal ≤ 1 s, and every request conditional, every answer a 304), and rendering one channel's
 * digest (goal ≤ 50 ms).
 *
 *   npm run bench -- digest        (or: node bin/run-ts.js bench/digest.ts)
 */
import { pathToFileURL } from 'node:url';
import type { Paper } from '../src/catalog/paper.js';
import { createPaperbot } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { TopicMatcher } from '../src/capabilities/digest/match.js';
import { digestReply, type DigestEntry } from '../src/capabilities/digest/render.js';
import { pollFeeds } from '../src/capabilities/feeds/poll.js';
import { feedHttpClient } from '../src/capabilities/feeds/poll.js';
import { feedStore } from '../src/capabilities/feeds/store.js';
import { parseSource } from '../src/capabilities/feeds/sources.js';
import { HostPacer } from '../src/net/index.js';
import { renderText } from '../src/reply.js';
import { FakeFeeds } from '../test/fakes/feeds.js';
import { tempDbPath } from '../test/helpers/temp-db.js';

const REGIONS = ['lung', 'brain', 'breast', 'liver', 'prostate', 'kidney', 'heart', 'retina', 'knee', 'skin', 'colon', 'pancreas'];
const TASKS = ['segmentation', 'detection', 'classification', 'registration', 'reconstruction', 'denoising', 'survival prediction'];
const MODALITIES = ['CT', 'MRI', 'ultrasound', 'PET', 'X-ray', 'mammography', 'OCT', 'histopathology'];
const METHODS = ['U-Net', 'transformer', 'GAN', 'diffusion model', 'graph network', 'contrastive learning', 'attention', 'ensemble'];
const NAMES = ['Kamnitsas', 'Ronneberger', 'Litjens', 'Isensee', 'Chen', 'Wang', 'Zhang', 'Li', 'Smith', 'Müller'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function newPapers(count: number): Paper[] {
  const rnd = rng(7);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  return Array.from({ length: count }, (_, i) => {
    const title = `${pick(METHODS)} for ${pick(REGIONS)} ${pick(TASKS)} in ${pick(MODALITIES)}: study ${i}`;
    return {
      id: `new-${i}`, title, url: `https://example.org/${i}`, year: 2026, venue: 'arXiv',
      techniques: [], modalities: [], regions: [], tasks: [], datasets: [],
      authors: [`${pick(NAMES)}, A.`, `${pick(NAMES)}, B.`], sources: ['bench'], abstract: `We study ${title}.`,
    };
  });
}

function topicsFor(channel: number): string[] {
  const rnd = rng(1000 + channel);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  return Array.from({ length: 10 }, (_, i) => {
    const kind = (channel + i) % 4;
    if (kind === 0) return `${pick(REGIONS)} ${pick(TASKS)}`;
    if (kind === 1) return `${pick(TASKS)} ${pick(MODALITIES)}`;
    if (kind === 2) return `${pick(METHODS)} ${pick(REGIONS)}`;
    return `author:"${pick(NAMES)}"`;
  });
}

/** Wall time, and the CPU time of this process, which a machine shared with other work inflates much less. */
function time<T>(run: () => T): { ms: number; cpuMs: number; value: T } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, value };
}

const line = (label: string, ms: number, goal: number, extra = '') => console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms  (goal ≤ ${goal} ms: ${ms <= goal ? 'met' : 'MISSED'})${extra}`);

async function matching(): Promise<void> {
  const papers = newPapers(10_000);
  const channels = Array.from({ length: 500 }, (_, c) => topicsFor(c));
  const distinct = new Set(channels.flat()).size;
  const built = time(() => new TopicMatcher(papers));
  const searched = time(() => { for (const q of new Set(channels.flat())) built.value.hits(q); });
  console.log(`  (index ${built.ms.toFixed(0)} ms, CPU ${built.cpuMs.toFixed(0)} ms; ${distinct} searches ${searched.ms.toFixed(0)} ms, CPU ${searched.cpuMs.toFixed(0)} ms)`);
  const { ms, cpuMs, value } = time(() => {
    const matcher = new TopicMatcher(papers);
    let items = 0;
    for (const topics of channels) items += matcher.digestFor(topics, () => true).length;
    return items;
  });
  line(
    'match 10,000 new papers × 500 channels × 10 topics',
    ms,
    2000,
    `  ${distinct} distinct topics, ${(value / channels.length).toFixed(0)} papers per channel on average; CPU ${cpuMs.toFixed(0)} ms`,
  );
  // The same without sharing a topic's search between channels, for comparison (10 channels: it is slow).
  const { ms: unshared } = time(() => {
    for (const topics of channels.slice(0, 10)) {
      const matcher = new TopicMatcher(papers);
      matcher.digestFor(topics, () => true);
    }
  });
  console.log(`${'  (an index and searches per channel instead: 10 channels)'.padEnd(58)} ${unshared.toFixed(1).padStart(8)} ms  ×${(unshared / 10 / (ms / 500)).toFixed(0)} per channel`);
}

async function polling(): Promise<void> {
  const clock = new ManualClock('2026-11-30T08:00:00Z');
  const fakes = await Promise.all(Array.from({ length: 50 }, () => new FakeFeeds(clock).start()));
  const { dbPath, cleanup } = tempDbPath();
  const paperbot = await createPaperbot({ config: loadConfig({ PAPERBOT_DB: dbPath, PAPERBOT_ALLOW_PRIVATE_FEEDS: 'true' }), clock });
  try {
    const services = paperbot.services;
    for (const [i, f] of fakes.entries()) {
      for (let j = 0; j < 20; j++) f.publish('journal:toc', { key: `p${i}-${j}`, title: `Paper ${j} of journal ${i} on lung nodule detection`, authors: ['A B'], abstract: '', at: clock.now().getTime() - (j + 1) * 3_600_000 });
      const lab = { platform: 'console', workspaceId: '' };
      await feedStore(services.sql).subscribe(lab, parseSource(f.journalUrl('toc', i % 2 ? 'rss2' : 'rdf')), 'bench', 'console:console', clock.now().toISOString());
    }
    const http = feedHttpClient(services, new HostPacer());
    await pollFeeds(services, { http });
    clock.set('2026-11-30T09:00:00Z');
    const served = fakes.reduce((n, f) => n + f.served.length, 0);
    const t = performance.now();
    const rounds = await pollFeeds(services, { http });
    const ms = performance.now() - t;
    const requests = fakes.flatMap((f) => f.served).slice(0);
    const second = requests.length - served;
    const allConditional = fakes.every((f) => f.served.at(-1)?.conditional && f.served.at(-1)?.status === 304);
    line('one polling round over 50 unchanged feeds', ms, 1000, `  ${rounds.length} feeds, ${second} requests, all conditional 304: ${allConditional}`);
  } finally {
    paperbot.close();
    cleanup();
    await Promise.all(fakes.map((f) => f.stop()));
  }
}

async function rendering(): Promise<void> {
  const papers = newPapers(200);
  const entries: DigestEntry[] = papers.map((paper, i) => ({ paper, paperId: paper.id, topic: `topic ${i % 10}`, rank: i + 1 }));
  for (let i = 0; i < 50; i++) renderText(digestReply({ lang: 'en', entries, postId: 1, since: '2026-11-23' }));
  const runs = 500;
  const t = performance.now();
  for (let i = 0; i < runs; i++) renderText(digestReply({ lang: i % 2 ? 'en' : 'zh', entries, postId: 1, since: '2026-11-23' }));
  line('render one channel digest (200 papers, 10 shown)', (performance.now() - t) / runs, 50);
}

export async function run(): Promise<void> {
  await matching();
  await polling();
  await rendering();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
