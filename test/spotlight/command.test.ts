import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { renderText } from '../../src/reply.js';
import { tick } from '../../src/capabilities/spotlight/index.js';
import { getSubscription, postsOf } from '../../src/capabilities/spotlight/store.js';
import { localWeekdayTime, spotlightBot, syntheticPapers, tempDbPath, type SpotlightBot, channelRef } from './harness.js';

const HOUR = 3_600_000;
const opened: SpotlightBot[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const b of opened.splice(0)) b.close();
  for (const c of cleanups.splice(0)) c();
});

async function bot(env: Record<string, string> = {}, at = '2026-11-27T12:00:00Z') {
  const tmp = tempDbPath();
  cleanups.push(tmp.cleanup);
  const b = await spotlightBot({ dbPath: tmp.dbPath, papers: syntheticPapers(6), clock: new ManualClock(at), env });
  opened.push(b);
  return b;
}

describe('spotlight on: reading the day, time, zone and language', () => {
  it('defaults to Monday 09:00 in SPOTLIGHT_TIMEZONE, in the language the command was typed in', async () => {
    const b = await bot({ SPOTLIGHT_TIMEZONE: 'Europe/Berlin' });
    const r = await b.say('slack', 'C1', 'spotlight on');
    expect(r.data).toMatchObject({ schedule: '0 9 * * 1', timezone: 'Europe/Berlin', lang: 'en', nextSlot: '2026-11-30T08:00:00.000Z' });
    expect(r.visibility).toBe('channel');
    expect(renderText(r)).toContain('Every Monday at 09:00 (Europe/Berlin)');
  });

  const cases: [string, string, string][] = [
    ['spotlight on mon 09:00 UTC', '0 9 * * 1', 'UTC'],
    ['spotlight on Friday 16:30 Europe/Berlin', '30 16 * * 5', 'Europe/Berlin'],
    ['spotlight on tuesdays 4:30pm America/New_York', '30 16 * * 2', 'America/New_York'],
    ['spotlight on sun 9am', '0 9 * * 0', 'UTC'],
    ['spotlight on 周一 9:00 Asia/Shanghai', '0 9 * * 1', 'Asia/Shanghai'],
    ['spotlight on 星期三 下午3点', '0 15 * * 3', 'UTC'],
    ['spotlight on 礼拜五 9点半', '30 9 * * 5', 'UTC'],
    ['spotlight 开启周日9:00', '0 9 * * 0', 'UTC'],
    ['spotlight on "30 8 * * 1-5" Asia/Tokyo', '30 8 * * 1-5', 'Asia/Tokyo'],
    ['spotlight on 0 10 * * wed Europe/London', '0 10 * * wed', 'Europe/London'],
    ['spotlight on 10:15', '15 10 * * 1', 'UTC'],
  ];
  for (const [text, schedule, timezone] of cases) {
    it(`reads "${text}" as ${schedule} in ${timezone}`, async () => {
      const b = await bot();
      const r = await b.say('slack', 'C1', text);
      expect(r.kind, renderText(r)).toBe('spotlight-on');
      expect(r.data).toMatchObject({ schedule, timezone });
    });
  }

  it('answers Chinese with Chinese, and stores the language for the posts; lang: overrides it', async () => {
    const b = await bot();
    const zh = await b.say('slack', 'C1', 'spotlight on 周五 16:30 Asia/Shanghai');
    expect(zh.lang).toBe('zh');
    expect(renderText(zh)).toContain('每周五 16:30（Asia/Shanghai）');
    expect((await getSubscription(b.paperbot.services.sql, channelRef('slack', 'C1')))?.lang).toBe('zh');
    await b.say('slack', 'C2', 'spotlight on friday 16:30 lang:zh');
    expect((await getSubscription(b.paperbot.services.sql, channelRef('slack', 'C2')))?.lang).toBe('zh');
    b.clock.set('2026-11-27T16:30:00Z');
    await tick(b.paperbot.services);
    const post = b.adapters.slack.in('C2')[0].reply;
    expect(post.lang).toBe('zh');
    expect(renderText(post)).toContain('推荐理由');
  });

  it('spells zones as the IANA list does', async () => {
    const b = await bot();
    expect((await b.say('slack', 'C1', 'spotlight on monday 09:00 europe/berlin')).data?.timezone).toBe('Europe/Berlin');
  });

  it('a bare "spotlight on" resumes with the channel\'s schedule, zone and language', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on 周三 08:15 Asia/Shanghai');
    await b.say('slack', 'C1', 'spotlight off');
    const r = await b.say('slack', 'C1', 'spotlight on');
    expect(r.data).toMatchObject({ schedule: '15 8 * * 3', timezone: 'Asia/Shanghai', lang: 'zh', state: 'on' });
  });

  it('changing only the time keeps the day and the zone', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on thursday 08:00 Asia/Kolkata');
    const r = await b.say('slack', 'C1', 'spotlight on 10:30');
    expect(r.data).toMatchObject({ schedule: '30 10 * * 4', timezone: 'Asia/Kolkata' });
  });

  const errors: [string, string, RegExp][] = [
    ['spotlight on funday 09:00', 'bad-spotlight-word', /"funday" is not a day, a time or a time zone/],
    ['spotlight on monday 25:00', 'bad-time', /"25:00" is not a time of day/],
    ['spotlight on monday 09:60', 'bad-time', /"09:60"/],
    ['spotlight on monday 09:00 Europe/Berln', 'bad-zone', /"Europe\/Berln" is not an IANA time zone/],
    ['spotlight on "61 9 * * 1"', 'bad-cron', /not a usable cron schedule/],
    ['spotlight on 0 9 * *', 'bad-cron', /4 fields/],
    ['spotlight on monday lang:fr', 'bad-lang', /"fr"/],
    ['spotlight maybe', 'unknown-spotlight-command', /"maybe" is not a spotlight command/],
  ];
  for (const [text, code, message] of errors) {
    it(`GIVEN "${text}" THEN it answers with ${code} and changes nothing`, async () => {
      const b = await bot();
      const r = await b.say('slack', 'C1', text);
      expect(r.kind).toBe('error');
      expect(r.data?.code).toBe(code);
      expect(r.intro[0]).toMatch(message);
      expect((await getSubscription(b.paperbot.services.sql, channelRef('slack', 'C1')))).toBeNull();
    });
  }

  it('GIVEN a mistake in `digest on` THEN the examples name the digest, and a spotlight mistake the spotlight', async () => {
    const b = await bot();
    const word = await b.say('slack', 'C1', 'digest on funday 09:00');
    expect(word.data?.code).toBe('bad-spotlight-word');
    expect(word.intro[0]).toContain('`digest on monday 09:00 Europe/Berlin`');
    const dense = await b.say('slack', 'C1', 'digest on "0 * * * 1"');
    expect(dense.data?.code).toBe('schedule-too-dense');
    expect(dense.intro[0]).toContain('a digest posts at most once a day');
    expect(`${word.intro.join(' ')} ${dense.intro.join(' ')}`).not.toContain('spotlight');
    expect((await b.say('slack', 'C1', 'spotlight on funday')).intro[0]).toContain('`spotlight on monday 09:00 Europe/Berlin`');
  });

  it('GIVEN bad Chinese input THEN the refusal is in Chinese', async () => {
    const b = await bot();
    const r = await b.say('slack', 'C1', 'spotlight on 周一 25:00');
    expect(r.data?.code).toBe('bad-time');
    expect(r.intro[0]).toContain('不是有效的时间');
  });
});

describe('who may change the spotlight', () => {
  it('GIVEN someone who may not manage the channel THEN on, off and now are refused and nothing changes, while status and preview work', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on monday 09:00');
    for (const text of ['spotlight on friday 10:00', 'spotlight off', 'spotlight now']) {
      const r = await b.say('slack', 'C1', text, { canManageChannel: false });
      expect(r.data?.code, text).toBe('not-allowed');
      expect(r.intro[0]).toContain('Only people who may manage this channel');
    }
    const sub = (await getSubscription(b.paperbot.services.sql, channelRef('slack', 'C1')))!;
    expect(sub).toMatchObject({ schedule: '0 9 * * 1', enabled: true });
    expect(b.adapters.slack.posts).toHaveLength(0);
    expect((await b.say('slack', 'C1', 'spotlight status', { canManageChannel: false })).kind).toBe('spotlight-status');
    expect((await b.say('slack', 'C1', 'spotlight preview', { canManageChannel: false })).kind).toBe('spotlight');
    const zh = await b.say('slack', 'C1', 'spotlight 关闭', { canManageChannel: false });
    expect(zh.intro[0]).toContain('只有可以管理本频道的人');
  });
});

describe('status, preview, now and off', () => {
  it('status gives the next post in the channel zone and the papers left in the round', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on sunday 02:30 America/New_York');
    const r = await b.say('slack', 'C1', 'spotlight status');
    expect(r.visibility).toBe('ephemeral');
    expect(r.data).toMatchObject({ nextSlotLocal: '2026-11-29 02:30', nextSlot: '2026-11-29T07:30:00.000Z', remaining: 6, round: 1 });
    expect(renderText(r)).toContain('Next post: 2026-11-29 02:30 (America/New_York)');
    expect(renderText(r)).toContain('6 of 6 papers left');
    const zh = await b.say('slack', 'C1', 'spotlight 状态');
    expect(renderText(zh)).toContain('下一次推荐：2026-11-29 02:30（America/New_York）');
  });

  it('status and preview in a channel without a spotlight say how to start one', async () => {
    const b = await bot();
    for (const text of ['spotlight status', 'spotlight preview', 'spotlight']) {
      const r = await b.say('slack', 'C9', text);
      expect(r.data?.code).toBe('spotlight-off');
    }
  });

  it('the post carries the paper, its link, a why-read-it line, authors and related papers', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on monday 09:00');
    const preview = await b.say('slack', 'C1', 'spotlight preview');
    const paper = preview.papers[0];
    b.clock.set('2026-11-30T09:00:00Z');
    await tick(b.paperbot.services);
    const post = b.adapters.slack.in('C1')[0].reply;
    expect(post).toMatchObject({ kind: 'spotlight', visibility: 'channel', lang: 'en' });
    expect(post.cards[0]).toMatchObject({ title: paper.title, url: paper.url });
    expect(post.intro[0]).toMatch(/^Why read it: /);
    expect(post.intro[0]).toContain(paper.techniques[0]);
    expect(post.intro[0]).toContain(paper.tasks[0].en.toLowerCase());
    expect(post.intro[0]).toContain(String(paper.year));
    const related = b.paperbot.services.search.related(paper, 3);
    expect(post.papers.slice(1).map((p) => p.id)).toEqual(related.map((p) => p.id));
    expect(related.length).toBeGreaterThanOrEqual(1);
    const text = renderText(post);
    for (const r of related) expect(text).toContain(r.title);
    if (paper.authors.length) expect(text).toContain(paper.authors[0]);
  });

  it('GIVEN "now" before this week\'s slot THEN it posts at once and the scheduled post of the week does not follow', async () => {
    // Wednesday 2 December; the channel's slot is Friday 4 December 16:00 UTC.
    const b = await bot({}, '2026-12-02T10:00:00Z');
    await b.say('slack', 'C1', 'spotlight on friday 16:00');
    const r = await b.say('slack', 'C1', 'spotlight now');
    expect(r.data?.result).toBe('posted');
    expect(renderText(r)).toContain("counts as this week's spotlight");
    expect(renderText(r)).toContain('Next scheduled post: 2026-12-11 16:00');
    expect(b.adapters.slack.in('C1')).toHaveLength(1);
    b.clock.set('2026-12-04T16:00:30Z');
    expect(await tick(b.paperbot.services)).toEqual([]);
    b.clock.set('2026-12-11T16:00:30Z');
    expect(await tick(b.paperbot.services)).toHaveLength(1);
    expect(b.adapters.slack.in('C1')).toHaveLength(2);
  });

  it('GIVEN "now" after this week\'s post THEN it posts an extra one and says so; next week is unaffected', async () => {
    const b = await bot({}, '2026-11-29T12:00:00Z');
    await b.say('slack', 'C1', 'spotlight on monday 09:00');
    b.clock.set('2026-11-30T09:00:10Z');
    expect(await tick(b.paperbot.services)).toHaveLength(1);
    b.clock.set('2026-12-02T09:00:00Z');
    const r = await b.say('slack', 'C1', 'spotlight now');
    expect(renderText(r)).toContain('extra');
    b.clock.set('2026-12-07T09:00:10Z');
    expect(await tick(b.paperbot.services)).toHaveLength(1);
    const ids = b.adapters.slack.in('C1').map((d) => d.reply.papers[0].id);
    expect(new Set(ids).size).toBe(3);
    const slots = (await postsOf(b.paperbot.services.sql, channelRef('slack', 'C1'))).map((p) => localWeekdayTime(p.slot, 'UTC').date);
    expect(slots).toEqual(['2026-11-30', '2026-12-02', '2026-12-07']);
  });

  it('GIVEN "now" when the platform refuses for good THEN the asker is told the spotlight is paused', async () => {
    const b = await bot();
    await b.say('discord', 'D1', 'spotlight on');
    const { DeliveryError } = await import('../../src/errors.js');
    b.adapters.discord.brokenChannels.set('D1', new DeliveryError('Missing Access', true));
    const r = await b.say('discord', 'D1', 'spotlight now');
    expect(r.data?.result).toBe('paused');
    expect((await b.say('discord', 'D1', 'spotlight now')).data?.code).toBe('spotlight-paused');
  });

  it('GIVEN "now" when the platform fails for a moment THEN the asker is told it will be retried, and the retry posts it once', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on');
    const { DeliveryError } = await import('../../src/errors.js');
    b.adapters.slack.failures.push(new DeliveryError('ratelimited', false));
    const r = await b.say('slack', 'C1', 'spotlight now');
    expect(r.data?.result).toBe('retry');
    expect(renderText(r)).toContain('will retry on its own');
    b.clock.set(Date.parse('2026-11-27T12:00:00Z') + 5 * 60_000);
    expect(await tick(b.paperbot.services)).toHaveLength(1);
    expect(await tick(b.paperbot.services)).toEqual([]);
    expect(b.adapters.slack.posts).toHaveLength(1);
  });

  it('off stops the posts and says how to resume; a second off says it was not on', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on monday 09:00');
    const off = await b.say('slack', 'C1', 'spotlight off');
    expect(off.visibility).toBe('channel');
    expect(renderText(off)).toContain('/paper spotlight on');
    expect(renderText(await b.say('slack', 'C1', 'spotlight off'))).toContain('was not on');
    b.clock.set('2026-11-30T09:00:00Z');
    expect(await tick(b.paperbot.services)).toEqual([]);
    expect(renderText(await b.say('slack', 'C1', 'spotlight status'))).toContain('is off');
  });

  it('is listed by help', async () => {
    const b = await bot();
    expect(renderText(await b.say('slack', 'C1', 'help'))).toContain('/paper spotlight');
  });
});

it('keeps channels of different platforms with the same id apart', async () => {
  const b = await bot();
  await b.say('slack', 'X', 'spotlight on monday 09:00');
  await b.say('discord', 'X', 'spotlight on monday 10:00');
  b.clock.set(Date.parse('2026-11-30T09:00:00Z') + HOUR + 1);
  const posts = await tick(b.paperbot.services);
  expect(posts.map((p) => p.platform).sort()).toEqual(['discord', 'slack']);
});
