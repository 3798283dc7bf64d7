import type { ResolvedWork } from '../../catalog/sources/work.js';
import type { Services } from '../../services.js';
import type { CandidatePaper } from './parse.js';

/**
 * Where feed items become catalog papers: through the living catalog, which merges a work reached
 * through its preprint, its DOI, its PubMed id or its title into one record, infers its tags, puts it
 * in the search index at once and keeps when it entered the catalog (the digest reads that).
 */

export type Taken = { id: string; added: boolean };

/** A feed item as the catalog's resolved work. */
function workFromCandidate(c: CandidatePaper, source: string): ResolvedWork {
  return {
    title: c.title,
    authors: c.authors,
    year: c.year,
    venue: c.venue,
    abstract: c.abstract,
    doi: c.doi ?? undefined,
    arxivId: c.arxivId ?? undefined,
    arxivVersion: c.arxivVersion ?? undefined,
    pmid: c.pmid ?? undefined,
    url: c.url,
    subjects: c.categories,
    sameAs: [],
    source,
  };
}

export class PaperIntake {
  constructor(private readonly services: Pick<Services, 'catalog'>) {}

  /** Adds the candidate as a new paper, or merges it into the record of the same work. */
  async take(c: CandidatePaper, source: string, feed: string): Promise<Taken> {
    const outcome = await this.services.catalog.addWork(workFromCandidate(c, source), 'added', `feed ${feed}`);
    return { id: outcome.paper.id, added: !outcome.merged };
  }

}
