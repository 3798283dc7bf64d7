import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/reply.js';
import { consoleBot, type ConsoleBot } from '../helpers/console-bot.js';

let bot: ConsoleBot;
beforeAll(async () => {
  bot = await consoleBot();
});
afterAll(() => bot.close());

const titleOf = (start: string) => bot.paperbot.services.papers.find((p) => p.title.startsWith(start))!;

describe('commands versus sentences', () => {
  it('GIVEN a sentence that starts with a command word THEN it is a search, not that command', async () => {
    const show = await bot.say('show me work on knee osteoarthritis', { channel: 'sentences' });
    expect(show.kind).toBe('search');
    expect(show.papers?.[0]?.id).toBe(titleOf('Quantifying Radiographic Knee').id);
    for (const text of ['history of u-net', 'read about lung nodules', 'next generation fetal ultrasound', 'vote for the best segmentation paper']) {
      const reply = await bot.say(text, { channel: 'sentences' });
      expect(reply.kind, text).toBe('search');
      expect(reply.papers?.length, text).toBeGreaterThan(0);
    }
  });

  it('GIVEN a command word with its arguments THEN it is still that command', async () => {
    expect((await bot.say('history', { channel: 'sentences' })).kind).toBe('reading-history');
    expect((await bot.say('show deeplung', { channel: 'sentences' })).kind).toBe('paper');
  });

  it('GIVEN a misspelled command word THEN the search results come with "did you mean"', async () => {
    for (const [typed, meant] of [['sugest lung', 'suggest'], ['spotligt', 'spotlight'], ['hisotry', 'history']]) {
      const reply = await bot.say(typed, { channel: 'typos' });
      expect(renderText(reply), typed).toContain(`Did you mean /paper ${meant}?`);
      expect(reply.kind, typed).not.toBe('error');
    }
    // A word the catalog knows is a search, not a typo of a command (registration is no "register").
    expect(renderText(await bot.say('segmentation', { channel: 'typos' }))).not.toMatch(/Did you mean/);
  });
});

describe('show', () => {
  it('GIVEN the start of one id, a whole title, or a result number of my last search here THEN that paper', async () => {
    const deepLung = titleOf('DeepLung');
    expect((await bot.say('show deeplung')).papers?.[0]?.id).toBe(deepLung.id);
    expect((await bot.say(`show ${deepLung.title}`)).papers?.[0]?.id).toBe(deepLung.id);
    const results = await bot.say('lung nodule', { channel: 'numbers', user: 'ann' });
    const second = results.papers![1];
    expect((await bot.say('show 2', { channel: 'numbers', user: 'ann' })).papers?.[0]?.id).toBe(second.id);
    // Another reader's numbers are their own: Bob has not searched here.
    expect((await bot.say('show 2', { channel: 'numbers', user: 'bob' })).kind).toBe('error');
  });

  it('GIVEN a prefix several ids share THEN it is not guessed', async () => {
    const reply = await bot.say('show automatic');
    expect(reply.kind).toBe('error');
  });

  it('GIVEN a paper the reviewed corrections changed THEN show marks the corrected field and its source', async () => {
    const text = renderText(await bot.say('show automated-detection-of-pulmonary-nodules-in-pet-ct-images-2016'));
    expect(text).toMatch(/Corrected body regions \(the published list says "Heart"\).*Source: doi:10\.1118\/1\.4948498/);
  });
});

describe('search replies', () => {
  it('GIVEN papers that miss a word THEN each says what it does not mention', async () => {
    const text = renderText(await bot.say('liver teeth'));
    expect(text).toMatch(/No paper matches every word/);
    expect(text).toMatch(/Does not mention: teeth/);
  });

  it('GIVEN help THEN it shows the operators in both languages', async () => {
    expect(renderText(await bot.say('help'))).toMatch(/-word or NOT word.*a OR b, a \| b.*"a phrase"/);
    expect(renderText(await bot.say('帮助'))).toMatch(/NOT 词.*a 或 b/);
  });
});
