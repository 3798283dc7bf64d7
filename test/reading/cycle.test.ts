import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { renderText } from '../../src/reply.js';
import { harness, pollData, readingState, text, voteButton, type Harness } from './harness.js';
import { testedEngines } from '../helpers/engines.js';

let h: Harness;
afterEach(() => h?.close());

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe.each(testedEngines())('on %s', (engine) => {
  describe('a reading-group cycle', () => {
    it('GIVEN a suggestion, votes from several people with toggles and a close THEN the most voted paper is announced, read and listed in the history', async () => {
      h = await harness({ engine });
      const opened = await h.say('suggest', 'alice');
      expect(opened.kind).toBe('poll-opened');
      expect(opened.visibility).toBe('ephemeral');
      const [{ ref, reply: poll }] = h.adapter.polls();
      expect(poll.visibility).toBe('channel');
      expect(poll.cards).toHaveLength(3);
      expect(pollData(poll).options.map((o) => o.votes)).toEqual([0, 0, 0]);
      expect(poll.actions.map((a) => a.command)).toEqual([`suggest close #${pollData(poll).pollId}`]);
      for (const card of poll.cards) expect(card.action!.command.length).toBeLessThanOrEqual(90);

      await h.click(ref, voteButton(poll, 1), 'bob');
      await h.click(ref, voteButton(poll, 2), 'carol');
      const typed = await h.say('vote 2', 'dave');
      expect(typed.kind).toBe('vote');
      expect(typed.visibility).toBe('ephemeral');
      await h.click(ref, voteButton(poll, 2), 'bob');
      // Carol changes her mind: a second click takes her vote back.
      const toggled = await h.click(ref, voteButton(poll, 2), 'carol');
      expect(toggled.data).toMatchObject({ vote: 'removed', n: 2 });

      const live = h.adapter.messages.get(ref.messageId)!;
      expect(pollData(live).options.map((o) => o.votes)).toEqual([1, 2, 0]);
      expect(live.cards[1].lines[0]).toBe('Votes: 2');

      const refused = await h.say('suggest close', 'erin');
      expect(refused.kind).toBe('error');
      expect(refused.data).toMatchObject({ code: 'not-allowed' });
      expect(pollData(h.adapter.messages.get(ref.messageId)).open).toBe(true);

      const closed = await h.say('suggest close', 'alice');
      const winnerId = pollData(poll).options[1].paperId;
      expect(closed.data).toMatchObject({ winner: winnerId, votes: 2 });
      const announcement = h.adapter.posts.find((p) => p.reply.kind === 'reading-next')!;
      const winner = h.paperbot.services.search.get(winnerId)!;
      expect(announcement.reply.visibility).toBe('channel');
      expect(renderText(announcement.reply)).toContain(winner.url);
      const final = h.adapter.messages.get(ref.messageId)!;
      expect(pollData(final)).toMatchObject({ open: false, winner: winnerId });
      expect(final.actions).toEqual([]);
      expect(final.cards.map((c) => c.action?.command)).toEqual(pollData(poll).options.map((o) => `show ${o.paperId}`));

      const next = await h.say('next', 'frank');
      expect(next.papers.map((p) => p.id)).toEqual([winnerId]);

      h.clock.advance(7 * DAY);
      const read = await h.say('read', 'alice');
      expect(read.data).toEqual({ paperId: winnerId, readOn: '2026-11-09' });
      expect((await h.say('next')).data).toMatchObject({ paperId: null });

      h.clock.advance(7 * DAY);
      await h.say('read u-net-2015', 'bob', { canManageChannel: true });
      const history = await h.say('history');
      expect(history.data).toMatchObject({
        total: 2,
        entries: [
          { paperId: 'u-net-2015', readOn: '2026-11-16' },
          { paperId: winnerId, readOn: '2026-11-09' },
        ],
      });

      await h.say('unread u-net-2015', 'u1', { canManageChannel: true });
      expect((await h.say('history')).data).toMatchObject({ total: 1, entries: [{ paperId: winnerId }] });
    });

    async function tiedPoll(): Promise<{ option1: string; option3: string; at: (minutes: number) => void }> {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const at = (minutes: number) => h.clock.set(Date.parse('2026-11-02T10:00:00Z') + minutes * MINUTE);
      at(1);
      await h.say('vote 3', 'bob');
      at(2);
      await h.say('vote 1', 'carol');
      at(3);
      await h.say('vote 1', 'dave');
      at(4);
      await h.say('vote 3', 'erin');
      const options = pollData(h.adapter.polls()[0].reply).options;
      return { option1: options[0].paperId, option3: options[2].paperId, at };
    }

    it('GIVEN a 2–2 tie THEN the paper whose earliest vote was received first wins', async () => {
      const { option3 } = await tiedPoll();
      const closed = await h.say('suggest close', 'alice');
      // Option 3's first vote (bob, minute 1) came before option 1's (carol, minute 2).
      expect(closed.data).toMatchObject({ winner: option3, votes: 2 });
      expect((await h.say('next')).data).toMatchObject({ paperId: option3 });
    });

    it('GIVEN a tie WHEN the poll closes THEN the reply, the poll and the announcement say it was a tie and which rule broke it', async () => {
      await tiedPoll();
      const closed = await h.say('suggest close', 'alice');
      expect(text(closed)).toMatch(/It was a tie: 2 papers had 2 votes each/);
      expect(text(closed)).toMatch(/earliest vote/);
      expect(closed.data).toMatchObject({ tie: true });
      expect(text(h.adapter.messages.get(h.adapter.polls()[0].ref.messageId)!)).toMatch(/tie/);
      expect(text(h.adapter.posts.find((p) => p.reply.kind === 'reading-next')!.reply)).toMatch(/tie/);
    });

    it('GIVEN a tie where the earliest vote was taken back and cast again THEN that vote no longer puts its paper first', async () => {
      const { option1, at } = await tiedPoll();
      at(5);
      await h.say('vote 3', 'bob');
      at(6);
      await h.say('vote 3', 'bob');
      const closed = await h.say('suggest close', 'alice');
      // Option 3's earliest standing vote is now erin's (minute 4), after carol's for option 1 (minute 2).
      expect(closed.data).toMatchObject({ winner: option1, votes: 2 });
      const final = h.adapter.messages.get(h.adapter.polls()[0].ref.messageId);
      expect(pollData(final).options.map((o) => o.votes)).toEqual([2, 0, 2]);
    });

    it('GIVEN a poll nobody voted in WHEN it is closed THEN it closes with no winner and nothing is announced', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const closed = await h.say('suggest close', 'alice');
      expect(closed.data).toMatchObject({ winner: null, votes: 0 });
      expect(text(closed)).toContain('no votes');
      expect(h.adapter.posts.map((p) => p.reply.kind)).toEqual(['poll']);
      expect(pollData(h.adapter.messages.get(h.adapter.polls()[0].ref.messageId))).toMatchObject({ open: false, winner: null });
      expect((await h.say('next')).data).toMatchObject({ paperId: null });
    });

    it('GIVEN an open poll with votes WHEN someone suggests again THEN the old poll is closed with its winner announced, and the reply says so', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('vote 2', 'bob');
      const first = h.adapter.polls()[0];
      const again = await h.say('suggest 4 --replace', 'alice');
      expect(again.kind).toBe('poll-opened');
      expect(again.data).toMatchObject({ closedPollId: pollData(first.reply).pollId });
      expect(text(again)).toMatch(/Poll #1 was still open and is now closed\. Next paper: .+ \(1 vote\)/);
      expect(h.adapter.posts.map((p) => p.reply.kind)).toEqual(['poll', 'reading-next', 'poll']);
      expect(pollData(h.adapter.messages.get(first.ref.messageId))).toMatchObject({ open: false, winner: pollData(first.reply).options[1].paperId });
      const second = pollData(h.adapter.polls()[1].reply);
      expect(second.options).toHaveLength(4);
      expect(second.options.map((o) => o.paperId)).not.toContain(pollData(first.reply).options[1].paperId);
    });

    it('GIVEN the opener is not the clicker WHEN a channel manager closes the poll THEN it closes', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('vote 1', 'bob');
      const closed = await h.say('suggest close', 'moderator', { canManageChannel: true });
      expect(closed.kind).toBe('poll-closed');
    });

    it('GIVEN the Close button THEN only the opener closes the poll, and the message itself becomes the closed poll', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const { ref, reply } = h.adapter.polls()[0];
      await h.click(ref, voteButton(reply, 3), 'bob');
      const close = reply.actions[0];
      const refused = await h.click(ref, close, 'bob');
      expect(refused).toMatchObject({ kind: 'error', visibility: 'ephemeral', data: { code: 'not-allowed' } });
      expect(pollData(h.adapter.messages.get(ref.messageId)).open).toBe(true);
      const done = await h.click(ref, close, 'alice');
      expect(pollData(done)).toMatchObject({ open: false, winner: pollData(reply).options[2].paperId });
      expect(pollData(h.adapter.messages.get(ref.messageId)).open).toBe(false);
      expect(h.adapter.posts.map((p) => p.reply.kind)).toEqual(['poll', 'reading-next']);
      // A late click on the closed poll changes nothing and shows the poll as it ended.
      const before = await readingState(h);
      const late = await h.click(ref, voteButton(reply, 1), 'carol');
      expect(late.data).toMatchObject({ code: 'poll-closed', open: false });
      expect(text(late)).toContain('closed');
      expect(await readingState(h)).toEqual(before);
    });

    it('GIVEN the poll message cannot be updated THEN the vote still counts and the failure is only logged', async () => {
      const logged: string[] = [];
      h = await harness({ engine, log: createLogger('warn', [], (line) => logged.push(line)) });
      await h.say('suggest', 'alice');
      h.adapter.failUpdates = true;
      const voted = await h.say('vote 1', 'bob');
      expect(voted.kind).toBe('vote');
      expect(voted.data).toMatchObject({ votes: 1 });
      expect(h.adapter.updates).toHaveLength(0);
      expect(logged.join('\n')).toMatch(/WARN reading group: could not update the message of poll #1\n.*DeliveryError: paperbot: message_not_found/);
      // Once the platform answers again, the next vote brings the message up to date with both.
      h.adapter.failUpdates = false;
      await h.say('vote 1', 'carol');
      expect(pollData(h.adapter.updates.at(-1)!.reply).options[0].votes).toBe(2);
    });

    it('GIVEN the poll cannot be posted THEN the poll is still opened and shown as the reply itself', async () => {
      h = await harness({ engine });
      h.adapter.failPosts = true;
      const opened = await h.say('suggest', 'alice');
      expect(opened.kind).toBe('poll');
      expect(opened.visibility).toBe('channel');
      expect((await h.say('vote 1', 'bob')).data).toMatchObject({ votes: 1 });
    });
  });

  describe('polls and clicks', () => {
    it('GIVEN a newer poll WHEN someone clicks a vote button on the older, closed one THEN nothing is counted in either', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const old = h.adapter.polls()[0];
      await h.say('suggest --replace', 'alice');
      const before = await readingState(h);
      const late = await h.click(old.ref, voteButton(old.reply, 1), 'bob');
      expect(late.data).toMatchObject({ code: 'poll-closed', pollId: pollData(old.reply).pollId, open: false });
      expect(await readingState(h)).toEqual(before);
      expect(pollData(h.adapter.messages.get(h.adapter.polls()[1].ref.messageId)).options.map((o) => o.votes)).toEqual([0, 0, 0]);
    });

    it('GIVEN a Chinese poll WHEN someone who may not close it clicks Close THEN the refusal is in Chinese', async () => {
      h = await harness({ engine });
      await h.say('推荐', 'alice');
      const { ref, reply } = h.adapter.polls()[0];
      const refused = await h.click(ref, reply.actions[0], 'bob');
      expect(refused.intro[0]).toBe('只有发起投票 #1 的 alice 或频道管理员可以结束它。');
    });

    it('GIVEN the lab is in Shanghai WHEN a paper is marked read late in the UTC evening THEN it is dated the next day, as the lab sees it', async () => {
      h = await harness({ engine, env: { SPOTLIGHT_TIMEZONE: 'Asia/Shanghai' } });
      h.clock.set('2026-11-02T20:30:00Z');
      expect((await h.say('read v-net-2016', 'u1', { canManageChannel: true })).data).toEqual({ paperId: 'v-net-2016', readOn: '2026-11-03' });
    });
  });

  describe('restarts', () => {
    it('GIVEN a poll posted before a restart THEN it still takes typed and clicked votes after it, updates its message and closes', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('vote 1', 'bob');
      const { ref, reply } = h.adapter.polls()[0];
      const before = h.adapter;

      h = await h.restart();
      expect(h.adapter).not.toBe(before);
      await h.say('vote 1', 'carol');
      const update = h.adapter.updates.at(-1)!;
      expect(update.ref).toEqual(ref);
      expect(pollData(update.reply).options[0].votes).toBe(2);

      h = await h.restart();
      // The button on the message posted before both restarts still works.
      const clicked = await h.click(ref, voteButton(reply, 1), 'dave');
      expect(pollData(clicked).options[0].votes).toBe(3);
      const closed = await h.say('suggest close', 'alice');
      expect(closed.data).toMatchObject({ winner: pollData(reply).options[0].paperId, votes: 3 });
      expect(h.adapter.updates.at(-1)!.ref).toEqual(ref);
      expect(pollData(h.adapter.updates.at(-1)!.reply).open).toBe(false);
    });
  });
});
