import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/reply.js';
import { cleanInput, MAX_INPUT_LENGTH } from '../../src/text.js';
import { consoleBot, type ConsoleBot } from '../helpers/console-bot.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('cleanInput: zero-width characters and lone surrogates', () => {
  it('GIVEN zero-width characters inside a word THEN they are removed, not turned into spaces', () => {
    expect(cleanInput('g\u200ban').text).toBe('gan');
    expect(cleanInput('se\u200cg\u200dmen\u2060tation \ufeffmri').text).toBe('segmentation mri');
    expect(cleanInput('u\u00adnet').text).toBe('unet');
  });

  it('GIVEN control characters between words THEN they still separate the words', () => {
    expect(cleanInput('gan\tmri\nct').text).toBe('gan mri ct');
  });

  it('GIVEN lone surrogates THEN each becomes U+FFFD and the text is well formed', () => {
    const { text } = cleanInput('gan \ud800 mri \udc00x');
    expect(text).toBe('gan \ufffd mri \ufffdx');
    expect(text).not.toMatch(LONE_SURROGATE);
  });

  it('GIVEN a long text cut in the middle of an emoji THEN no half of it remains', () => {
    const raw = 'a'.repeat(MAX_INPUT_LENGTH - 1) + '😀';
    const { text, truncated } = cleanInput(raw);
    expect(truncated).toBe(true);
    expect(text).not.toMatch(LONE_SURROGATE);
  });
});

describe('a query with lone surrogates through the real bot', () => {
  let bot: ConsoleBot;
  beforeAll(async () => {
    bot = await consoleBot();
  });
  afterAll(() => bot?.close());

  it('GIVEN a query with a lone surrogate THEN the reply never echoes it', async () => {
    const reply = await bot.say('zzqq\ud83d lesion');
    expect(renderText(reply)).not.toMatch(LONE_SURROGATE);
    expect(JSON.stringify(reply)).not.toMatch(/\\ud83d(?!\\ud[c-f])/i);
  });

  it('GIVEN a query with a zero-width space inside a word THEN it searches the joined word', async () => {
    const plain = await bot.say('gan');
    const hidden = await bot.say('g\u200ban');
    expect(hidden.data).toMatchObject({ total: (plain.data as { total: number }).total });
  });
});
