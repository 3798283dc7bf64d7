import { afterEach, describe, expect, it } from 'vitest';
import { hasHan } from '../../src/i18n/index.js';
import { harness, pollData, readingState, text, type Harness } from './harness.js';
import { testedEngines } from '../helpers/engines.js';

let h: Harness;
afterEach(() => h?.close());

/** Runs a command that must be refused and checks that nothing was stored, posted or updated. */
async function refused(command: string, user = 'u1') {
  const state = await readingState(h);
  const posts = h.adapter.posts.length;
  const updates = h.adapter.updates.length;
  const reply = await h.say(command, user);
  expect(await readingState(h)).toEqual(state);
  expect(h.adapter.posts.length).toBe(posts);
  expect(h.adapter.updates.length).toBe(updates);
  expect(reply.visibility).toBe('ephemeral');
  return reply;
}

describe.each(testedEngines())('on %s', (engine) => {
  describe('bad input gets a clear reply and changes nothing', () => {
    it('GIVEN no poll THEN voting says there is no open poll and how to start one', async () => {
      h = await harness({ engine });
      const reply = await refused('vote 1');
      expect(reply.data).toMatchObject({ code: 'no-open-poll' });
      expect(text(reply)).toContain('/paper suggest');
    });

    it.each([
      ['vote 9', 'no-such-option', 'has 3 papers: vote with a number from 1 to 3'],
      ['vote 0', 'no-such-option', 'from 1 to 3'],
      ['vote abc', 'bad-option', '"abc" is not a paper number'],
      ['vote', 'missing-option', '/paper vote <n>'],
      ['vote 1 #99', 'unknown-poll', 'no poll #99'],
      ['suggest 0', 'bad-count', 'must be 1 to 5; got "0"'],
      ['suggest 50', 'bad-count', 'must be 1 to 5; got "50"'],
      ['suggest lung 6', 'bad-count', 'got "6"'],
      ['suggest 2.5', 'bad-count', 'got "2.5"'],
      ['suggest 2016', 'bad-count', 'year:2016'],
      ['suggest close #99', 'unknown-poll', 'no poll #99'],
      ['suggest close now', 'bad-poll-id', 'not a poll number'],
      ['read no-such-paper-1999', 'unknown-id', 'No paper has the id "no-such-paper-1999"'],
      ['read', 'nothing-chosen', '/paper read <id>'],
      ['unread deeplung-2018', 'not-read', 'not in the group'],
      ['unread', 'missing-id', '/paper unread <id>'],
    ])('GIVEN an open three-paper poll WHEN "%s" THEN the reply says %s', async (command, code, message) => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('vote 1', 'bob');
      const reply = await refused(command);
      expect(reply.kind).toBe('error');
      expect(reply.data).toMatchObject({ code });
      expect(text(reply)).toContain(message);
      expect(pollData(h.adapter.messages.get(h.adapter.polls()[0].ref.messageId))).toMatchObject({ open: true });
    });

    it('GIVEN a topic that matches nothing THEN it says so, offers the whole catalog only on request, and leaves the open poll alone', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const reply = await refused('suggest abc');
      expect(reply.kind).toBe('no-match');
      expect(text(reply)).toContain('No paper matches "abc", so no poll was opened.');
      expect(text(reply)).toContain('/paper suggest any');
      const any = await h.say('suggest any 2 --replace', 'alice');
      expect(any.kind).toBe('poll-opened');
      expect(pollData(h.adapter.polls()[1].reply).options).toHaveLength(2);
    });

    it('GIVEN an open poll WHEN someone other than its opener suggests again THEN the poll is not replaced', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('vote 1', 'bob');
      const reply = await refused('suggest 4', 'bob');
      expect(reply.data).toMatchObject({ code: 'not-allowed' });
      expect(text(reply)).toContain('Poll #1 is still open');
    });

    it('GIVEN a closed poll WHEN someone types a vote for it THEN the reply says it is closed', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('suggest close', 'alice');
      expect((await refused('vote 1 #1')).data).toMatchObject({ code: 'poll-closed' });
      expect((await refused('vote 1')).data).toMatchObject({ code: 'no-open-poll' });
      expect((await refused('suggest close', 'alice')).data).toMatchObject({ code: 'no-open-poll' });
    });

    it('GIVEN a poll in another channel THEN its number cannot be used to vote here', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice', { channel: 'other-lab' });
      expect((await refused('vote 1 #1')).data).toMatchObject({ code: 'unknown-poll' });
    });

    it('GIVEN a topic whose every paper was read THEN it says so and the open poll stays open', async () => {
      h = await harness({ engine });
      await h.say('read v-net-2016', 'u1', { canManageChannel: true });
      await h.say('suggest', 'alice');
      const reply = await refused('suggest prostate', 'alice');
      expect(reply.data).toMatchObject({ code: 'nothing-left' });
      expect(text(reply)).toContain('already read every paper matching "prostate"');
    });

    it('GIVEN a paper already read WHEN it is marked read again THEN the first date is kept and the reply says so', async () => {
      h = await harness({ engine });
      await h.say('read v-net-2016', 'u1', { canManageChannel: true });
      h.clock.advance(3 * 24 * 3600_000);
      const reply = await refused('read v-net-2016');
      expect(reply.data).toMatchObject({ code: 'already-read', readOn: '2026-11-02' });
    });
  });

  describe('Chinese', () => {
    it('GIVEN Chinese commands THEN poll, votes, errors, next, read and history answer in Chinese', async () => {
      h = await harness({ engine });
      const opened = await h.say('推荐 肺 2', 'alice');
      expect(opened.lang).toBe('zh');
      expect(text(opened)).toMatch(/投票 #1 已发到本频道，共 2 篇论文/);
      const poll = h.adapter.polls()[0].reply;
      expect(poll.title).toBe('读书会投票 #1：下一篇读什么？');
      for (const option of pollData(poll).options) expect(h.paperbot.services.search.get(option.paperId)!.regions[0].zh).toBe('肺');

      const voted = await h.say('投票 1', 'bob');
      expect(text(voted)).toMatch(/已为 1\. .+ 投票，现有 1 票。/);
      const wrong = await h.say('投票 9', 'bob');
      expect(wrong.kind).toBe('error');
      expect(text(wrong)).toContain('投票 #1 共有 2 篇论文');
      const count = await h.say('推荐 肺 9', 'bob');
      expect(text(count)).toContain('推荐篇数须为 1 到 5');

      // An English vote on a Chinese poll: the voter is answered in English, the poll stays Chinese.
      await h.say('vote 1', 'carol');
      expect(h.adapter.updates.at(-1)!.reply.title).toBe('读书会投票 #1：下一篇读什么？');

      const closed = await h.say('推荐 结束', 'alice');
      expect(text(closed)).toMatch(/投票 #1 已结束。下一篇：.+（2 票）/);
      expect(hasHan(text(h.adapter.posts.find((p) => p.reply.kind === 'reading-next')!.reply))).toBe(true);
      expect((await h.say('下一篇')).title).toBe('读书会下一篇');
      expect(text(await h.say('已读', 'alice'))).toContain('已标记为 2026-11-02 读过');
      expect((await h.say('历史')).title).toBe('已读记录：共 1 篇');
    });
  });
});
