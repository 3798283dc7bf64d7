import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asksToShare, createBot } from '../../src/bot.js';
import type { Command } from '../../src/services.js';
import { UserError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { renderText } from '../../src/reply.js';
import { MAX_INPUT_LENGTH } from '../../src/text.js';
import { consoleBot, type ConsoleBot } from '../helpers/console-bot.js';
import { FakeSources } from '../fakes/sources.js';

let bot: ConsoleBot;
// `add` examples resolve papers: against the fake sources, never the real ones.
const sources = new FakeSources();
beforeAll(async () => {
  await sources.start();
  bot = await consoleBot({ env: sources.env() });
});
afterAll(async () => {
  bot.close();
  await sources.stop();
});

describe('the command layer', () => {
  it('GIVEN an empty or punctuation-only query THEN it explains how to search instead of failing', async () => {
    for (const text of ['', '   ', '/paper', '/paper   ', '\u200b\u200f']) {
      const reply = await bot.say(text);
      expect(reply.kind).toBe('error');
      expect(reply.visibility).toBe('ephemeral');
      expect(renderText(reply)).toMatch(/\/paper gan mri/);
    }
  });

  it('GIVEN "help" or "帮助" THEN usage comes back in the language the user wrote', async () => {
    const en = await bot.say('help');
    const zh = await bot.say('帮助');
    expect(en.kind).toBe('help');
    expect(renderText(en)).toMatch(/\/paper show/);
    expect(zh.lang).toBe('zh');
    expect(renderText(zh)).toMatch(/用法/);
  });

  it('GIVEN help THEN it lists every command, and every example it shows runs without failing or naming a paper that does not exist', async () => {
    const help = await bot.say('help');
    const text = renderText(help);
    for (const command of bot.paperbot.bot.commands) {
      if (command.name !== 'search') expect(text).toContain(`/paper ${command.name}`);
    }
    const examples = help.cards.flatMap((card) => card.lines.filter((line) => line.startsWith('/paper ')));
    expect(examples.length).toBeGreaterThanOrEqual(bot.paperbot.bot.commands.length);
    // Run in the order shown, in a channel of their own: some (vote, read) only succeed after others
    // (suggest), so a state error such as "no poll is open" is fine; an internal failure or an unknown id is not.
    for (const example of examples) {
      const reply = await bot.say(example, { channel: 'help-examples' });
      expect(reply.data?.code, example).not.toBe('internal');
      expect(reply.data?.code, example).not.toBe('unknown-id');
    }
  });

  it('GIVEN an unknown id THEN show says so and offers ids that exist', async () => {
    const reply = await bot.say('show no-such-paper-1999');
    expect(reply.kind).toBe('error');
    expect(renderText(reply)).toMatch(/No paper has the id "no-such-paper-1999"/);
  });

  it('GIVEN a known id THEN show returns that one paper in full with both languages', async () => {
    const paper = bot.paperbot.services.papers.find((p) => p.tasks.length > 0)!;
    const reply = await bot.say(`show ${paper.id}`);
    expect(reply.kind).toBe('paper');
    expect(reply.papers.map((p) => p.id)).toEqual([paper.id]);
    const text = renderText(reply);
    expect(text).toContain(paper.title);
    expect(text).toContain(`${paper.tasks[0].en} / ${paper.tasks[0].zh}`);
  });

  it('GIVEN "share" before a command THEN the same reply is made visible to the channel', async () => {
    const paper = bot.paperbot.services.papers[0];
    const privately = await bot.say(`show ${paper.id}`);
    const shared = await bot.say(`share show ${paper.id}`);
    expect(privately.visibility).toBe('ephemeral');
    expect(shared.visibility).toBe('channel');
    expect(shared.papers).toEqual(privately.papers);
  });

  it('GIVEN text typed before the answer exists THEN asksToShare reads "share" exactly as the dispatcher does', async () => {
    const id = bot.paperbot.services.papers[0].id;
    for (const text of ['share help', `/paper SHARE show ${id}`, '分享 帮助', '\u200bshare  help', 'ｓｈａｒｅ help']) {
      expect(asksToShare(text), text).toBe(true);
      expect((await bot.say(text)).visibility, text).toBe('channel');
    }
    for (const text of ['gan share', 'sharing', 'show share', '', '/paper']) expect(asksToShare(text), text).toBe(false);
  });

  it('GIVEN "share" before a search that matches nothing or a command that fails THEN the reply stays with the asker', async () => {
    const miss = await bot.say('share qqzzxxyy');
    expect(miss.kind).toBe('no-match');
    expect(miss.visibility).toBe('ephemeral');
    const failed = await bot.say('share show no-such-paper-1999');
    expect(failed.kind).toBe('error');
    expect(failed.visibility).toBe('ephemeral');
  });

  it('GIVEN a query longer than the cap THEN it is cut, answered, and the user is told', async () => {
    const reply = await bot.say('mri '.repeat(10_000));
    expect(renderText(reply)).toContain(`Only the first ${MAX_INPUT_LENGTH} characters were read`);
  });

  it('GIVEN a search with more than one page THEN More pages forward and Previous comes back', async () => {
    // Every paper in the list is from 2014 or later, so this filter matches the whole catalog.
    const first = await bot.say('since:2010');
    expect(first.data?.total).toBe(bot.paperbot.services.papers.length);
    const more = first.actions.find((a) => a.effect === 'update')!;
    const second = await bot.say(more.command);
    expect(second.data?.page).toBe(2);
    expect(second.papers.some((p) => first.papers.includes(p))).toBe(false);
    expect(second.actions.map((a) => a.label)).toContain('Previous');
  });

  it('GIVEN a command that fails unexpectedly THEN the user gets an apology and the failure is logged with its stack', async () => {
    const lines: string[] = [];
    const services = { ...bot.paperbot.services, log: createLogger('error', [], (l) => lines.push(l)) };
    const broken: Command = {
      name: 'explode',
      summary: { en: 'fails' },
      examples: [],
      run() {
        throw new TypeError('boom');
      },
    };
    const failing = createBot(services, [broken]);
    const reply = await failing.handle({ text: 'explode', platform: 'console', channelId: 'c', userId: 'u', canManageChannel: true, trigger: 'command' });
    expect(reply.kind).toBe('error');
    expect(renderText(reply)).toMatch(/Sorry, something went wrong/);
    expect(lines.join('\n')).toMatch(/TypeError: boom\n\s+at /);
    // The same bot keeps answering.
    const again = await failing.handle({ text: 'explode', platform: 'console', channelId: 'c', userId: 'u', canManageChannel: true, trigger: 'command' });
    expect(again.kind).toBe('error');
  });

  it('GIVEN thousands of random strings THEN every one gets a reply and none crashes', async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.constantFrom('(a+)+$', '.*', '[', '\\', 'year:', 'year:abc', 'since:', 'venue:', 'zz:top', '--page 0', '--page -1', 'show', 'share', 'share share'),
      fc.array(fc.constantFrom('mri', '肺', 'year:2016', '(', ')', '*', '\u202e', '\u200b', 'show', 'share', '--page', '9'), { maxLength: 8 }).map((w) => w.join(' ')),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const reply = await bot.say(text);
        expect(['search', 'no-match', 'error', 'help', 'paper']).toContain(reply.kind);
        expect(reply.data?.code).not.toBe('internal');
        const ids = reply.papers.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('UserError', () => {
  it('carries the module name in its message, as minisearch does', () => {
    expect(new UserError('x', { en: 'bad filter' }).message).toBe('paperbot: bad filter');
  });
});
