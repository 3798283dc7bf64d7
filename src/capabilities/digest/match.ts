import type { Paper } from '../../catalog/paper.js';
import { bundledVocabulary, type Vocabulary } from '../../catalog/vocabulary.js';
import { PaperIndex, searchOver } from '../../search/index.js';
import type { PaperSearch } from '../../search/types.js';
import type { DigestItem } from './store.js';

/** The most papers one topic brings into a round of digests (the search's own page limit). */
const MAX_HITS = 1000;

/**
 * Which new papers a channel's followed topics match. The new papers of a window are indexed once
 * and each distinct query is searched once, whatever number of channels follow it: a digest round
 * over hundreds of channels costs one search per distinct topic. A topic's hits are kept as
 * positions in the paper list, so putting together each channel's digest marks papers in an array
 * instead of hashing their ids.
 */
export class TopicMatcher {
  private readonly search: PaperSearch;
  private readonly cache = new Map<string, Int32Array>();
  private readonly papers: Paper[];
  private readonly positionOf = new Map<string, number>();
  /** Per paper, the digest that last took it (a stamp per digestFor call), so one paper goes under one topic. */
  private readonly takenIn: Uint32Array;
  private stamp = 0;

  constructor(papers: Paper[], vocabulary: Vocabulary = bundledVocabulary()) {
    this.papers = papers;
    for (const [i, p] of papers.entries()) if (!this.positionOf.has(p.id)) this.positionOf.set(p.id, i);
    this.takenIn = new Uint32Array(papers.length);
    // Topics match what a paper is (title, tags, authors, venue), not every word of its abstract:
    // a digest is a short list, and the index of a week's papers is built on every digest round.
    this.search = searchOver(new PaperIndex(papers.map(({ abstract: _abstract, ...rest }) => rest), vocabulary));
  }

  /** The ids of the new papers a query matches, best first; a query that no longer parses matches nothing. */
  hits(query: string): string[] {
    return Array.from(this.positions(query), (i) => this.papers[i]?.id ?? '');
  }

  private positions(query: string): Int32Array {
    let found = this.cache.get(query);
    if (!found) {
      let ids: string[];
      try {
        // Only papers that match every word and filter. Asked for none, the search still counts them,
        // without ranking the near misses it offers after them to fill a page; asked for exactly that
        // many, it ranks those and nothing else.
        const count = Math.min(this.search.search(query, { limit: 0 }).total, MAX_HITS);
        ids =
          count === 0
            ? []
            : this.search
                .search(query, { limit: count })
                .hits.filter((h) => h.missing.length === 0)
                .map((h) => h.paper.id);
      } catch {
        ids = [];
      }
      found = Int32Array.from(ids.flatMap((id) => this.positionOf.get(id) ?? []));
      this.cache.set(query, found);
    }
    return found;
  }

  /**
   * A channel's digest: for each topic in the order followed, its matches best first, each paper under
   * the first topic that matched it, leaving out papers outside the window or already sent.
   */
  digestFor(topics: string[], eligible: (paperId: string) => boolean): DigestItem[] {
    if (++this.stamp === 0xffffffff) {
      this.takenIn.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const items: DigestItem[] = [];
    for (const topic of topics) {
      for (const i of this.positions(topic)) {
        // Whether a paper is eligible does not depend on the topic: asked once per digest.
        if (this.takenIn[i] === stamp) continue;
        this.takenIn[i] = stamp;
        const id = this.papers[i]?.id;
        if (id === undefined || !eligible(id)) continue;
        items.push({ paperId: id, topic, rank: items.length + 1 });
      }
    }
    return items;
  }
}
