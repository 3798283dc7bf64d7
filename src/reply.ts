import type { Paper } from './catalog/paper.js';
import type { Lang } from './i18n/index.js';

/**
 * What a button does when clicked: run `command` (the same text a user would type after `/paper`)
 * as the person who clicked, then
 * - `update`: replace the message the button is on (paging, votes),
 * - `reply`: answer the clicker alone (show one paper),
 * - `post`: post the result for the whole channel (share).
 */
export type Action = {
  label: string;
  command: string;
  effect: 'update' | 'reply' | 'post';
  style?: 'primary' | 'danger';
};

/** One item in a reply: a paper, a poll option, a history entry. */
export type Card = {
  title: string;
  url?: string;
  /** One short line: technique · modality · region · task · venue year. */
  meta?: string;
  lines: string[];
  action?: Action;
};

/** What produced a reply; adapters and the dispatcher branch only on `error` and `no-match`. */
export type ReplyKind =
  | 'search'
  | 'paper-added'
  | 'paper-removed'
  | 'paper-tagged'
  | 'citation'
  | 'no-match'
  | 'paper'
  | 'help'
  | 'info'
  | 'error'
  | 'spotlight'
  | 'spotlight-on'
  | 'spotlight-off'
  | 'spotlight-status'
  | 'spotlight-now'
  | 'poll'
  | 'poll-opened'
  | 'poll-closed'
  | 'confirm-replace'
  | 'vote'
  | 'reading-next'
  | 'reading-read'
  | 'reading-unread'
  | 'reading-history'
  | 'follow'
  | 'following'
  | 'unfollow'
  | 'feed-add'
  | 'feed-list'
  | 'feed-remove'
  | 'digest'
  | 'digest-on'
  | 'digest-off'
  | 'digest-status'
  | 'digest-preview'
  | 'digest-now'
  | 'digest-more';

/**
 * The platform-neutral reply every command returns. Adapters render it (Block Kit, embeds, console
 * text) and must not need to know which command produced it. All strings are plain text: adapters
 * escape them for their platform.
 */
export type Reply = {
  /** What produced it. */
  kind: ReplyKind;
  lang: Lang;
  /** `ephemeral`: only the person who asked sees it (where the platform can do that). */
  visibility: 'ephemeral' | 'channel';
  title?: string;
  /** Paragraphs shown before the cards. */
  intro: string[];
  cards: Card[];
  /** Buttons below the cards. */
  actions: Action[];
  footer?: string;
  /** The papers shown, in order, for JSON output and tests. */
  papers: Paper[];
  /** Structured extras for JSON output (counts, poll state, slots). */
  data?: Record<string, unknown>;
};

export function reply(kind: ReplyKind, lang: Lang, fields: Partial<Omit<Reply, 'kind' | 'lang'>> = {}): Reply {
  return {
    kind,
    lang,
    visibility: fields.visibility ?? 'ephemeral',
    title: fields.title,
    intro: fields.intro ?? [],
    cards: fields.cards ?? [],
    actions: fields.actions ?? [],
    footer: fields.footer,
    papers: fields.papers ?? [],
    data: fields.data,
  };
}

/** Plain text for the console, notifications and screen readers. */
export function renderText(r: Reply): string {
  const out: string[] = [];
  if (r.title) out.push(r.title);
  for (const p of r.intro) out.push(p);
  r.cards.forEach((card, i) => {
    const head = r.cards.length > 1 ? `${i + 1}. ${card.title}` : card.title;
    out.push('');
    out.push(head);
    if (card.meta) out.push(`   ${card.meta}`);
    for (const line of card.lines) out.push(`   ${line}`);
    if (card.url) out.push(`   ${card.url}`);
  });
  if (r.footer) {
    out.push('');
    out.push(r.footer);
  }
  return out.join('\n').trim();
}
