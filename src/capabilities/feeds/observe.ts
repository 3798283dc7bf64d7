import { observable } from '../../ops/observe.js';

/** One feed read by a polling round: new items, a 304, a failure to retry later, or a feed gone for good. */
export type FeedPollEvent = {
  /** `arxiv`, `pubmed` or `url`. */
  kind: string;
  outcome: 'ok' | 'not-modified' | 'error' | 'gone';
  /** Items that became new papers, merged into known ones, or were skipped (no title or link). */
  added: number;
  merged: number;
  skipped: number;
};

/** Every feed read in the process, for metrics. */
export const feedPolls = observable<FeedPollEvent>('paperbot:feeds:poll');
