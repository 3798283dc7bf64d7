import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../adapters/discord/limits.js';
import { EPHEMERAL_FLAG, asEphemeral, renderMessage } from '../../adapters/discord/render.js';
import { memoryButtons } from '../helpers/buttons.js';
import { reply, type Action, type Card } from '../../src/reply.js';
import { twoPaperSearchReply } from '../helpers/replies.js';
import { expectSafeDiscordMessage } from './safety.js';

const codec = () => memoryButtons(LIMITS.customId);

const twoPapers = twoPaperSearchReply();

describe('Discord rendering', () => {
  it('renders the header as content, one embed per card with its linked title, and the Show buttons before the reply actions', () => {
    const c = codec();
    const message = renderMessage(twoPapers, c);
    expect(message.content).toBe('**2 papers for "gan" (1–2)**');
    expect(message.embeds.map((e) => e.title)).toEqual(['1. Paper A', '2. Paper B']);
    expect(message.embeds[0].url).toBe('https://arxiv.org/abs/1');
    expect(message.embeds[1].url).toBeUndefined();
    expect(message.embeds[0].description).toBe('GAN · MRI\nDatasets: ADNI\nid: a-2017');
    expect(message.embeds[1].footer?.text).toBe('Page 1 of 2');
    const rows = message.components.map((row) => row.components.map((b) => b.label));
    expect(rows).toEqual([['Show 1', 'Show 2'], ['More', 'Share']]);
    const decoded = message.components.flatMap((row) => row.components).map((b) => c.decode(b.custom_id));
    expect(decoded).toEqual([
      { command: 'show a-2017', effect: 'reply' },
      { command: 'show b-2018', effect: 'reply' },
      { command: 'gan --page 2', effect: 'update' },
      { command: 'share gan', effect: 'post' },
    ]);
    expect(message.components[1].components[0].style).toBe(1);
    expect(message.flags).toBeUndefined();
    expect(asEphemeral(message).flags).toBe(EPHEMERAL_FLAG);
    expectSafeDiscordMessage(message);
  });

  it('renders a reply without cards as plain content, with its footer', () => {
    const message = renderMessage(reply('error', 'en', { intro: ['No paper matches "zzz".', 'Try: gan'], footer: 'help lists everything' }), codec());
    expect(message.content).toBe('No paper matches "zzz".\nTry: gan\nhelp lists everything');
    expect(message.embeds).toEqual([]);
    expect(message.components).toEqual([]);
  });

  it('escapes markdown and breaks mention syntax in catalog text', () => {
    const message = renderMessage(
      reply('paper', 'en', { title: '@everyone **bold**', cards: [{ title: '<@&123> [click](https://evil.example) @here', lines: ['<@42> __x__'] }] }),
      codec(),
    );
    expect(message.content).toBe('**@\u200beveryone \\*\\*bold\\*\\***');
    expect(message.embeds[0].title).toContain('<\u200b@&123>');
    // A masked link is escaped, so it shows as text and links nowhere.
    expect(message.embeds[0].title).toContain('\\[click](https://evil.example)');
    expectSafeDiscordMessage(message);
  });

  it('drops links that are not http(s)', () => {
    const urls = ['javascript:alert(1)', 'ftp://x.example/a', 'not a url', `https://x.example/${'a'.repeat(3000)}`];
    const message = renderMessage(reply('search', 'en', { cards: urls.map((url, i) => ({ title: `T${i}`, url, lines: [] })) }), codec());
    expect(message.embeds.map((e) => e.url)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('lists cards beyond the tenth embed in one closing embed and keeps at most 5 rows of 5 buttons', () => {
    const cards: Card[] = Array.from({ length: 40 }, (_, i) => ({
      title: `Paper ${i + 1}`,
      lines: [],
      action: { label: 'Show', command: `show p-${i + 1}`, effect: 'reply' },
    }));
    const actions: Action[] = Array.from({ length: 7 }, (_, i) => ({ label: `Action ${i + 1}`, command: `a ${i}`, effect: 'update' }));
    const message = renderMessage(reply('search', 'en', { cards, actions }), codec());
    expect(message.embeds).toHaveLength(10);
    expect(message.embeds[9].title).toBe('+31');
    expect(message.embeds[9].description).toContain('40. Paper 40');
    const labels = message.components.map((row) => row.components.map((b) => b.label));
    // Only cards 1–9 have an embed, so 9 Show buttons (two rows), then the reply's 7 actions (two rows).
    expect(labels.map((row) => row.length)).toEqual([5, 4, 5, 2]);
    expect(labels.slice(0, 2).flat()).toEqual(Array.from({ length: 9 }, (_, i) => `Show ${i + 1}`));
    expect(labels.slice(2).flat()).toEqual(actions.map((a) => a.label));
    expectSafeDiscordMessage(message);

    const crowded = renderMessage(reply('search', 'en', { cards, actions: [...actions, ...actions, ...actions, ...actions] }), codec());
    // 28 actions: the first 25 fill all five rows and no Show button is left room.
    expect(crowded.components.map((row) => row.components.length)).toEqual([5, 5, 5, 5, 5]);
    expect(crowded.components.flatMap((row) => row.components).every((b) => (b.label ?? '').startsWith('Action'))).toBe(true);
    expectSafeDiscordMessage(message);
  });

  it('shortens the longest texts until all embeds fit in 6,000 characters', () => {
    const cards: Card[] = Array.from({ length: 9 }, (_, i) => ({ title: `T${i} ${'t'.repeat(300)}`, lines: ['d'.repeat(5000)] }));
    const message = renderMessage(reply('search', 'en', { cards, footer: 'f'.repeat(3000) }), codec());
    expect(message.embeds).toHaveLength(9);
    expect(message.embeds.every((e) => (e.title ?? '').startsWith(`${message.embeds.indexOf(e) + 1}. T`))).toBe(true);
    expectSafeDiscordMessage(message);
  });

  it('keeps custom_id within 100 characters for long commands, and the codec still finds the command', () => {
    const c = codec();
    const command = `show ${'x'.repeat(400)}`;
    const message = renderMessage(reply('paper', 'en', { actions: [{ label: 'Go', command, effect: 'reply' }] }), c);
    const id = message.components[0].components[0].custom_id;
    expect(id.length).toBeLessThanOrEqual(100);
    expect(c.decode(id)).toEqual({ command, effect: 'reply' });
  });

  it('GIVEN any reply, however hostile THEN the message passes Discord\'s schema and every limit and mentions nobody', () => {
    const hostileText = fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.constantFrom('@everyone', '@here', '<@&123>', '<@42>', '@@everyone', '<<@@here>>', '**', '`'.repeat(3), '\\', '𝔘'.repeat(200)),
      fc.string({ minLength: 1000, maxLength: 10_000 }),
    );
    const text = fc.array(hostileText, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' '));
    const action = fc.record({
      label: text,
      command: text,
      effect: fc.constantFrom('update' as const, 'reply' as const, 'post' as const),
      style: fc.constantFrom(undefined, 'primary' as const, 'danger' as const),
    });
    const card = fc.record({
      title: text,
      url: fc.option(fc.oneof(fc.webUrl(), text), { nil: undefined }),
      meta: fc.option(text, { nil: undefined }),
      lines: fc.array(text, { maxLength: 4 }),
      action: fc.option(action, { nil: undefined }),
    });
    const anyReply = fc.record({
      title: fc.option(text, { nil: undefined }),
      intro: fc.array(text, { maxLength: 4 }),
      cards: fc.array(card, { maxLength: 30 }),
      actions: fc.array(action, { maxLength: 30 }),
      footer: fc.option(text, { nil: undefined }),
    });
    fc.assert(
      fc.property(anyReply, (fields) => {
        expectSafeDiscordMessage(renderMessage(reply('search', 'en', fields), codec()));
      }),
      { numRuns: 60 },
    );
  });
});
