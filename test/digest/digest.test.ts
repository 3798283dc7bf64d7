import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestParts } from '../../adapters/cli/scheduler.js';
import { digestTick as tickDigests } from '../../src/capabilities/digest/tick.js';
import { DeliveryError } from '../../src/errors.js';
import { pollFeeds } from '../../src/capabilities/feeds/poll.js';
import { tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import type { Services } from '../../src/services.js';
import type { FakePaper } from '../fakes/feeds.js';
import { feedsBot } from '../feeds/harness.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';
import { syntheticPapers } from '../spotlight/harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A Monday, 08:00 UTC; digests go out Monday 09:00 UTC.
const MON = Date.parse('2026-11-30T08:00:00Z');

// As the scheduler runs it: a digest carries the spotlight of its slot.
const digestTick = (services: Services) => tickDigests(services, services.clock.now(), { parts: digestParts });

const paper = (key: string, title: string, at: number, extra: Partial<FakePaper> = {}): FakePaper => ({ key, title, authors: ['Ada Lovelace'], abstract: `About ${title}.`, at, ...extra });

describe.each(testedEngines())('the weekly digest on %s', (engine) => {
  let fresh: FreshDatabase | undefined;
  let h: Awaited<ReturnType<typeof feedsBot>>;
  const services = () => h.bot.paperbot.services;
  const run = async (at: number) => {
    h.bot.clock.set(at);
    await pollFeeds(services(), { http: h.http(services()) });
    return digestTick(services());
  };

  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    h = await feedsBot({ dbPath: fresh.dbPath, env: fresh.env, start: MON - DAY, papers: syntheticPapers(6) });
    expect((await h.bot.say('slack', 'C1', `feed add ${h.fakes.journalUrl('mia', 'rss2')}`)).kind).toBe('feed-add');
    for (const q of ['segmentation mri', 'lung nodule']) expect((await h.bot.say('slack', 'C1', `follow ${q}`)).kind).toBe('follow');
    expect((await h.bot.say('slack', 'C1', 'digest on monday 09:00 UTC')).kind).toBe('digest-on');
  });
  afterAll(async () => {
    await h?.close();
    await fresh?.cleanup();
  });

  it('posts the matching new papers of the week under the topic that matched, none that does not match', async () => {
    h.fakes.publish(
      'journal:mia',
      paper('a', 'Brain MRI segmentation with a 3D U-Net', MON - 20 * HOUR),
      paper('b', 'Lung nodule detection in low-dose CT', MON - 10 * HOUR),
      paper('c', 'Cardiac ultrasound view classification', MON - 5 * HOUR),
    );
    expect(await run(MON - 2 * HOUR)).toEqual([]);
    const posts = await run(MON + HOUR + 5 * 60_000);
    expect(posts).toHaveLength(1);
    expect(posts[0].papers.map((p) => p.title).sort()).toEqual(['Brain MRI segmentation with a 3D U-Net', 'Lung nodule detection in low-dose CT']);
    const delivered = h.bot.adapters.slack.in('C1');
    expect(delivered).toHaveLength(1);
    const r = delivered[0].reply;
    expect(r.kind).toBe('digest');
    expect(r.visibility).toBe('channel');
    expect(r.cards[0].lines[0]).toBe('Topic: segmentation mri');
    expect(r.cards[1].lines[0]).toBe('Topic: lung nodule');
    expect(delivered[0].key).toMatch(/^sp/);
  });

  it('never posts a paper twice, and posts nothing in a week with nothing new', async () => {
    // A new version of nothing, the same feed again, a week on: nothing new.
    expect(await run(MON + 7 * DAY + HOUR)).toEqual([]);
    expect(h.bot.adapters.slack.in('C1')).toHaveLength(1);
    const status = await h.bot.say('slack', 'C1', 'digest status');
    expect(status.intro.join(' ')).toMatch(/Last digest: 2026-11-30 09:\d\d with 2 papers/);
  });

  it('shows at most 10 with a More button that lists the rest', async () => {
    const week3 = MON + 14 * DAY;
    for (let i = 0; i < 13; i++) h.fakes.publish('journal:mia', paper(`n${i}`, `Lung nodule malignancy study number ${i + 1}`, week3 - 30 * HOUR + i * 60_000));
    const posts = await run(week3 + HOUR);
    expect(posts[0].papers).toHaveLength(13);
    const r = h.bot.adapters.slack.in('C1').at(-1)!.reply;
    expect(r.cards).toHaveLength(10);
    const more = r.actions.find((a) => a.command.startsWith('digest more'))!;
    expect(more.label).toBe('More (3)');
    const rest = await h.bot.say('slack', 'C1', more.command);
    expect(rest.cards).toHaveLength(3);
  });

  it('carries the spotlight of the same slot in the same message, and the spotlight does not post again', async () => {
    expect((await h.bot.say('slack', 'C1', 'spotlight on monday 09:00 UTC')).kind).toBe('spotlight-on');
    const week4 = MON + 21 * DAY;
    h.fakes.publish('journal:mia', paper('s1', 'Prostate MRI segmentation with transformers', week4 - 30 * HOUR));
    h.bot.clock.set(week4 + HOUR);
    await pollFeeds(services(), { http: h.http(services()) });
    const before = h.bot.adapters.slack.in('C1').length;
    const digests = await digestTick(services());
    const spotlights = await spotlightTick(services());
    expect(digests).toHaveLength(1);
    expect(digests[0].carried).toEqual(['spotlight']);
    expect(spotlights).toHaveLength(0);
    const after = h.bot.adapters.slack.in('C1').slice(before);
    expect(after).toHaveLength(1);
    expect(after[0].reply.title).toMatch(/Paper of the week .* New papers on your topics/);
    // Next week, with nothing new, the spotlight goes out on its own.
    h.bot.clock.set(week4 + 7 * DAY + HOUR);
    expect(await digestTick(services())).toHaveLength(0);
    expect(await spotlightTick(services())).toHaveLength(1);
  });

  it('pauses a channel that refuses posts, with its reason, and gives its papers back', async () => {
    const week6 = MON + 35 * DAY;
    h.fakes.publish('journal:mia', paper('p1', 'Knee MRI segmentation of cartilage', week6 - 30 * HOUR));
    h.bot.adapters.slack.brokenChannels.set('C1', new DeliveryError('channel_not_found', true));
    const posts = await run(week6 + HOUR);
    expect(posts).toHaveLength(0);
    const status = await h.bot.say('slack', 'C1', 'digest status');
    expect(status.intro[0]).toMatch(/paused.*channel_not_found/);
    h.bot.adapters.slack.brokenChannels.delete('C1');
    await h.bot.say('slack', 'C1', 'digest on');
    const preview = await h.bot.say('slack', 'C1', 'digest preview');
    expect(preview.papers.map((p) => p.title)).toContain('Knee MRI segmentation of cartilage');
  });

  it('answers a follow query that does not parse with the search\'s own message', async () => {
    const r = await h.bot.say('slack', 'C1', 'follow year:abc');
    expect(r.kind).toBe('error');
    const direct = await h.bot.say('slack', 'C1', 'year:abc');
    expect(r.intro[0]).toBe(direct.intro[0]);
  });
});
