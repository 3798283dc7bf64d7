import { createHash } from 'node:crypto';
import type { Paper } from '../../catalog/paper.js';
import { mustExist } from '../../errors.js';
import type { SqlQueries } from '../../store/sql/types.js';
import { lastPaperId, usedPaperIds, type Subscription } from './store.js';

/**
 * Each channel walks the catalog in its own shuffled order. The order of a round is the papers
 * sorted by a hash of (channel seed, round, paper id): it needs no stored permutation, a paper
 * added to the catalog simply takes its place in the current round, and a removed one is gone.
 * Which papers a round has used is read from the post claims, so it survives any crash.
 */

function rank(seed: number, round: number, id: string): string {
  return createHash('sha256').update(`${seed}:${round}:${id}`).digest('hex').slice(0, 16) + id;
}

function roundOrder(papers: readonly Paper[], seed: number, round: number): Paper[] {
  const keyed = papers.map((p) => ({ p, k: rank(seed, round, p.id) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.p);
}

export type Pick = {
  paper: Paper;
  round: number;
  /** Papers left in the round after this one. */
  remainingAfter: number;
};

/**
 * The channel's next paper without changing anything. When the round is complete the next round's
 * first paper is chosen, never the one just posted (so a round boundary cannot show it twice in a row).
 */
export async function peekNext(q: SqlQueries, sub: Subscription, papers: readonly Paper[]): Promise<Pick | null> {
  if (papers.length === 0) return null;
  const used = await usedPaperIds(q, sub, sub.round);
  const left = roundOrder(papers, sub.seed, sub.round).filter((p) => !used.has(p.id));
  const [next] = left;
  if (next) return { paper: next, round: sub.round, remainingAfter: left.length - 1 };
  const round = sub.round + 1;
  const order = roundOrder(papers, sub.seed, round);
  const last = await lastPaperId(q, sub);
  const head = mustExist(order[0], 'the first paper of the next round');
  const second = order[1];
  const first = second && head.id === last ? second : head;
  return { paper: first, round, remainingAfter: order.length - 1 };
}

/** How many papers the channel has still to see in this round (the whole catalog once it is complete). */
export async function remainingInRound(q: SqlQueries, sub: Subscription, papers: readonly Paper[]): Promise<number> {
  const used = await usedPaperIds(q, sub, sub.round);
  const left = papers.filter((p) => !used.has(p.id)).length;
  return left === 0 ? papers.length : left;
}
