import type { Paper } from '../../catalog/paper.js';
import { paperCard } from '../../cards.js';
import type { Lang } from '../../i18n/index.js';
import { reply, type Card, type Reply } from '../../reply.js';
import { digestText } from './messages.js';
import type { DigestItem } from './store.js';

/** How many papers a digest message shows; the rest are one click (or `digest more`) away. */
const SHOWN = 10;

export type DigestEntry = DigestItem & { paper: Paper };

/** A paper under the topic that matched it; titles stay as published. */
function entryCard(e: DigestEntry, lang: Lang): Card {
  const card = paperCard(e.paper, lang);
  card.lines = [digestText.text(lang, 'topic', { topic: e.topic }), ...(e.paper.authors.length ? [e.paper.authors.slice(0, 4).join('; ') + (e.paper.authors.length > 4 ? ' …' : '')] : []), ...card.lines];
  return card;
}

export type DigestReplyOptions = {
  lang: Lang;
  entries: DigestEntry[];
  /** The post's id, for the "more" button; absent in a preview. */
  postId?: number;
  /** Since when the papers are new, for the header (`YYYY-MM-DD`). */
  since: string;
  preview?: boolean;
  /** The spotlight of the same slot, carried in the same message. */
  spotlight?: Reply;
};

export function digestReply({ lang, entries, postId, since, preview = false, spotlight }: DigestReplyOptions): Reply {
  const shown = entries.slice(0, SHOWN);
  const topics = [...new Set(entries.map((e) => e.topic))];
  const header = digestText.text(lang, 'header', { count: entries.length, since, shown: entries.length > SHOWN ? SHOWN : null });
  const title = digestText.text(lang, preview ? 'previewTitle' : 'postTitle');
  const more =
    entries.length > SHOWN && postId !== undefined
      ? [{ label: digestText.text(lang, 'moreButton', { count: entries.length - SHOWN }), command: `digest more ${postId}`, effect: 'reply' as const }]
      : [];
  const data = { digest: { topics, papers: entries.map((e) => ({ id: e.paper.id, title: e.paper.title, topic: e.topic })) } };
  if (!spotlight) {
    return reply('digest', lang, {
      visibility: preview ? 'ephemeral' : 'channel',
      title,
      intro: [header],
      cards: shown.map((e) => entryCard(e, lang)),
      actions: more,
      papers: shown.map((e) => e.paper),
      data,
    });
  }
  // One message for the slot both fall in: the spotlight first, then the digest.
  return reply('digest', lang, {
    visibility: 'channel',
    title: `${spotlight.title ?? ''} · ${title}`,
    intro: [...spotlight.intro, header],
    cards: [...spotlight.cards, ...shown.map((e) => entryCard(e, lang))],
    actions: [...spotlight.actions, ...more],
    papers: [...spotlight.papers, ...shown.map((e) => e.paper)],
    data: { ...data, spotlight: spotlight.data },
  });
}

/** The papers of a digest past the first SHOWN, for the "more" button. */
export function moreReply(lang: Lang, entries: DigestEntry[]): Reply {
  const rest = entries.filter((e) => e.rank > SHOWN);
  return reply('digest-more', lang, {
    intro: [rest.length ? digestText.text(lang, 'morePapers', { count: rest.length }) : digestText.text(lang, 'noMore')],
    cards: rest.map((e) => entryCard(e, lang)),
    papers: rest.map((e) => e.paper),
    data: { papers: rest.map((e) => ({ id: e.paper.id, title: e.paper.title, topic: e.topic })) },
  });
}
