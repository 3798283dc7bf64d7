import { ButtonStyle, ComponentType, escapeMarkdown, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed } from 'discord.js';
import type { ButtonIds } from '../../src/actions.js';
import type { Action, Card, Reply } from '../../src/reply.js';
import { LIMITS, safeUrl, truncate } from './limits.js';

/** A message body in Discord's JSON shape, for channel posts, interaction callbacks and edits alike. */
export type DiscordMessage = {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  /** Set on every payload as well as on the client: nothing the bot says may ping anyone. */
  allowed_mentions: { parse: [] };
  flags?: number;
};

export const EPHEMERAL_FLAG = 1 << 6;
const EMBED_COLOR = 0x2b6cb0;

/**
 * Renders the neutral reply as Discord embeds and buttons. Whatever the reply holds (10,000-character
 * titles, mention syntax, `javascript:` links, a hundred cards) the result stays inside every limit
 * in LIMITS: text is cut with an ellipsis, surplus cards are listed in one closing embed, surplus
 * buttons are left off, unsafe links are dropped.
 */
export function renderMessage(reply: Reply, codec: ButtonIds): DiscordMessage {
  const embeds = fitTotal(cardEmbeds(reply));
  const contentParts = [reply.title ? `**${clean(reply.title, LIMITS.content - 4)}**` : '', ...reply.intro.map((p) => clean(p, LIMITS.content))];
  if (embeds.length === 0 && reply.footer) contentParts.push(clean(reply.footer, LIMITS.content));
  let content = truncate(contentParts.filter(Boolean).join('\n'), LIMITS.content);
  const components = buttonRows(reply, codec, Math.min(reply.cards.length, embedCardCapacity(reply)));
  // Discord refuses a message with nothing in it.
  if (!content && embeds.length === 0 && components.length === 0) content = '…';
  return { ...(content ? { content } : {}), embeds, components, allowed_mentions: { parse: [] } };
}

export function asEphemeral(message: DiscordMessage): DiscordMessage {
  return { ...message, flags: EPHEMERAL_FLAG };
}

/** Plain text made inert: markdown escaped, mention syntax broken with a zero-width space, then cut. */
function clean(text: string, max: number): string {
  // escapeMarkdown's look-behind patterns are slow; most catalog text holds none of its characters.
  const escaped = MARKDOWN_CHARACTERS.test(text) ? escapeMarkdown(text, { maskedLink: true, heading: true }) : text;
  return truncate(neutralizeMentions(escaped), max);
}

const MARKDOWN_CHARACTERS = /[\\`*_~|#[]/;

function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, '@\u200b$1').replace(/<@/g, '<\u200b@');
}

function embedCardCapacity(reply: Reply): number {
  return reply.cards.length > LIMITS.embeds ? LIMITS.embeds - 1 : reply.cards.length;
}

function cardEmbeds(reply: Reply): APIEmbed[] {
  const shown = embedCardCapacity(reply);
  const numbered = reply.cards.length > 1;
  const embeds = reply.cards.slice(0, shown).map((card, i) => cardEmbed(card, numbered ? `${i + 1}. ` : ''));
  const rest = reply.cards.slice(shown);
  if (rest.length) {
    embeds.push({
      color: EMBED_COLOR,
      title: `+${rest.length}`,
      description: truncate(rest.map((c, i) => `${shown + i + 1}. ${clean(c.title, 200)}`).join('\n'), LIMITS.embedDescription),
    });
  }
  const lastEmbed = embeds.at(-1);
  if (reply.footer && lastEmbed) lastEmbed.footer = { text: truncate(neutralizeMentions(reply.footer), LIMITS.embedFooter) };
  return embeds;
}

function cardEmbed(card: Card, prefix: string): APIEmbed {
  const embed: APIEmbed = { color: EMBED_COLOR, title: prefix + clean(card.title, LIMITS.embedTitle - prefix.length) };
  const url = safeUrl(card.url);
  if (url) embed.url = url;
  const description = [card.meta, ...card.lines].filter((l): l is string => Boolean(l)).map((l) => clean(l, LIMITS.embedDescription));
  if (description.length) embed.description = truncate(description.join('\n'), LIMITS.embedDescription);
  return embed;
}

/** Discord's 6,000-character budget across all embeds: the longest texts give way first. */
function fitTotal(embeds: APIEmbed[]): APIEmbed[] {
  const texts = (e: APIEmbed) => [e.description, e.title, e.footer?.text];
  const total = () => embeds.reduce((sum, e) => sum + texts(e).reduce((s, t) => s + (t?.length ?? 0), 0), 0);
  let excess = total() - LIMITS.embedTotal;
  while (excess > 0) {
    let longest: { embed: APIEmbed; key: 'description' | 'title' } | undefined;
    let longestLength = 0;
    for (const embed of embeds) {
      for (const key of ['description', 'title'] as const) {
        const length = embed[key]?.length ?? 0;
        if (length > longestLength) {
          longest = { embed, key };
          longestLength = length;
        }
      }
    }
    if (!longest) break;
    const target = Math.max(Math.floor(longestLength / 2), longestLength - excess);
    const cut = truncate(longest.embed[longest.key] ?? '', target);
    if (cut) longest.embed[longest.key] = cut;
    else delete longest.embed[longest.key];
    excess = total() - LIMITS.embedTotal;
  }
  return embeds;
}

/**
 * The reply's own actions (paging, share) come last and are kept first; per-card buttons fill the
 * rows before them. At most 5 rows of 5.
 */
function buttonRows(reply: Reply, codec: ButtonIds, cardsShown: number): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  const numbered = cardsShown > 1;
  const cardActions = reply.cards
    .slice(0, cardsShown)
    .map((card, i) => (card.action ? { ...card.action, label: numbered ? numberedLabel(card.action.label, i + 1) : card.action.label } : null))
    .filter((a): a is Action => a !== null);
  const maxButtons = LIMITS.rows * LIMITS.buttonsPerRow;
  const actions = reply.actions.slice(0, maxButtons);
  const actionRows = Math.ceil(actions.length / LIMITS.buttonsPerRow);
  const cardButtons = cardActions.slice(0, (LIMITS.rows - actionRows) * LIMITS.buttonsPerRow);

  let slot = 0;
  const toButtons = (list: Action[]) =>
    list.map((action) => button(action, codec, slot++)).filter((b): b is APIButtonComponentWithCustomId => b !== null);
  return [...chunk(toButtons(cardButtons)), ...chunk(toButtons(actions))].slice(0, LIMITS.rows).map((components) => ({
    type: ComponentType.ActionRow,
    components,
  }));
}

/** `Show` becomes `Show 2` to match the second embed; a label that already names its number (`Vote 2`) is kept. */
function numberedLabel(label: string, n: number): string {
  return label.trim().endsWith(` ${n}`) ? label : `${label} ${n}`;
}

function button(action: Action, codec: ButtonIds, slot: number): APIButtonComponentWithCustomId | null {
  const customId = codec.encode(action, slot);
  if (customId.length > LIMITS.customId) return null;
  const style = action.style === 'primary' ? ButtonStyle.Primary : action.style === 'danger' ? ButtonStyle.Danger : ButtonStyle.Secondary;
  // Button labels are not markdown, but mention syntax is still broken up for consistency.
  const label = truncate(neutralizeMentions(action.label.trim()), LIMITS.buttonLabel) || '…';
  return { type: ComponentType.Button, style, label, custom_id: customId };
}

function chunk<T>(items: T[]): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += LIMITS.buttonsPerRow) rows.push(items.slice(i, i + LIMITS.buttonsPerRow));
  return rows;
}
