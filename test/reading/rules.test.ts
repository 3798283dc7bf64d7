import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { harness, pollData, readingState, text, type Harness } from './harness.js';
import { testedEngines } from '../helpers/engines.js';

let h: Harness;
afterEach(() => h?.close());

const manager = { canManageChannel: true };

describe.each(testedEngines())('on %s', (engine) => {
  describe('who may change the reading history', () => {
    const withLog = async () => {
      const lines: string[] = [];
      h = await harness({ engine, log: createLogger('debug', [], (l) => lines.push(l)) });
      return lines;
    };

    it('GIVEN a member who is not a manager THEN read <id> and unread <id> are refused and nothing changes', async () => {
      await withLog();
      await h.say('read v-net-2016', 'boss', manager);
      const before = await readingState(h);
      for (const command of ['unread v-net-2016', 'read u-net-2015']) {
        const r = await h.say(command, 'mallory');
        expect(r.kind, command).toBe('error');
        expect(r.data, command).toMatchObject({ code: 'not-allowed' });
        expect(text(r)).toMatch(/manage this channel/);
      }
      expect(await readingState(h)).toEqual(before);
    });

    it('GIVEN the member who opened the poll THEN they may mark its winner read, but not another paper', async () => {
      const lines = await withLog();
      await h.say('suggest', 'alice');
      await h.say('vote 1', 'bob');
      await h.say('suggest close', 'alice');
      const winner = (await h.say('next', 'alice')).data as { paperId: string };
      expect((await h.say('read u-net-2015', 'alice')).data).toMatchObject({ code: 'not-allowed' });
      const read = await h.say('read', 'alice');
      expect(read.kind).toBe('reading-read');
      expect(read.data).toMatchObject({ paperId: winner.paperId });
      expect(lines.join('\n')).toMatch(new RegExp(`${winner.paperId}.*marked read by alice`));
    });

    it('GIVEN a manager THEN read and unread work and each change is logged with who did it', async () => {
      const lines = await withLog();
      expect((await h.say('read v-net-2016', 'boss', manager)).kind).toBe('reading-read');
      expect((await h.say('unread v-net-2016', 'boss', manager)).kind).toBe('reading-unread');
      const log = lines.join('\n');
      expect(log).toMatch(/v-net-2016 marked read by boss/);
      expect(log).toMatch(/v-net-2016 taken out of the reading history by boss/);
    });
  });

  describe('approval voting, said plainly', () => {
    it('GIVEN an open poll THEN it says a person may vote for several papers, once each', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const poll = h.adapter.polls()[0].reply;
      expect(text(poll)).toMatch(/approval voting/i);
      expect(text(poll)).toMatch(/as many papers as you like/);
    });

    it('GIVEN help THEN the vote command explains approval voting', async () => {
      h = await harness({ engine });
      const help = await h.say('help');
      expect(JSON.stringify(help)).toMatch(/approval voting/i);
    });

    it('GIVEN a clear winner THEN nothing speaks of a tie', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('vote 1', 'bob');
      await h.say('vote 1', 'carol');
      await h.say('vote 2', 'dave');
      const closed = await h.say('suggest close', 'alice');
      expect(text(closed)).not.toMatch(/tie/i);
      expect(closed.data).toMatchObject({ tie: false });
    });
  });

  describe('suggest while a poll is open', () => {
    it('GIVEN an open poll WHEN its opener suggests again THEN nothing closes; the reply asks to confirm with --replace or a button', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      await h.say('vote 2', 'bob');
      const before = await readingState(h);
      const asked = await h.say('suggest', 'alice');
      expect(asked.kind).toBe('confirm-replace');
      expect(text(asked)).toMatch(/--replace/);
      expect(asked.actions.map((a) => a.command)).toContain('suggest --replace');
      expect(await readingState(h)).toEqual(before);
      expect(pollData(h.adapter.messages.get(h.adapter.polls()[0].ref.messageId)).open).toBe(true);

      const replaced = await h.say('suggest --replace', 'alice');
      expect(replaced.kind).toBe('poll-opened');
      expect(replaced.data).toMatchObject({ closedPollId: pollData(h.adapter.polls()[0].reply).pollId });
    });

    it('GIVEN a topic THEN the confirmation button keeps it', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const asked = await h.say('suggest segmentation 4', 'alice');
      expect(asked.actions.map((a) => a.command)).toContain('suggest --replace segmentation 4');
    });
  });
});
