import type { Paper } from '../../catalog/paper.js';
import { labels, paperCard } from '../../cards.js';
import { tr, type Lang } from '../../i18n/index.js';
import { reply, type Action, type Card, type Reply } from '../../reply.js';
import type { Poll } from './store.js';
import { pollText } from './messages.js';
import { wasTie, type OptionTally } from './tally.js';

export type PaperLookup = (id: string) => Paper | null;

/** The command a vote button runs; it names the poll so a click on an old message cannot vote in a newer poll. */
const voteCommandText = (pollId: number, n: number) => `vote ${n} #${pollId}`;
const closeCommandText = (pollId: number) => `suggest close #${pollId}`;

/** A paper the catalog no longer has (the list changed since the poll) is still shown, by id. */
function cardFor(paperId: string, lookup: PaperLookup, lang: Lang): { card: Card; paper: Paper | null } {
  const paper = lookup(paperId);
  if (!paper) {
    return { card: { title: paperId, lines: [tr(lang, 'No longer in the catalog.', '该论文已不在清单中。')] }, paper: null };
  }
  return { card: paperCard(paper, lang), paper };
}

const votesText = (lang: Lang, votes: number) => tr(lang, `Votes: ${votes}`, `票数：${votes}`);

/**
 * The poll message, in the language it was opened in. Open: one vote button per paper and a Close
 * button, all of which replace this message with its new state. Closed: final counts and the winner.
 */
export function pollReply(poll: Poll, tally: OptionTally[], voters: number, lookup: PaperLookup, notice?: string): Reply {
  const lang = poll.lang;
  const open = poll.closedAt === null;
  const papers: Paper[] = [];
  const cards = tally.map((option) => {
    const { card, paper } = cardFor(option.paperId, lookup, lang);
    if (paper) papers.push(paper);
    const isWinner = !open && poll.winnerN === option.n;
    const lines = [
      isWinner ? tr(lang, `Chosen · votes: ${option.votes}`, `当选 · 票数：${option.votes}`) : votesText(lang, option.votes),
      ...card.lines,
    ];
    // Open: the card's button votes. Closed: it shows the paper, as in any list.
    const action: Action | undefined = open
      ? { label: tr(lang, `Vote ${option.n}`, `投票 ${option.n}`), command: voteCommandText(poll.id, option.n), effect: 'update' }
      : card.action;
    return { ...card, lines, action };
  });
  const winner = tally.find((o) => o.n === poll.winnerN);
  const winnerTitle = winner ? (lookup(winner.paperId)?.title ?? winner.paperId) : '';
  const intro: string[] = [];
  if (notice) intro.push(notice);
  if (open) {
    intro.push(
      tr(
        lang,
        'This is approval voting: vote for as many papers as you like, once each; click again to take a vote back. The paper with the most votes wins. Text works too: /paper vote <n>.',
        '本投票为认可投票：你可以为任意多篇论文投票，每篇一票；再点一次可撤回。得票最多的论文当选。也可以输入 /paper vote <序号>。',
      ),
    );
  } else if (winner) {
    intro.push(
      tr(
        lang,
        `Closed. Next paper: ${winnerTitle} (${winner.votes} vote${winner.votes === 1 ? '' : 's'}).`,
        `投票已结束。下一篇：${winnerTitle}（${winner.votes} 票）。`,
      ),
    );
    if (wasTie(tally, winner)) intro.push(tieNote(lang, tally, winner));
  } else {
    intro.push(tr(lang, 'Closed with no votes: no paper was chosen.', '投票已结束，无人投票，没有选出论文。'));
  }
  const opener = poll.openedByName || poll.openedBy;
  const footer = open
    ? tr(
        lang,
        `Opened by ${opener} · ${voters} voter${voters === 1 ? '' : 's'} so far · the opener or a channel manager can close it (/paper suggest close)`,
        `发起人：${opener} · 已有 ${voters} 人投票 · 发起人或频道管理员可结束投票（/paper suggest close）`,
      )
    : tr(lang, `Opened by ${opener} · ${voters} voter${voters === 1 ? '' : 's'}`, `发起人：${opener} · 共 ${voters} 人投票`);
  return reply('poll', lang, {
    visibility: 'channel',
    title: open
      ? tr(lang, `Reading group poll #${poll.id}: what should we read next?`, `读书会投票 #${poll.id}：下一篇读什么？`)
      : tr(lang, `Reading group poll #${poll.id} (closed)`, `读书会投票 #${poll.id}（已结束）`),
    intro,
    cards,
    actions: open
      ? [{ label: tr(lang, 'Close poll', '结束投票'), command: closeCommandText(poll.id), effect: 'update', style: 'danger' }]
      : [],
    footer,
    papers,
    data: {
      pollId: poll.id,
      open,
      options: tally.map((o) => ({ n: o.n, paperId: o.paperId, votes: o.votes })),
      winner: winner?.paperId ?? null,
      voters,
    },
  });
}

/** How a tie was broken, said whenever a tied poll's result is shown. */
export function tieNote(lang: Lang, tally: OptionTally[], winner: OptionTally): string {
  return pollText.text(lang, 'tie', { tied: tally.filter((o) => o.votes === winner.votes).length, votes: winner.votes });
}

/** What the channel is told when a poll closes with a winner. */
export function announcementReply(poll: Poll, winner: OptionTally, lookup: PaperLookup, tally: OptionTally[] = [winner]): Reply {
  const lang = poll.lang;
  const { card, paper } = cardFor(winner.paperId, lookup, lang);
  const link = paper?.url ? paper.url : labels(lang).noLink;
  return reply('reading-next', lang, {
    visibility: 'channel',
    title: tr(lang, `Next paper for the reading group: ${card.title}`, `读书会下一篇：${card.title}`),
    intro: [
      tr(
        lang,
        `Poll #${poll.id} is closed: ${winner.votes} vote${winner.votes === 1 ? '' : 's'}. Link: ${link}`,
        `投票 #${poll.id} 已结束：${winner.votes} 票。链接：${link}`,
      ),
      ...(wasTie(tally, winner) ? [tieNote(lang, tally, winner)] : []),
    ],
    cards: [card],
    papers: paper ? [paper] : [],
    data: { pollId: poll.id, paperId: winner.paperId, votes: winner.votes },
  });
}

/** One paper with a line saying why it is shown (chosen, read on a date). */
export function noteCard(paperId: string, lookup: PaperLookup, lang: Lang, note: string): { card: Card; paper: Paper | null } {
  const { card, paper } = cardFor(paperId, lookup, lang);
  return { card: { ...card, lines: [note, ...card.lines] }, paper };
}
