import type { Paper } from '../../../catalog/paper.js';
import { paperCard } from '../../../cards.js';
import { tr, type Lang } from '../../../i18n/index.js';
import { reply, type Card, type Reply } from '../../../reply.js';
import type { DigestItem } from './store.js';

/** How many papers a digest message shows; the rest are one click (or `digest more`) away. */
const SHOWN = 10;

export type DigestEntry = DigestItem & { paper: Paper };

/** A paper under the topic that matched it; titles stay as published. */
function entryCard(e: DigestEntry, lang: Lang): Card {
  const card = paperCard(e.paper, lang);
  card.lines = [tr(lang, `Topic: ${e.topic}`, `主题：${e.topic}`), ...(e.paper.authors.length ? [e.paper.authors.slice(0, 4).join('; ') + (e.paper.authors.length > 4 ? ' …' : '')] : []), ...card.lines];
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
  const header = tr(
    lang,
    `${entries.length} new paper(s) on this channel's topics since ${since}${entries.length > SHOWN ? `; the first ${SHOWN} below` : ''}.`,
    `自 ${since} 以来，本频道关注的主题有 ${entries.length} 篇新论文${entries.length > SHOWN ? `，下面列出前 ${SHOWN} 篇` : ''}。`,
  );
  const title = preview
    ? tr(lang, 'Next digest (preview, only you see this)', '下一期摘要（预览，仅你可见）')
    : tr(lang, '📰 New papers on your topics', '📰 关注主题的新论文');
  const more =
    entries.length > SHOWN && postId !== undefined
      ? [{ label: tr(lang, `More (${entries.length - SHOWN})`, `更多（${entries.length - SHOWN}）`), command: `digest more ${postId}`, effect: 'reply' as const }]
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
    intro: [rest.length ? tr(lang, `${rest.length} more paper(s) from the digest.`, `摘要中另外 ${rest.length} 篇论文。`) : tr(lang, 'That digest had no more papers.', '该期摘要没有更多论文。')],
    cards: rest.map((e) => entryCard(e, lang)),
    papers: rest.map((e) => e.paper),
    data: { papers: rest.map((e) => ({ id: e.paper.id, title: e.paper.title, topic: e.topic })) },
  });
}
