import type { types } from '@slack/bolt';
import type { ButtonIds } from '../../src/actions.js';
import { renderText, type Action, type Card, type Reply } from '../../src/reply.js';
import { escapeMrkdwn, mrkdwnLink, safePlain, truncate } from './escape.js';

/** Slack's documented Block Kit limits, and our own cap on the whole message. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  contextText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionsPerBlock: 25,
  /** Slack accepts up to 40,000 characters of `text`; a notification needs far less. */
  fallbackText: 3000,
  /** Sum of every text in the blocks: long enough for a page of papers, short enough to read. */
  totalText: 12_000,
  titleText: 500,
  linkUrl: 1500,
} as const;

// Our blocks, each a narrowing of Bolt's own Block Kit type: what we build is what Slack's Web API
// accepts, and readers (tests) still see exactly the shapes we make.
type SlackText = types.PlainTextElement | (types.MrkdwnElement & { verbatim: true });
type SlackButton = types.Button & { text: types.PlainTextElement & { emoji: boolean }; value: string; action_id: string };
type SectionBlock = Omit<types.SectionBlock, 'text' | 'accessory'> & { text: SlackText; accessory?: SlackButton };
export type SlackBlock =
  | (types.HeaderBlock & { text: { emoji: boolean } })
  | SectionBlock
  | (Omit<types.ContextBlock, 'elements'> & { elements: SlackText[] })
  | (Omit<types.ActionsBlock, 'elements'> & { elements: SlackButton[] });

export type SlackMessage = { text: string; blocks: SlackBlock[] };

/** Every button's action_id starts with this, so one listener catches them all. */
export const ACTION_ID_PREFIX = 'paperbot:';

const mrkdwn = (text: string): SlackText => ({ type: 'mrkdwn', text, verbatim: true });

/**
 * The neutral Reply as a Block Kit message: header (title), intro sections, per card a section with
 * the linked title, its lines and a button, then a context line (meta); footer and buttons last.
 * Whatever the reply holds, the result stays inside Slack's limits: cards that do not fit are
 * counted in a closing note instead of breaking the message.
 */
export function renderMessage(reply: Reply, codec: ButtonIds): SlackMessage {
  let slot = 0;
  const button = (action: Action): SlackButton => {
    const id = slot++;
    const b: SlackButton = {
      type: 'button',
      action_id: `${ACTION_ID_PREFIX}${id}`,
      text: { type: 'plain_text', text: buttonLabel(action), emoji: true },
      value: codec.encode(action, id),
    };
    if (action.style) b.style = action.style;
    return b;
  };

  const head: SlackBlock[] = [];
  if (reply.title?.trim()) {
    head.push({ type: 'header', text: { type: 'plain_text', text: truncate(safePlain(reply.title.trim()), LIMITS.headerText), emoji: true } });
  }
  const intro = reply.intro.filter((p) => p.trim()).map(escapeMrkdwn);
  if (intro.length) head.push({ type: 'section', text: mrkdwn(truncate(intro.join('\n'), LIMITS.sectionText)) });

  const tail: SlackBlock[] = [];
  if (reply.footer?.trim()) tail.push({ type: 'context', elements: [mrkdwn(truncate(escapeMrkdwn(reply.footer), LIMITS.contextText))] });
  const actionCount = Math.min(reply.actions.length, LIMITS.actionsPerBlock);

  // One block for a possible "not shown" note, one for the buttons.
  const reserved = head.length + tail.length + (actionCount ? 1 : 0) + 1;
  let budget = LIMITS.totalText - textLength(head) - textLength(tail);
  const cardBlocks: SlackBlock[] = [];
  let shown = 0;
  for (const card of reply.cards) {
    const { section, blocks } = renderCard(card);
    const size = textLength(blocks) + (card.action ? buttonLabel(card.action).length : 0);
    if (reserved + cardBlocks.length + blocks.length > LIMITS.blocks || size > budget) break;
    // The button is made only for a card that is shown, so slots stay dense and unique.
    if (card.action) section.accessory = button(card.action);
    cardBlocks.push(...blocks);
    budget -= size;
    shown++;
  }
  const body = [...head, ...cardBlocks];
  const hidden = reply.cards.length - shown;
  if (hidden > 0) {
    const note = reply.lang === 'zh' ? `另有 ${hidden} 项因消息长度限制未显示。` : `${hidden} more not shown: the message would be too long for Slack.`;
    body.push({ type: 'context', elements: [mrkdwn(note)] });
  }
  body.push(...tail);
  if (actionCount) body.push({ type: 'actions', elements: reply.actions.slice(0, actionCount).map(button) });

  const text = fallbackText(reply);
  // Slack refuses an empty block list; a reply with nothing but buttons still says something.
  if (!body.some((b) => b.type !== 'actions')) body.unshift({ type: 'section', text: mrkdwn(truncate(text, LIMITS.sectionText)) });
  return { text, blocks: body };
}

function renderCard(card: Card): { section: SectionBlock; blocks: SlackBlock[] } {
  const title = truncate(escapeMrkdwn(card.title), LIMITS.titleText) || '…';
  const url = card.url && card.url.length <= LIMITS.linkUrl ? card.url : undefined;
  const headline = `*${mrkdwnLink(url, title)}*`;
  let text = headline;
  const lines = card.lines.filter((l) => l.trim()).map(escapeMrkdwn);
  if (lines.length) text += '\n' + truncate(lines.join('\n'), LIMITS.sectionText - headline.length - 1);
  const section: SectionBlock = { type: 'section', text: mrkdwn(text) };
  const blocks: SlackBlock[] = [section];
  if (card.meta?.trim()) blocks.push({ type: 'context', elements: [mrkdwn(truncate(escapeMrkdwn(card.meta), LIMITS.contextText))] });
  return { section, blocks };
}

function buttonLabel(action: Action): string {
  return truncate(safePlain(action.label), LIMITS.buttonText) || '…';
}

/** The plain text Slack shows in notifications and reads to screen readers. */
function fallbackText(reply: Reply): string {
  return truncate(escapeMrkdwn(renderText(reply)), LIMITS.fallbackText) || '…';
}

function textLength(blocks: SlackBlock[]): number {
  let n = 0;
  for (const b of blocks) {
    if (b.type === 'header') n += b.text.text.length;
    else if (b.type === 'section') n += b.text.text.length + (b.accessory?.text.text.length ?? 0);
    else if (b.type === 'context') for (const e of b.elements) n += e.text.length;
    else for (const e of b.elements) n += e.text.text.length;
  }
  return n;
}
