import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, renderMessage, type SlackBlock, type SlackMessage } from '../../adapters/slack/render.js';
import { memoryButtons } from '../helpers/buttons.js';
import { reply, type Action, type Card, type Reply } from '../../src/reply.js';
import { twoPaperSearchReply } from '../helpers/replies.js';

const OUR_LINK = /<https?:\/\/[^\s|<>]+\|[^<>]*>/g;

function texts(message: SlackMessage): { mrkdwn: string[]; plain: string[] } {
  const mrkdwn: string[] = [message.text];
  const plain: string[] = [];
  for (const b of message.blocks) {
    if (b.type === 'header') plain.push(b.text.text);
    if (b.type === 'section') {
      (b.text.type === 'mrkdwn' ? mrkdwn : plain).push(b.text.text);
      if (b.accessory) plain.push(b.accessory.text.text);
    }
    if (b.type === 'context') for (const e of b.elements) (e.type === 'mrkdwn' ? mrkdwn : plain).push(e.text);
    if (b.type === 'actions') for (const e of b.elements) plain.push(e.text.text);
  }
  return { mrkdwn, plain };
}

function buttons(message: SlackMessage) {
  return message.blocks.flatMap((b) => (b.type === 'section' && b.accessory ? [b.accessory] : b.type === 'actions' ? b.elements : []));
}

/** Every rule Slack or our safety promise imposes on a rendered message. */
function expectSafeAndWithinLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
  let total = 0;
  for (const b of message.blocks as SlackBlock[]) {
    if (b.type === 'header') {
      expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.headerText);
      expect(b.text.text.trim().length).toBeGreaterThan(0);
    }
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    if (b.type === 'context') for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(LIMITS.contextText);
    if (b.type === 'actions') expect(b.elements.length).toBeLessThanOrEqual(LIMITS.actionsPerBlock);
  }
  const { mrkdwn, plain } = texts(message);
  for (const t of [...mrkdwn, ...plain]) total += t.length;
  expect(total).toBeLessThanOrEqual(LIMITS.totalText + LIMITS.fallbackText);
  for (const t of mrkdwn) {
    // The only angle brackets left are the links we build; every & starts an entity.
    expect(t.replace(OUR_LINK, '')).not.toMatch(/[<>]/);
    expect(t).not.toMatch(/&(?!amp;|lt;|gt;)/);
    // A link's URL may hold `@here` (a path like /@here/post) without pinging anyone; its label may not.
    expect(t.replace(/<https?:\/\/[^\s|<>]+\|/g, '<|')).not.toMatch(/@(here|channel|everyone)\b/i);
  }
  for (const t of plain) {
    expect(t).not.toMatch(/[<>]/);
    expect(t).not.toMatch(/@(here|channel|everyone)\b/i);
  }
  const all = buttons(message);
  expect(new Set(all.map((b) => b.action_id)).size).toBe(all.length);
  for (const b of all) {
    expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
    expect(b.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
  }
  // No displayed text may carry a raw broadcast, wherever it hides (button values are data, never shown).
  expect(JSON.stringify(message.blocks, (key, v) => (key === 'value' ? undefined : v))).not.toMatch(/<!(channel|here|everyone)/);
}

const hostile = '<!channel> @here <@U0ALICE> <#C0GENERAL> & <https://evil.example|click> ';

describe('Block Kit rendering', () => {
  it('renders a search reply as header, a section per card with its Show button, a context line, and buttons last', () => {
    const codec = memoryButtons(LIMITS.buttonValue);
    const r = twoPaperSearchReply();
    const message = renderMessage(r, codec);
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'section', 'context', 'context', 'actions']);
    const [header, first, firstMeta, second] = message.blocks;
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text', text: '2 papers for "gan" (1–2)' } });
    expect(first).toMatchObject({ text: { type: 'mrkdwn', text: '*<https://arxiv.org/abs/1|Paper A>*\nDatasets: ADNI\nid: a-2017', verbatim: true } });
    expect(firstMeta).toMatchObject({ elements: [{ type: 'mrkdwn', text: 'GAN · MRI' }] });
    // A card without a URL gets its title unlinked.
    expect(second).toMatchObject({ text: { text: '*Paper B*\nid: b-2018' } });
    const decoded = buttons(message).map((b) => codec.decode(b.value));
    expect(decoded).toEqual([
      { command: 'show a-2017', effect: 'reply' },
      { command: 'show b-2018', effect: 'reply' },
      { command: 'gan --page 2', effect: 'update' },
      { command: 'share gan', effect: 'post' },
    ]);
    expect(buttons(message)[2]).toMatchObject({ style: 'primary', text: { text: 'More' } });
    expect(message.text).toContain('Paper A');
    expect(message.text).toContain('Page 1 of 2');
  });

  it('escapes catalog and user text so it can never form a broadcast, a mention or a link', () => {
    const r = reply('search', 'en', {
      title: `results for "${hostile}"`,
      intro: [hostile],
      cards: [{ title: hostile, url: 'https://example.org/a?x=1&y=<2>|3', meta: hostile, lines: [hostile], action: { label: hostile, command: 'show x', effect: 'reply' } }],
      actions: [{ label: '@channel now', command: 'x', effect: 'post' }],
      footer: hostile,
    });
    const message = renderMessage(r, memoryButtons(LIMITS.buttonValue));
    expectSafeAndWithinLimits(message);
    const section = message.blocks.find((b) => b.type === 'section' && b.accessory);
    expect(section).toBeDefined();
    const text = section!.type === 'section' ? section!.text.text : '';
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;@U0ALICE&gt;');
    // The URL's own | and > are encoded so the label cannot escape the link.
    expect(text.startsWith('*<https://example.org/a?x=1&amp;y=%3C2%3E%7C3|')).toBe(true);
  });

  it('links only http(s) URLs', () => {
    const message = renderMessage(
      reply('paper', 'en', { cards: [{ title: 'T', url: 'javascript:alert(1)', lines: [] }] }),
      memoryButtons(LIMITS.buttonValue),
    );
    expect(message.blocks[0]).toMatchObject({ type: 'section', text: { text: '*T*' } });
  });

  it('keeps a reply with 10,000-character texts and 200 cards inside every limit and says how many cards were left out', () => {
    const long = 'x'.repeat(10_000);
    const cards: Card[] = Array.from({ length: 200 }, (_, i) => ({
      title: `${i} ${long}`,
      url: `https://example.org/${i}`,
      meta: long,
      lines: [long, long],
      action: { label: long, command: `show p-${i}`, effect: 'reply' },
    }));
    const r = reply('search', 'en', { title: long, intro: [long, long], cards, actions: [{ label: long, command: 'more', effect: 'update' }], footer: long });
    const message = renderMessage(r, memoryButtons(LIMITS.buttonValue));
    expectSafeAndWithinLimits(message);
    const note = message.blocks.find((b) => b.type === 'context' && /more not shown/.test(b.elements[0].text));
    expect(note).toBeDefined();
    const shown = message.blocks.filter((b) => b.type === 'section' && b.accessory).length;
    expect(note!.type === 'context' && note!.elements[0].text.startsWith(`${200 - shown} more not shown`)).toBe(true);
    // The paging button survives whatever the cards did to the budget.
    expect(message.blocks.at(-1)?.type).toBe('actions');
  });

  it('fits 200 short cards by block count, never more than 50 blocks', () => {
    const cards: Card[] = Array.from({ length: 200 }, (_, i) => ({ title: `Paper ${i}`, meta: 'CNN', lines: [`id: p-${i}`], action: { label: 'Show', command: `show p-${i}`, effect: 'reply' } }));
    const message = renderMessage(reply('search', 'en', { title: 'many', cards }), memoryButtons(LIMITS.buttonValue));
    expectSafeAndWithinLimits(message);
    expect(message.blocks.length).toBe(LIMITS.blocks);
  });

  it('never cuts an escape entity or a surrogate pair in half when truncating', () => {
    const message = renderMessage(
      reply('info', 'en', { intro: ['&'.repeat(5000)], cards: [{ title: '😀'.repeat(4000), lines: [] }] }),
      memoryButtons(LIMITS.buttonValue),
    );
    expectSafeAndWithinLimits(message);
    for (const t of texts(message).mrkdwn) expect(t).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('renders a reply with no text at all as a valid message', () => {
    const message = renderMessage(reply('info', 'en', { actions: [{ label: 'Go', command: 'help', effect: 'reply' }] }), memoryButtons(LIMITS.buttonValue));
    expect(message.blocks.length).toBeGreaterThan(0);
    expect(message.text.length).toBeGreaterThan(0);
  });

  it('stays safe and inside the limits for arbitrary replies (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('<', '>', '&', '@', 'here', 'channel', '!', '|', ' ', 'a', '中', '😀', '\n', '*', 'http://x.y/'), maxLength: 400 });
    const action: fc.Arbitrary<Action> = fc.record({ label: text, command: text, effect: fc.constantFrom('update' as const, 'reply' as const, 'post' as const) });
    const card: fc.Arbitrary<Card> = fc.record({
      title: text,
      url: fc.option(fc.oneof(fc.webUrl(), text), { nil: undefined }),
      meta: fc.option(text, { nil: undefined }),
      lines: fc.array(text, { maxLength: 4 }),
      action: fc.option(action, { nil: undefined }),
    });
    const replies: fc.Arbitrary<Reply> = fc
      .record({
        title: fc.option(text, { nil: undefined }),
        intro: fc.array(text, { maxLength: 3 }),
        cards: fc.array(card, { maxLength: 60 }),
        actions: fc.array(action, { maxLength: 30 }),
        footer: fc.option(text, { nil: undefined }),
      })
      .map((f) => reply('search', 'en', f));
    fc.assert(
      fc.property(replies, (r) => {
        const codec = memoryButtons(LIMITS.buttonValue);
        const message = renderMessage(r, codec);
        expectSafeAndWithinLimits(message);
        for (const b of buttons(message)) expect(codec.decode(b.value)).not.toBeNull();
      }),
      { numRuns: 150 },
    );
  });
});
