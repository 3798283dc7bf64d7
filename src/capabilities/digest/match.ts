import type { Paper } from '../../catalog/paper.js';
import { bundledVocabulary, type Vocabulary } from '../../catalog/vocabulary.js';
import { PaperIndex, searchOver } from '../../search/index.js';
import type { PaperSearch } from '../../search/types.js';
import type { DigestItem } from './store.js';

/**
 * Which new papers a channel's followed topics match. The new papers of a window are indexed once
 * and each distinct query is searched once, whatever number of channels follow it: a digest round
 * over hundreds of channels costs one search per distinct topic.
 */
/** The most papers one topic brings into a round of digests (the search's own page limit). */
const MAX_HITS = 1000;

export class TopicMatcher {
  private readonly search: PaperSearch;
  private readonly cache = new Map<string, string[]>();
  readonly papers: Paper[];

  constructor(papers: Paper[], vocabulary: Vocabulary = bundledVocabulary()) {
    this.papers = papers;
    // Topics match what a paper is (title, tags, authors, venue), not every word of its abstract:
    // a digest is a short list, and the index of a week's papers is built on every digest round.
    this.search = searchOver(new PaperIndex(papers.map(({ abstract: _abstract, ...rest }) => rest), vocabulary));
  }

  /** The ids of the new papers a query matches, best first; a query that no longer parses matches nothing. */
  hits(query: string): string[] {
    let ids = this.cache.get(query);
    if (!ids) {
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
      this.cache.set(query, ids);
    }
    return ids;
  }

  /**
   * A channel's digest: for each topic in the order followed, its matches best first, each paper under
   * the first topic that matched it, leaving out papers outside the window or already sent.
   */
  digestFor(topics: string[], eligible: (paperId: string) => boolean): DigestItem[] {
    const items: DigestItem[] = [];
    const taken = new Set<string>();
    for (const topic of topics) {
      for (const id of this.hits(topic)) {
        if (taken.has(id) || !eligible(id)) continue;
        taken.add(id);
        items.push({ paperId: id, topic, rank: items.length + 1 });
      }
    }
    return items;
  }
}
