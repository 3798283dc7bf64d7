/** One poll option with its standing votes. */
export type OptionTally = {
  n: number;
  paperId: string;
  votes: number;
  /** The earliest standing vote: its time, then its order of arrival in the database. */
  firstVote: { at: string; seq: number } | null;
};

/**
 * Most votes wins; a tie goes to the option whose earliest standing vote was received first. A
 * withdrawn vote no longer counts, so it does not place its option ahead. No votes, no winner.
 */
export function pickWinner(tally: OptionTally[]): OptionTally | null {
  let best: OptionTally | null = null;
  for (const option of tally) {
    if (option.votes === 0 || !option.firstVote) continue;
    if (!best || option.votes > best.votes || (option.votes === best.votes && earlier(option.firstVote, best.firstVote!))) {
      best = option;
    }
  }
  return best;
}

/** Whether another option had as many votes as the winner, so the tie rule decided. */
export function wasTie(tally: OptionTally[], winner: OptionTally | null | undefined): boolean {
  if (!winner) return false;
  return tally.filter((o) => o.votes === winner.votes).length > 1;
}

function earlier(a: { at: string; seq: number }, b: { at: string; seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
