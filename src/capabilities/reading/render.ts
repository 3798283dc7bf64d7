import type { Paper } from '../../catalog/paper.js';
import { labels, paperCard } from '../../cards.js';
import type { Lang } from '../../i18n/index.js';
import { reply, type Action, type Card, type Reply } from '../../reply.js';
import type { Poll } from './store.js';
import { pollText, readingText } from './messages.js';
import { wasTie, type OptionTally } from './tally.js';

export type PaperLookup = (id: string) => Paper | null;

/** The command a vote button runs; it names the poll so a click on an old message cannot vote in a newer poll. */
const voteCommandText = (pollId: number, n: number) => `vote ${n} #${pollId}`;
const closeCommandText = (pollId: number) => `suggest close #${pollId}`;

/** A paper the catalog no longer has (the list changed since the poll) is still shown, by id. */
function cardFor(paperId: string, lookup: PaperLookup, lang: Lang): { card: Card; paper: Paper | null } {
  const paper = lookup(paperId);
  if (!paper) {
    return { card: { title: paperId, lines: [readingText.text(lang, 'notInCatalog')] }, paper: null };
  }
  return { card: paperCard(paper, lang), paper };
}

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
      readingText.text(lang, isWinner ? 'chosenVotes' : 'votes', { votes: option.votes }),
      ...card.lines,
    ];
    // Open: the card's button votes. Closed: it shows the paper, as in any list.
    const action: Action | undefined = open
      ? { label: readingText.text(lang, 'voteButton', { n: option.n }), command: voteCommandText(poll.id, option.n), effect: 'update' }
      : card.action;
    return { ...card, lines, action };
  });
  const winner = tally.find((o) => o.n === poll.winnerN);
  const winnerTitle = winner ? (lookup(winner.paperId)?.title ?? winner.paperId) : '';
  const intro: string[] = [];
  if (notice) intro.push(notice);
  if (open) {
    intro.push(readingText.text(lang, 'approvalNote'));
  } else if (winner) {
    intro.push(readingText.text(lang, 'closedWinner', { title: winnerTitle, votes: winner.votes }));
    if (wasTie(tally, winner)) intro.push(tieNote(lang, tally, winner));
  } else {
    intro.push(readingText.text(lang, 'closedNoVotes'));
  }
  const opener = poll.openedByName || poll.openedBy;
  const footer = readingText.text(lang, open ? 'openFooter' : 'closedFooter', { opener, voters });
  return reply('poll', lang, {
    visibility: 'channel',
    title: open
      ? readingText.text(lang, 'openTitle', { poll: poll.id })
      : readingText.text(lang, 'closedTitle', { poll: poll.id }),
    intro,
    cards,
    actions: open
      ? [{ label: readingText.text(lang, 'closeButton'), command: closeCommandText(poll.id), effect: 'update', style: 'danger' }]
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
    title: readingText.text(lang, 'announceTitle', { title: card.title }),
    intro: [
      readingText.text(lang, 'announceIntro', { poll: poll.id, votes: winner.votes, link }),
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
