import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { HttpClient, paperbotUserAgent } from '../net/index.js';
import type { LiveCatalog } from './live.js';
import { mergeRecords, paperFromWork } from './merge.js';
import type { Paper } from './paper.js';
import { formatIdentifier, parseIdentifier, type PaperIdentifier } from './sources/identifiers.js';
import { PaperResolver, ResolveError, type SourceSettings } from './sources/resolve.js';
import type { ResolvedWork } from './sources/work.js';
import type { AddOutcome, CatalogStore } from './store.js';
import { correctTags, type Tag } from './tags.js';
import type { Vocabulary } from './vocabulary.js';

type EnrichChange = { id: string; identifier: string; changed: string[] };
/** `duplicates`: records whose title match is a work another record already holds (left for a person to merge). */
export type EnrichReport = { changes: EnrichChange[]; unchanged: number; noIdentifier: string[]; duplicates: { id: string; of: string }[]; failures: AddFailure[] };

export type AddFailure = { identifier: string; error: ResolveError };
export type AddReport = { outcomes: (AddOutcome & { identifier: string })[]; failures: AddFailure[] };

/** Most identifiers one `/paper add` takes. */
export const MAX_ADD = 10;

/**
 * The catalog's operations for commands and the CLI: add by identifier (resolve, then one
 * transaction), add a work already read from a file, hide, correct tags. Every write reaches the
 * live index at once; other processes see it through the store's change counter.
 */
export class CatalogService {
  private resolverInstance: PaperResolver | null = null;

  constructor(
    readonly store: CatalogStore,
    readonly live: LiveCatalog,
    readonly vocabulary: Vocabulary,
    private readonly sources: SourceSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly http?: HttpClient,
  ) {}

  /** Built on first use, so a bot that never adds papers never configures the sources. */
  get resolver(): PaperResolver {
    this.resolverInstance ??= new PaperResolver(
      this.sources,
      this.http ?? new HttpClient({ userAgent: paperbotUserAgent(this.sources.contactEmail), logger: this.log }),
    );
    return this.resolverInstance;
  }

  /**
   * Resolves each identifier (concurrently; each source's pacing holds them back as needed) and adds
   * what resolved. Nothing is written for an identifier that failed.
   */
  async addIdentifiers(identifiers: string[], addedBy: string | null): Promise<AddReport> {
    const settled = await Promise.all(
      identifiers.map(async (identifier) => {
        const id = parseIdentifier(identifier);
        if (!id) return { identifier, error: new ResolveError('not-found', identifier, 'not an arXiv id, DOI, PubMed id or PMC id') };
        try {
          return { identifier: formatIdentifier(id), work: await this.resolver.resolve(id) };
        } catch (error) {
          if (error instanceof ResolveError) return { identifier: formatIdentifier(id), error };
          throw error;
        }
      }),
    );
    const report: AddReport = { outcomes: [], failures: [] };
    for (const item of settled) {
      if ('error' in item && item.error) report.failures.push({ identifier: item.identifier, error: item.error });
      else if ('work' in item && item.work) report.outcomes.push({ identifier: item.identifier, ...this.addWork(item.work, 'added', addedBy) });
    }
    return report;
  }

  /** Adds (or merges) a work already resolved or read from a file, in the index at once. No network. */
  addWork(work: ResolvedWork, origin: 'added' | 'imported', addedBy: string | null): AddOutcome {
    const outcome = this.storeWork(work, origin, addedBy);
    this.live.upsert(outcome.paper);
    return outcome;
  }

  private storeWork(work: ResolvedWork, origin: 'added' | 'imported', addedBy: string | null): AddOutcome {
    if (!work.title.trim()) throw new ResolveError('not-found', work.doi ?? work.arxivId ?? work.pmid ?? '?', 'the source has no title for it');
    return this.store.add(paperFromWork(work, origin, this.vocabulary), origin, addedBy, work.sameAs);
  }

  /**
   * Adds many works (an import) without the network; one failing entry (no title) is reported, the
   * others are added. Only the store is written: the live index takes the papers in at its next use,
   * from the store's change counter, as it does for another process's import. `paperbot import`
   * never searches, so it never pays for indexing (a third of an import's time); a running bot pays
   * it once, at the next query.
   */
  addWorks(works: ResolvedWork[], origin: 'added' | 'imported', onProgress: (done: number, total: number) => void = () => {}): (AddOutcome | { error: string })[] {
    const out: (AddOutcome | { error: string })[] = [];
    // Committed in batches: one commit per paper costs more than the add itself, and a long import
    // still lets a running bot write between batches.
    for (let start = 0; start < works.length; start += 500) {
      this.store.batch(() => {
        for (const work of works.slice(start, start + 500)) {
          try {
            out.push(this.storeWork(work, origin, null));
          } catch (error) {
            if (!(error instanceof ResolveError)) throw error;
            out.push({ error: error.detail });
          }
        }
      });
      onProgress(Math.min(start + 500, works.length), works.length);
    }
    return out;
  }

  get(id: string): Paper | null {
    this.live.refresh();
    return this.live.get(id) ?? this.live.get(id.toLowerCase());
  }

  /** Hides a paper from the catalog (a bundled one stays in its source file). */
  remove(id: string): boolean {
    const hidden = this.store.hide(id);
    if (hidden) this.live.remove(id);
    return hidden;
  }

  /** Applies a person's tag corrections; they outrank inference from then on. */
  tag(paper: Paper, changes: { add: Tag[]; remove: Tag[] }): Paper {
    const next = correctTags(paper, changes, this.vocabulary);
    this.store.update(next);
    this.live.upsert(next);
    return next;
  }

  /** Papers missing authors, a link, a year or an abstract: what `enrich` looks up. */
  lacking(): Paper[] {
    return this.live.papers().filter((p) => p.authors.length === 0 || !p.url || p.year === null || !p.abstract);
  }

  /**
   * Fills what records lack from the sources, through the identifier each record carries (its DOI,
   * arXiv id, PubMed id, or a link that names one), or else through Crossref's bibliographic search
   * by title and first author, taking only a confident match (see PaperResolver.findByTitle). Only
   * empty fields are filled; titles, tags and a person's corrections are never overwritten. One
   * paper at a time, so pacing stays simple. `noIdentifier` lists the records neither way found.
   */
  async enrich(papers: Paper[], onProgress: (done: number, total: number) => void = () => {}): Promise<EnrichReport> {
    const report: EnrichReport = { changes: [], unchanged: 0, noIdentifier: [], duplicates: [], failures: [] };
    let done = 0;
    for (const paper of papers) {
      const id = identifierOf(paper);
      const label = id ? formatIdentifier(id) : 'title search';
      try {
        const work = id ? await this.resolver.resolve(id) : await this.resolver.findByTitle({ title: paper.title, firstAuthor: paper.authors[0], year: paper.year });
        const holder = !id && work?.doi ? this.store.idWithDoi(work.doi) : null;
        if (!work) report.noIdentifier.push(paper.id);
        else if (holder && holder !== paper.id) report.duplicates.push({ id: paper.id, of: holder });
        else {
          const current = this.store.get(paper.id) ?? paper;
          const { paper: next, changed } = mergeRecords(current, { ...paperFromWork(work, current.origin, this.vocabulary), arxivVersion: undefined });
          const filled = changed.filter((c) => c !== 'title');
          if (filled.length) {
            this.store.update(next);
            this.live.upsert(next);
            const found = id ? label : `doi:${work.doi} (found by title)`;
            report.changes.push({ id: paper.id, identifier: found, changed: filled });
          } else report.unchanged++;
        }
      } catch (error) {
        if (!(error instanceof ResolveError)) throw error;
        report.failures.push({ identifier: `${paper.id} (${label})`, error });
      }
      onProgress(++done, papers.length);
    }
    return report;
  }

  now(): Date {
    return this.clock.now();
  }
}

/** The identifier a record can be looked up by: its own ids first, then what its link names. */
function identifierOf(paper: Paper): PaperIdentifier | null {
  if (paper.doi) return { kind: 'doi', doi: paper.doi };
  if (paper.arxivId) return { kind: 'arxiv', id: paper.arxivId };
  if (paper.pmid) return { kind: 'pmid', pmid: paper.pmid };
  if (paper.pmcid) return { kind: 'pmcid', pmcid: paper.pmcid };
  return paper.url ? parseIdentifier(paper.url) : null;
}
